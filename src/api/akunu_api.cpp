// The C API over the C++ engine. Each entry point validates its arguments, runs inside guarded()
// so that no exception crosses, and returns a status.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>

#include "akunu/akunu.h"
#include "api/api_guard.h"
#include "api/model_handle.h"
#include "api/synthetic_loader.h"
#include "format/gguf_file.h"
#include "model/hf_to_gguf.h"
#include "runtime/engine.h"
#include "runtime/generation.h"
#include "runtime/hf_folder.h"
#include "runtime/kv_type.h"

using namespace akunu;

namespace {

// NULL or "" means "as stored".
std::optional<DType> weight_type_arg(const char* name) {
    if (name == nullptr || *name == '\0') return std::nullopt;
    DType t;
    if (!parse_dtype(name, &t)) fail(ErrorKind::InvalidArgument, "api", std::string("unknown weight type '") + name + "'");
    check_hf_weight_type(t);
    return t;
}

EngineOptions engine_options(const akunu_load_params* p) {
    const akunu_load_params d = akunu_default_load_params();
    if (!p) p = &d;
    EngineOptions o;
    o.max_context = p->max_context;
    if (p->n_threads < 0) fail(ErrorKind::InvalidArgument, "api", "n_threads must be >= 0");
    o.n_threads = p->n_threads;
    o.prefill_chunk = p->prefill_chunk;
    o.check_memory = p->check_memory;
    o.memory_limit_bytes = p->memory_limit_bytes;
    o.exact_activations = p->exact_activations;  // default false: the fast paths (EngineOptions defaults to exact)
    o.hf_weight_type = weight_type_arg(p->weight_type);
    switch (p->backend) {
        case AKUNU_BACKEND_AUTO:
            o.backend = backend_available(BackendKind::Cuda) ? BackendKind::Cuda : BackendKind::Cpu;
            break;
        case AKUNU_BACKEND_CPU: o.backend = BackendKind::Cpu; break;
        case AKUNU_BACKEND_CUDA: o.backend = BackendKind::Cuda; break;
        default: fail(ErrorKind::InvalidArgument, "api", "unknown backend " + std::to_string((int)p->backend));
    }
    // After the backend is known: unset means that backend's default.
    o.kv_type = p->kv_type && *p->kv_type ? parse_kv_type(p->kv_type) : default_kv_type(o.backend);
    if (p->progress) {
        auto fn = p->progress;
        void* user = p->progress_user;
        o.progress = [fn, user](uint64_t done, uint64_t total) { fn(done, total, user); };
    }
    return o;
}

void copy_str(char* dst, size_t cap, const std::string& s) {
    const size_t n = std::min(cap - 1, s.size());
    std::memcpy(dst, s.data(), n);
    dst[n] = '\0';
}

Engine& engine_of(akunu_model* m) { return *require(m, "model")->engine; }
const Engine& engine_of(const akunu_model* m) { return *require(m, "model")->engine; }

}  // namespace

