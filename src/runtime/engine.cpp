#include "runtime/engine.h"

#include <algorithm>

#include "core/error.h"
#include "format/gguf_file.h"
#include "model/arch_spec.h"
#include "runtime/hf_folder.h"
#include "runtime/kv_type.h"

namespace akunu {
namespace {

std::string mib(uint64_t bytes) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%.1f MiB", (double)bytes / (1024.0 * 1024.0));
    return buf;
}

uint64_t kv_bytes_per_position(const ModelConfig& c, DType kv_type) {
    return 2ull * c.n_layers * dtype_row_bytes(kv_type, c.kv_dim());
}

uint64_t scratch_bytes(const ModelConfig& c, uint32_t max_ctx, uint32_t chunk) {
    const uint64_t per_token = 3ull * c.dim + 2ull * c.q_dim() + 2ull * c.kv_dim() + 2ull * c.ffn_dim + 1;
    return chunk * per_token * 4 + (uint64_t)c.vocab_size * 4 + (uint64_t)max_ctx * 4;
}

// Touches every page of the weights so the first token does not pay for page faults, and
// reports progress while doing it.
void prefault(const ModelWeights& w, const std::function<void(uint64_t, uint64_t)>& progress) {
    const uint64_t total = w.total_bytes();
    uint64_t done = 0;
    volatile uint8_t sink = 0;
    auto touch = [&](const WeightView& v) {
        const uint8_t* p = static_cast<const uint8_t*>(v.data);
        for (size_t off = 0; off < v.bytes; off += 4096) sink = sink + p[off];
        done += v.bytes;
        if (progress) progress(done, total);
    };
    w.for_each(touch);
}

}  // namespace

MemoryInfo estimate_memory(const ModelConfig& c, uint64_t weight_bytes, uint32_t max_ctx, uint32_t chunk,
                           DType kv_type) {
    MemoryInfo m;
    m.weight_bytes = weight_bytes;
    m.kv_cache_bytes = kv_bytes_per_position(c, kv_type) * max_ctx;
    m.scratch_bytes = scratch_bytes(c, max_ctx, chunk);
    return m;
}

std::unique_ptr<Engine> Engine::load_file(const std::string& path, const EngineOptions& options) {
    if (is_directory(path)) return load(open_hf_folder(path, options.hf_weight_type), options);
    // A GGUF file is loaded as it is; silently ignoring a requested type would mislead.
    if (options.hf_weight_type) {
        fail(ErrorKind::InvalidArgument, "engine",
             path + ": a weight type to convert to applies to Hugging Face folders only, and this is not a folder");
    }
    return load(GgufFile::open(path), options);
}

std::unique_ptr<Engine> Engine::load(std::unique_ptr<GgufFile> file, const EngineOptions& options) {
    std::unique_ptr<Engine> engine(new Engine());
    engine->init(std::move(file), options);
    return engine;
}

Engine::~Engine() = default;

