// akunu: the command-line front end. `akunu run` streams a completion; `akunu chat` holds a
// multi-turn conversation (chat_repl.h); `akunu synth` writes a synthetic model as GGUF; `akunu
// convert` writes a Hugging Face folder as GGUF. `run`, `synth` and `convert` are thin clients of
// the C API; `chat` drives the C++ ChatSession, which the C API lacks.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>
#include <vector>

#include "akunu/akunu.h"
#include "chat_repl.h"

namespace {

struct RunArgs {
    std::string model;
    std::string synthetic;
    std::string quantize;  // a Hugging Face folder's weights converted to this type at load
    std::string kv_type;   // empty: the backend's default
    std::string prompt = "Once upon a time";
    int n_predict = 128;
    float temp = 0.0f;
    int top_k = 40;
    float top_p = 0.95f;
    float min_p = 0.05f;
    float repeat_penalty = 1.0f;
    int repeat_last_n = 64;
    uint64_t seed = 0;
    uint32_t ctx = 0;
    double memory_limit_mib = 0;
    int threads = 0;
    std::vector<std::string> stop;
    bool no_bos = false;
    bool special = false;
    bool quiet = false;
};

void progress(uint64_t done, uint64_t total, void*) {
    const int width = 40;
    const int filled = total ? (int)((double)done / (double)total * width) : width;
    std::fprintf(stderr, "\rloading [%.*s%*s] %5.1f%%", filled, "########################################",
                 width - filled, "", total ? 100.0 * (double)done / (double)total : 100.0);
    if (done >= total) std::fprintf(stderr, "\n");
}

bool print_text(const char* text, size_t length, void*) {
    std::fwrite(text, 1, length, stdout);
    std::fflush(stdout);
    return true;
}

int fail_with(const char* what) {
    std::fprintf(stderr, "akunu: %s: %s\n", what, akunu_last_error());
    return 1;
}

const char* stop_reason_name(akunu_stop_reason r) {
    switch (r) {
        case AKUNU_STOP_MAX_TOKENS: return "max tokens";
        case AKUNU_STOP_EOS: return "end of generation token";
        case AKUNU_STOP_STRING: return "stop string";
        case AKUNU_STOP_CALLBACK: return "callback";
        case AKUNU_STOP_CONTEXT_FULL: return "context full";
    }
    return "?";
}

int run(const RunArgs& a) {
    akunu_load_params lp = akunu_default_load_params();
    lp.max_context = a.ctx;
    lp.n_threads = a.threads;
    lp.memory_limit_bytes = (uint64_t)(a.memory_limit_mib * 1048576.0);
    lp.weight_type = a.quantize.c_str();
    lp.kv_type = a.kv_type.c_str();
    if (isatty(STDERR_FILENO) && !a.quiet) lp.progress = progress;

    akunu_model* model = nullptr;
    const akunu_status st = a.synthetic.empty() ? akunu_load_model(a.model.c_str(), &lp, &model)
                                                : akunu_load_synthetic(a.synthetic.c_str(), &lp, &model);
    if (st != AKUNU_OK) return fail_with("cannot load the model");

    akunu_model_info info;
    akunu_memory mem;
    akunu_get_model_info(model, &info);
    akunu_model_memory(model, &mem);
    if (!a.quiet) {
        std::fprintf(stderr,
                     "model: %s (%s, %s, %u layers, dim %u, %.2f M params) on %s, context %u, "
                     "weights %.1f MiB + KV %.1f MiB (%s) + scratch %.1f MiB, build %s\n",
                     info.name, info.architecture, info.weight_type, info.n_layers, info.dim,
                     (double)info.n_params / 1e6, info.backend, info.max_context,
                     (double)mem.weight_bytes / 1048576.0, (double)mem.kv_cache_bytes / 1048576.0, info.kv_type,
                     (double)mem.scratch_bytes / 1048576.0, akunu_build_commit());
    }

    akunu_sampling_params sp = akunu_default_sampling_params();
    sp.temperature = a.temp;
    sp.top_k = a.top_k;
    sp.top_p = a.top_p;
    sp.min_p = a.min_p;
    sp.repeat_penalty = a.repeat_penalty;
    sp.repeat_last_n = a.repeat_last_n;
    sp.seed = a.seed;
    sp.max_tokens = a.n_predict;
    sp.add_bos = !a.no_bos;
    sp.parse_special = a.special;
    std::vector<const char*> stops;
    for (const std::string& s : a.stop) stops.push_back(s.c_str());
    sp.stop = stops.empty() ? nullptr : stops.data();
    sp.n_stop = (int32_t)stops.size();

    std::fwrite(a.prompt.data(), 1, a.prompt.size(), stdout);
    std::fflush(stdout);
    akunu_generation_stats stats;
    if (akunu_generate(model, a.prompt.c_str(), &sp, print_text, nullptr, &stats) != AKUNU_OK) {
        std::printf("\n");
        const int rc = fail_with("generation failed");
        akunu_free_model(model);
        return rc;
    }
    std::printf("\n");
    std::fflush(stdout);
    if (!a.quiet) {
        std::fprintf(stderr,
                     "\nprompt: %d tokens, %.2f ms, %.2f tok/s\n"
                     "decode: %d tokens, %.2f ms, %.2f tok/s\n"
                     "ttft:   %.2f ms (prefill + one decode step)\n"
                     "peak memory: %.1f MiB, stopped by: %s\n",
                     stats.prompt_tokens, stats.prefill_ms, stats.prefill_tok_s, stats.generated_tokens,
                     stats.decode_ms, stats.decode_tok_s, stats.ttft_ms,
                     (double)stats.peak_memory_bytes / 1048576.0, stop_reason_name(stats.stop_reason));
    }
    akunu_free_model(model);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"akunu: run GGUF language models and measure them"};
    app.require_subcommand(1);