extern "C" {

akunu_load_params akunu_default_load_params(void) {
    akunu_load_params p;
    std::memset(&p, 0, sizeof(p));
    p.backend = AKUNU_BACKEND_AUTO;
    p.check_memory = true;
    return p;
}

const char* akunu_status_string(akunu_status status) {
    switch (status) {
        case AKUNU_OK: return "ok";
        case AKUNU_ERR_INVALID_ARGUMENT: return "invalid argument";
        case AKUNU_ERR_IO: return "i/o error";
        case AKUNU_ERR_FORMAT: return "format error";
        case AKUNU_ERR_UNSUPPORTED: return "unsupported";
        case AKUNU_ERR_OUT_OF_MEMORY: return "out of memory";
        case AKUNU_ERR_CONTEXT_FULL: return "context full";
        case AKUNU_ERR_BUFFER_TOO_SMALL: return "buffer too small";
        case AKUNU_ERR_INTERNAL: return "internal error";
    }
    return "unknown status";
}

akunu_status akunu_load_model(const char* path, const akunu_load_params* params, akunu_model** out) {
    if (out) *out = nullptr;
    return guarded([&] {
        require(path, "path");
        require(out, "out");
        auto model = std::make_unique<akunu_model>();
        model->engine = Engine::load_file(path, engine_options(params));
        *out = model.release();
    });
}

akunu_status akunu_load_synthetic(const char* spec, const akunu_load_params* params, akunu_model** out) {
    if (out) *out = nullptr;
    return guarded([&] {
        require(spec, "spec");
        require(out, "out");
        const EngineOptions options = engine_options(params);
        if (options.hf_weight_type) {
            fail(ErrorKind::InvalidArgument, "api",
                 "weight_type converts Hugging Face folders; a synthetic model takes its type as PRESET:TYPE");
        }
        auto model = std::make_unique<akunu_model>();
        model->engine = Engine::load(open_synthetic(spec), options);
        *out = model.release();
    });
}

akunu_status akunu_convert_model(const char* hf_dir, const char* out_path, const char* weight_type) {
    return guarded([&] {
        const std::string dir = require(hf_dir, "hf_dir");
        const std::string out = require(out_path, "out_path");
        if (!is_directory(dir)) fail(ErrorKind::Io, "convert", dir + ": not a directory (a Hugging Face model folder)");
        convert_hf_folder(dir, out, weight_type_arg(weight_type));
    });
}

akunu_status akunu_write_synthetic(const char* spec, const char* path) {
    return guarded([&] { write_synthetic(require(spec, "spec"), require(path, "path")); });
}

void akunu_free_model(akunu_model* model) { delete model; }

akunu_status akunu_get_model_info(const akunu_model* model, akunu_model_info* out) {
    return guarded([&] {
        const Engine& e = engine_of(model);
        require(out, "out");
        std::memset(out, 0, sizeof(*out));
        const ModelConfig& c = e.config();
        copy_str(out->architecture, sizeof(out->architecture), c.architecture);
        copy_str(out->name, sizeof(out->name), c.name.empty() ? e.file().name() : c.name);
        copy_str(out->weight_type, sizeof(out->weight_type), dtype_name(e.weights().dominant_type()));
        copy_str(out->backend, sizeof(out->backend), e.device().backend_name);
        out->dim = c.dim;
        out->n_layers = c.n_layers;
        out->n_heads = c.n_heads;
        out->n_kv_heads = c.n_kv_heads;
        out->head_dim = c.head_dim;
        out->q_dim = c.q_dim();
        out->kv_dim = c.kv_dim();
        out->ffn_dim = c.ffn_dim;
        out->vocab_size = c.vocab_size;
        out->context_length = c.context_length;
        out->max_context = e.max_context();
        out->n_params = e.weights().n_params();
        out->bos_id = e.tokenizer().vocab().bos_id;
        out->eos_id = e.tokenizer().vocab().eos_id;
        copy_str(out->kv_type, sizeof(out->kv_type), kv_type_name(e.kv_type()));
    });
}

akunu_status akunu_model_memory(const akunu_model* model, akunu_memory* out) {
    return guarded([&] {
        const MemoryInfo m = engine_of(model).memory();
        require(out, "out");
        out->weight_bytes = m.weight_bytes;
        out->kv_cache_bytes = m.kv_cache_bytes;
        out->scratch_bytes = m.scratch_bytes;
        out->total_bytes = m.total();
    });
}

akunu_status akunu_tokenize(const akunu_model* model, const char* text, bool add_bos, bool parse_special,
                            int32_t* tokens, int32_t capacity, int32_t* n_tokens) {
    return guarded([&] {
        const Engine& e = engine_of(model);
        require(text, "text");
        require(n_tokens, "n_tokens");
        if (capacity < 0 || (capacity > 0 && !tokens)) {
            fail(ErrorKind::InvalidArgument, "api", "tokens is NULL or capacity is negative");
        }
        const std::vector<int32_t> ids = e.tokenizer().encode(text, add_bos, parse_special);
        *n_tokens = (int32_t)ids.size();
        if ((int64_t)ids.size() > capacity) {
            fail(ErrorKind::BufferTooSmall, "api",
                 "tokenize needs " + std::to_string(ids.size()) + " slots, capacity is " + std::to_string(capacity));
        }
        std::copy(ids.begin(), ids.end(), tokens);
    });
}

akunu_status akunu_detokenize(const akunu_model* model, const int32_t* tokens, int32_t n_tokens, char* buffer,
                              size_t capacity, size_t* length) {
    return guarded([&] {
        const Engine& e = engine_of(model);
        if (n_tokens < 0 || (n_tokens > 0 && !tokens)) fail(ErrorKind::InvalidArgument, "api", "bad token array");
        const int32_t vocab = (int32_t)e.config().vocab_size;
        for (int32_t i = 0; i < n_tokens; ++i) {
            if (tokens[i] < 0 || tokens[i] >= vocab) {
                fail(ErrorKind::InvalidArgument, "api",
                     "token " + std::to_string(tokens[i]) + " at index " + std::to_string(i) + " is outside the vocabulary");
            }
        }
        const std::string text = e.tokenizer().decode(std::vector<int32_t>(tokens, tokens + n_tokens));
        if (length) *length = text.size();
        if (!buffer || capacity < text.size() + 1) {
            fail(ErrorKind::BufferTooSmall, "api",
                 "detokenize needs " + std::to_string(text.size() + 1) + " bytes, capacity is " + std::to_string(capacity));
        }
        std::memcpy(buffer, text.data(), text.size());
        buffer[text.size()] = '\0';
    });
}

akunu_status akunu_prefill(akunu_model* model, const int32_t* tokens, int32_t n_tokens, int32_t* next_token) {
    return guarded([&] {
        Engine& e = engine_of(model);
        require(tokens, "tokens");
        const int32_t next = e.prefill(tokens, n_tokens);
        if (next_token) *next_token = next;
    });
}

akunu_status akunu_decode_step(akunu_model* model, int32_t token, int32_t* next_token) {
    return guarded([&] {
        const int32_t next = engine_of(model).decode_step(token);
        if (next_token) *next_token = next;
    });
}

akunu_status akunu_chain_decode(akunu_model* model, int32_t token, int32_t n, int32_t* out_tokens) {
    return guarded([&] {
        Engine& e = engine_of(model);
        if (n > 0) require(out_tokens, "out_tokens");
        e.chain_decode(token, n, out_tokens);
    });
}

akunu_status akunu_reset(akunu_model* model) {
    return guarded([&] { engine_of(model).reset(); });
}

int32_t akunu_position(const akunu_model* model) { return model ? model->engine->position() : -1; }

akunu_status akunu_get_logits(const akunu_model* model, float* out, int32_t capacity) {
    return guarded([&] {
        Engine& e = *require(model, "model")->engine;
        require(out, "out");
        if (e.position() == 0) fail(ErrorKind::InvalidArgument, "api", "no logits yet: nothing has been evaluated");
        const std::vector<float>& logits = e.logits();
        if (capacity < (int64_t)logits.size()) {
            fail(ErrorKind::BufferTooSmall, "api",
                 "logits need " + std::to_string(logits.size()) + " floats, capacity is " + std::to_string(capacity));
        }
        std::copy(logits.begin(), logits.end(), out);
    });
}

akunu_sampling_params akunu_default_sampling_params(void) {
    akunu_sampling_params p;
    std::memset(&p, 0, sizeof(p));
    const SamplingParams d;
    p.temperature = 0.8f;
    p.top_k = d.top_k;
    p.top_p = d.top_p;
    p.min_p = d.min_p;
    p.repeat_penalty = d.repeat_penalty;
    p.repeat_last_n = d.repeat_last_n;
    p.seed = 0;
    p.max_tokens = 128;
    p.add_bos = true;
    p.parse_special = false;
    p.reset = true;
    return p;
}

akunu_status akunu_generate(akunu_model* model, const char* prompt, const akunu_sampling_params* params,
                            akunu_text_callback callback, void* user, akunu_generation_stats* stats) {
    return guarded([&] {
        Engine& e = engine_of(model);
        require(prompt, "prompt");
        const akunu_sampling_params d = akunu_default_sampling_params();
        const akunu_sampling_params& p = params ? *params : d;
        if (p.n_stop < 0 || (p.n_stop > 0 && !p.stop)) fail(ErrorKind::InvalidArgument, "api", "bad stop array");
        GenerateParams g;
        g.sampling.temperature = p.temperature;
        g.sampling.top_k = p.top_k;
        g.sampling.top_p = p.top_p;
        g.sampling.min_p = p.min_p;
        g.sampling.repeat_penalty = p.repeat_penalty;
        g.sampling.repeat_last_n = p.repeat_last_n;
        g.sampling.seed = p.seed;
        g.max_tokens = p.max_tokens;
        for (int32_t i = 0; i < p.n_stop; ++i) g.stop.emplace_back(require(p.stop[i], "stop string"));
        g.add_bos = p.add_bos;
        g.parse_special = p.parse_special;
        g.reset = p.reset;
        TextCallback cb;
        if (callback) cb = [&](std::string_view t) { return callback(t.data(), t.size(), user); };
        const GenerationStats s = generate(e, prompt, g, cb);
        if (stats) {
            stats->prompt_tokens = s.prompt_tokens;
            stats->generated_tokens = s.generated_tokens;
            stats->prefill_ms = s.prefill_ms;
            stats->decode_ms = s.decode_ms;
            stats->ttft_ms = s.ttft_ms;
            stats->prefill_tok_s = s.prefill_tok_s;
            stats->decode_tok_s = s.decode_tok_s;
            stats->peak_memory_bytes = s.peak_memory_bytes;
            stats->stop_reason = (akunu_stop_reason)s.stop_reason;
        }
    });
}

int akunu_profile_decode_step(akunu_model* model, int32_t token_id, int32_t position, float* timing, int max) {
    int n = -1;
    const akunu_status st = guarded([&] {
        Engine& e = engine_of(model);
        if (max < 0 || (max > 0 && !timing)) fail(ErrorKind::InvalidArgument, "api", "timing is NULL or max < 0");
        std::vector<double> ms(e.decode_table().size());
        e.profile_decode_step(token_id, position, ms.data());
        for (int i = 0; i < max && i < (int)ms.size(); ++i) timing[i] = (float)ms[i];
        n = (int)ms.size();
    });
    return st == AKUNU_OK ? n : -1;
}

const char* akunu_profile_label(const akunu_model* model, int i) {
    if (!model || i < 0 || (size_t)i >= model->engine->decode_table().size()) return nullptr;
    return model->engine->decode_table().info[(size_t)i].label.c_str();
}

}  // extern "C"