void Engine::init(std::unique_ptr<GgufFile> file, const EngineOptions& options) {
    file_ = std::move(file);
    const std::string arch = file_->get_string("general.architecture");
    const ArchSpec* spec = find_arch_spec(arch);
    if (!spec) {
        fail(ErrorKind::Unsupported, "model",
             file_->name() + ": general.architecture '" + arch + "' is not supported (supported: " + supported_arch_names() + ")");
    }
    config_ = read_model_config(*file_, *spec);
    weights_ = bind_weights(*file_, config_);
    tokenizer_ = Tokenizer::from_gguf(*file_);
    if ((uint32_t)tokenizer_->vocab().size() != config_.vocab_size) {
        fail(ErrorKind::Format, "model",
             file_->name() + ": tokenizer.ggml.tokens has " + std::to_string(tokenizer_->vocab().size()) +
                 " entries but token_embd.weight has " + std::to_string(config_.vocab_size) + " rows");
    }

    check_kv_type(options.kv_type, options.backend);
    BackendOptions bopts;
    bopts.n_threads = options.n_threads;
    bopts.prefill_chunk = options.prefill_chunk;
    bopts.fuse_residual_add = options.fuse_residual_add;
    bopts.isa = options.isa;
    bopts.exact_activations = options.exact_activations;
    backend_ = create_backend(options.backend, bopts);
    const DeviceConfig& dev = backend_->config();

    max_ctx_ = options.max_context ? options.max_context : std::min(config_.context_length, kDefaultMaxContext);
    if (max_ctx_ > (1u << 24)) {
        fail(ErrorKind::InvalidArgument, "engine", "max_context " + std::to_string(max_ctx_) + " is absurd (limit 16M)");
    }
    chunk_ = std::max<uint32_t>(1, std::min(dev.prefill_chunk, max_ctx_));

    memory_ = estimate_memory(config_, weights_.total_bytes(), max_ctx_, chunk_, options.kv_type);
    // The budget is what the device has available, or the caller's limit when that is smaller.
    uint64_t budget = dev.memory_bytes;
    if (options.memory_limit_bytes > 0 && (budget == 0 || options.memory_limit_bytes < budget)) {
        budget = options.memory_limit_bytes;
    }
    if (options.check_memory && budget > 0 && memory_.total() > budget) {
        const uint64_t fixed = memory_.weight_bytes + scratch_bytes(config_, 0, chunk_);
        const uint64_t per_pos = kv_bytes_per_position(config_, options.kv_type) + 4;
        const uint64_t fit = fixed < budget ? (budget - fixed) / per_pos : 0;
        fail(ErrorKind::OutOfMemory, "engine",
             file_->name() + ": needs " + mib(memory_.total()) + " (weights " + mib(memory_.weight_bytes) +
                 " + KV cache " + mib(memory_.kv_cache_bytes) + " for " + std::to_string(max_ctx_) +
                 " positions + scratch " + mib(memory_.scratch_bytes) + ") but " + mib(budget) +
                 (budget == dev.memory_bytes ? " is available on " + dev.backend_name : " is the memory limit") +
                 (fit > 0 ? "; --ctx " + std::to_string(std::min<uint64_t>(fit, max_ctx_)) + " would fit"
                          : "; weights and scratch alone need " + mib(fixed)));
    }

    // Weights: one buffer per tensor (zero copy on the CPU).
    weights_.for_each([&](const WeightView& v) {
        if (!weight_buffers_.count(v.data)) {
            weight_buffers_[v.data] = backend_->import_weights(v.data, v.bytes, v.name.c_str());
        }
    });
    if (dev.kind == BackendKind::Cpu) prefault(weights_, options.progress);

    const ModelConfig& c = config_;
    const size_t rows = chunk_;
    act_.tokens = backend_->create_buffer(rows * 4, "tokens");
    act_.x = backend_->create_buffer(rows * c.dim * 4, "x");
    act_.xn = backend_->create_buffer(rows * c.dim * 4, "xn");
    act_.q = backend_->create_buffer(rows * c.q_dim() * 4, "q");
    act_.k = backend_->create_buffer(rows * c.kv_dim() * 4, "k");
    act_.v = backend_->create_buffer(rows * c.kv_dim() * 4, "v");
    act_.attn = backend_->create_buffer(rows * c.q_dim() * 4, "attn");
    act_.gate = backend_->create_buffer(rows * c.ffn_dim * 4, "gate");
    act_.up = backend_->create_buffer(rows * c.ffn_dim * 4, "up");
    act_.tmp = backend_->create_buffer(rows * c.dim * 4, "tmp");
    act_.logits = backend_->create_buffer((size_t)c.vocab_size * 4, "logits");
    act_.chain_out = backend_->create_buffer((size_t)max_ctx_ * 4, "chain_out");
    kv_.max_ctx = max_ctx_;
    kv_.dtype = options.kv_type;
    const size_t kv_layer = (size_t)c.n_kv_heads * max_ctx_ * dtype_row_bytes(kv_.dtype, c.head_dim);
    for (uint32_t l = 0; l < c.n_layers; ++l) {
        kv_.k.push_back(backend_->create_buffer(kv_layer, ("L" + std::to_string(l) + " K cache").c_str()));
        kv_.v.push_back(backend_->create_buffer(kv_layer, ("L" + std::to_string(l) + " V cache").c_str()));
    }

    TableInputs in;
    in.config = &config_;
    in.weights = &weights_;
    in.weight_buffers = &weight_buffers_;
    in.act = &act_;
    in.kv = &kv_;
    in.device = &dev;
    in.max_tokens = 1;
    decode_ = build_forward_table(in);
    in.max_tokens = chunk_;
    prefill_ = build_forward_table(in);
    backend_->prepare(decode_);
    backend_->prepare(prefill_);
    memory_.scratch_bytes = backend_->allocated_bytes() - memory_.kv_cache_bytes;
    logits_.assign(c.vocab_size, 0.0f);
}