    RunArgs a;
    CLI::App* run_cmd = app.add_subcommand("run", "generate text from a prompt");
    run_cmd->add_option("model", a.model, "GGUF file or Hugging Face folder");
    run_cmd->add_option("--synthetic", a.synthetic, "random-weight model PRESET[:TYPE] instead of a file");
    run_cmd->add_option("--quantize", a.quantize, "convert a Hugging Face folder's weights at load (q8_0, q4_0, q4_k, f16, ...)");
    run_cmd->add_option("-p,--prompt", a.prompt, "prompt text")->capture_default_str();
    run_cmd->add_option("-n,--n-predict", a.n_predict, "tokens to generate")->capture_default_str()->check(CLI::NonNegativeNumber);
    run_cmd->add_option("--temp", a.temp, "temperature (0: greedy)")->capture_default_str()->check(CLI::NonNegativeNumber);
    run_cmd->add_option("--top-k", a.top_k, "top-k (0: off)")->capture_default_str();
    run_cmd->add_option("--top-p", a.top_p, "top-p (1: off)")->capture_default_str();
    run_cmd->add_option("--min-p", a.min_p, "min-p (0: off)")->capture_default_str();
    run_cmd->add_option("--repeat-penalty", a.repeat_penalty, "repetition penalty (1: off)")->capture_default_str();
    run_cmd->add_option("--repeat-last-n", a.repeat_last_n, "tokens the penalty looks back over")->capture_default_str();
    run_cmd->add_option("--seed", a.seed, "sampling seed")->capture_default_str();
    run_cmd->add_option("-c,--ctx", a.ctx, "context size (0: the model's, at most 4096)")->capture_default_str();
    run_cmd->add_option("--kv-type", a.kv_type, "KV cache type: f32 or f16 (default: f16 on CUDA, f32 on CPU)");
    run_cmd->add_option("-t,--threads", a.threads, "CPU threads (0: all cores)")->capture_default_str()->check(CLI::NonNegativeNumber);
    run_cmd->add_option("--stop", a.stop, "stop string (repeatable)");
    run_cmd->add_option("--memory-limit", a.memory_limit_mib, "memory budget in MiB (0: what is available)")
        ->check(CLI::NonNegativeNumber);
    run_cmd->add_flag("--no-bos", a.no_bos, "do not add BOS even if the vocabulary asks for it");
    run_cmd->add_flag("--special", a.special, "parse special-token text in the prompt");
    run_cmd->add_flag("-q,--quiet", a.quiet, "print only the text");