void Engine::check_tokens(const int32_t* tokens, int32_t n, const char* what) const {
    for (int32_t i = 0; i < n; ++i) {
        if (tokens[i] < 0 || (uint32_t)tokens[i] >= config_.vocab_size) {
            fail(ErrorKind::InvalidArgument, "engine",
                 std::string(what) + ": token " + std::to_string(tokens[i]) + " at index " + std::to_string(i) +
                     " is outside the vocabulary [0, " + std::to_string(config_.vocab_size) + ")");
        }
    }
}

void Engine::check_room(int32_t n, const char* what) const {
    if ((int64_t)pos_ + n > (int64_t)max_ctx_) {
        fail(ErrorKind::ContextFull, "engine",
             std::string(what) + " of " + std::to_string(n) + " tokens at position " + std::to_string(pos_) +
                 " does not fit max_context " + std::to_string(max_ctx_));
    }
}

int32_t Engine::prefill(const int32_t* tokens, int32_t n) {
    if (n <= 0 || !tokens) fail(ErrorKind::InvalidArgument, "engine", "prefill needs at least one token");
    check_tokens(tokens, n, "prefill");
    check_room(n, "prefill");
    for (int32_t done = 0; done < n;) {
        const int32_t m = std::min<int32_t>((int32_t)chunk_, n - done);
        backend_->write(act_.tokens, 0, tokens + done, (size_t)m * 4);
        RunState s;
        s.pos = pos_;
        s.n_tokens = m;
        backend_->run(m == 1 ? decode_ : prefill_, s);
        pos_ += m;
        done += m;
    }
    logits_valid_ = false;
    int32_t next = 0;
    backend_->read(act_.tokens, 0, &next, 4);
    return next;
}

int32_t Engine::decode_step(int32_t token) {
    check_tokens(&token, 1, "decode_step");
    check_room(1, "decode step");
    backend_->write(act_.tokens, 0, &token, 4);
    RunState s;
    s.pos = pos_;
    backend_->run(decode_, s);
    pos_ += 1;
    logits_valid_ = false;
    int32_t next = 0;
    backend_->read(act_.tokens, 0, &next, 4);
    return next;
}

void Engine::chain_decode(int32_t token, int32_t n, int32_t* out) {
    if (n < 0 || (n > 0 && !out)) fail(ErrorKind::InvalidArgument, "engine", "chain_decode needs n >= 0 and an output array");
    if (n == 0) return;
    check_tokens(&token, 1, "chain_decode");
    check_room(n, "chain decode");
    backend_->write(act_.tokens, 0, &token, 4);
    const int32_t chunk = std::max<int32_t>(1, (int32_t)backend_->config().chain_chunk);
    for (int32_t done = 0; done < n;) {
        const int32_t m = std::min(chunk, n - done);
        RunState s;
        s.pos = pos_;
        s.step = done;
        backend_->run_chain(decode_, s, m);
        pos_ += m;
        done += m;
    }
    backend_->read(act_.chain_out, 0, out, (size_t)n * 4);
    logits_valid_ = false;
}

void Engine::truncate(int32_t position) {
    if (position < 0 || position > pos_) {
        fail(ErrorKind::InvalidArgument, "engine",
             "cannot truncate to position " + std::to_string(position) + " (current " + std::to_string(pos_) + ")");
    }
    pos_ = position;
    logits_valid_ = false;
}

const std::vector<float>& Engine::logits() {
    if (!logits_valid_) {
        backend_->read(act_.logits, 0, logits_.data(), logits_.size() * 4);
        logits_valid_ = true;
    }
    return logits_;
}

void Engine::profile_decode_step(int32_t token, int32_t position, double* ms) {
    check_tokens(&token, 1, "profile_decode_step");
    if (position < 0 || position > pos_ || (uint32_t)position >= max_ctx_) {
        fail(ErrorKind::InvalidArgument, "engine",
             "profile position " + std::to_string(position) + " must be in [0, " +
                 std::to_string(std::min<int64_t>(pos_, (int64_t)max_ctx_ - 1)) + "]");
    }
    backend_->write(act_.tokens, 0, &token, 4);
    RunState s;
    s.pos = position;
    backend_->run_profiled(decode_, s, ms);
    pos_ = position + 1;
    logits_valid_ = false;
}

}  // namespace akunu