    akunu_cli::ChatArgs c;
    CLI::App* chat_cmd = app.add_subcommand("chat", "talk with a chat model (/reset, /stats, /exit)");
    chat_cmd->add_option("model", c.model, "GGUF file or Hugging Face folder");
    chat_cmd->add_option("--synthetic", c.synthetic, "random-weight model PRESET[:TYPE] instead of a file");
    chat_cmd->add_option("--quantize", c.quantize, "convert a Hugging Face folder's weights at load (q8_0, q4_0, q4_k, f16, ...)");
    chat_cmd->add_option("--template", c.template_path, "Jinja chat template file (default: the model's tokenizer.chat_template)");
    chat_cmd->add_option("--system", c.system, "system message the conversation starts with");
    chat_cmd->add_option("-n,--n-predict", c.n_predict, "most tokens per reply")->capture_default_str()->check(CLI::PositiveNumber);
    chat_cmd->add_option("--temp", c.temp, "temperature (0: greedy)")->capture_default_str()->check(CLI::NonNegativeNumber);
    chat_cmd->add_option("--top-k", c.top_k, "top-k (0: off)")->capture_default_str();
    chat_cmd->add_option("--top-p", c.top_p, "top-p (1: off)")->capture_default_str();
    chat_cmd->add_option("--min-p", c.min_p, "min-p (0: off)")->capture_default_str();
    chat_cmd->add_option("--repeat-penalty", c.repeat_penalty, "repetition penalty (1: off)")->capture_default_str();
    chat_cmd->add_option("--repeat-last-n", c.repeat_last_n, "tokens the penalty looks back over")->capture_default_str();
    chat_cmd->add_option("--seed", c.seed, "sampling seed")->capture_default_str();
    chat_cmd->add_option("-c,--ctx", c.ctx, "context size (0: the model's, at most 4096)")->capture_default_str();
    chat_cmd->add_option("--kv-type", c.kv_type, "KV cache type: f32 or f16 (default: f16 on CUDA, f32 on CPU)");
    chat_cmd->add_option("-t,--threads", c.threads, "CPU threads (0: all cores)")->capture_default_str()->check(CLI::NonNegativeNumber);
    chat_cmd->add_option("--memory-limit", c.memory_limit_mib, "memory budget in MiB (0: what is available)")
        ->check(CLI::NonNegativeNumber);
    chat_cmd->add_flag("-q,--quiet", c.quiet, "print only the replies");

    std::string synth_spec, synth_out;
    CLI::App* synth_cmd = app.add_subcommand("synth", "write a synthetic random-weight model as GGUF");
    synth_cmd->add_option("spec", synth_spec, "PRESET[:TYPE], e.g. qwen3-0.6b:q4_0")->required();
    synth_cmd->add_option("output", synth_out, "output .gguf path")->required();

    std::string convert_in, convert_out, convert_type;
    CLI::App* convert_cmd = app.add_subcommand("convert", "write a Hugging Face model folder as GGUF (llama.cpp loads it too)");
    convert_cmd->add_option("folder", convert_in, "Hugging Face folder: config.json, *.safetensors, tokenizer.json")->required();
    convert_cmd->add_option("output", convert_out, "output .gguf path")->required();
    convert_cmd->add_option("--type", convert_type, "2-D weight type: f32, f16, bf16, q8_0, q4_0, q4_k (default: as stored)");

    CLI11_PARSE(app, argc, argv);

    if (run_cmd->parsed()) {
        if (a.model.empty() == a.synthetic.empty()) {
            std::fprintf(stderr, "akunu run: give either MODEL or --synthetic PRESET[:TYPE]\n%s",
                         run_cmd->help().c_str());
            return 2;
        }
        return run(a);
    }
    if (chat_cmd->parsed()) {
        if (c.model.empty() == c.synthetic.empty()) {
            std::fprintf(stderr, "akunu chat: give either MODEL or --synthetic PRESET[:TYPE]\n%s",
                         chat_cmd->help().c_str());
            return 2;
        }
        c.has_system = chat_cmd->count("--system") > 0;
        return akunu_cli::run_chat(c);
    }
    if (synth_cmd->parsed()) {
        if (akunu_write_synthetic(synth_spec.c_str(), synth_out.c_str()) != AKUNU_OK) {
            return fail_with("cannot write the synthetic model");
        }
        std::fprintf(stderr, "wrote %s\n", synth_out.c_str());
        return 0;
    }
    if (convert_cmd->parsed()) {
        if (akunu_convert_model(convert_in.c_str(), convert_out.c_str(), convert_type.c_str()) != AKUNU_OK) {
            return fail_with("cannot convert the model");
        }
        std::fprintf(stderr, "wrote %s\n", convert_out.c_str());
        return 0;
    }
    return 2;
}
