// akunu_benchmark: the seed's end-to-end benchmark. Three real prompts (short, medium, long) through
// akunu_generate, then a standalone greedy chain decode with effective GB/s and % of peak.
// Argument parsing, model loading and the choice of context only; the measurement lives in
// src/profile/e2e_benchmark and the printing in src/profile/e2e_report.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <string>

#include "akunu/akunu.h"
#include "model_owner.h"
#include "core/error.h"
#include "profile/benchmark_prompts.h"
#include "profile/e2e_benchmark.h"
#include "profile/e2e_report.h"
#include "profile/peak_bandwidth.h"

namespace {

struct Args {
    std::string model;
    std::string synthetic;
    std::string quantize;  // a Hugging Face folder's weights converted to this type at load
    std::string kv_type;   // empty: the backend's default
    int32_t n_predict = 128;
    float temp = 0;
    int32_t threads = 0;
    std::string backend = "auto";
    uint32_t ctx = 0;
    int reps = 3;
    std::string output = "md";
    bool no_peak = false;
    bool refresh_peak = false;
};

akunu_backend_kind backend_kind(const std::string& s) {
    if (s == "cpu") return AKUNU_BACKEND_CPU;
    if (s == "cuda") return AKUNU_BACKEND_CUDA;
    return AKUNU_BACKEND_AUTO;
}

akunu_model* load(const Args& a, uint32_t max_context) {
    akunu_load_params lp = akunu_default_load_params();
    lp.n_threads = a.threads;
    lp.weight_type = a.quantize.c_str();
    lp.kv_type = a.kv_type.c_str();
    lp.backend = backend_kind(a.backend);
    lp.max_context = max_context;
    akunu_model* model = nullptr;
    const akunu_status st = a.synthetic.empty() ? akunu_load_model(a.model.c_str(), &lp, &model)
                                                : akunu_load_synthetic(a.synthetic.c_str(), &lp, &model);
    return st == AKUNU_OK ? model : nullptr;
}

int run(const Args& a) {
    using namespace akunu;
    const std::string label = a.synthetic.empty() ? a.model : "synthetic:" + a.synthetic;
    E2ESettings s;
    s.n_predict = a.n_predict;
    s.temperature = a.temp;
    s.reps = a.reps;

    // The default context depends on the prompts' token counts, which need the model's tokenizer:
    // a first load with a one-position cache reads the tokenizer and the trained context, then the
    // model is loaded again with exactly what the run needs. A default-sized (4096) probe would
    // instead leave its KV cache in the process peak RSS that the report gives as peak memory.
    uint32_t context = a.ctx;
    if (context == 0) {
        akunu_model* probe = load(a, 1);
        if (!probe) {
            std::fprintf(stderr, "akunu_benchmark: cannot load %s: %s\n", label.c_str(), akunu_last_error());
            return 1;
        }
        ModelOwner probe_owner(probe);
        context = needed_context(probe, benchmark_prompts(), s);
    }
    akunu_model* model = load(a, context);
    if (!model) {
        std::fprintf(stderr, "akunu_benchmark: cannot load %s: %s\n", label.c_str(), akunu_last_error());
        return 1;
    }
    ModelOwner owner(model);

    E2EReport report = run_e2e_benchmark(model, make_bench_context(model, label), benchmark_prompts(), s);
    if (!a.no_peak) {
        // After the run, so the measurement's large buffer does not become the reported peak memory.
        const akunu_device_info& d = report.ctx.device;
        const std::string key = std::string(d.backend) + "|" + d.device + "|" + std::to_string(d.n_threads) + " threads";
        const PeakBandwidth peak = measured_peak_bandwidth(key, a.refresh_peak, [&] {
            double gbs = 0;
            if (akunu_measure_read_bandwidth(model, &gbs) != AKUNU_OK) throw Error(ErrorKind::Internal, akunu_last_error());
            return gbs;
        });
        set_peak_bandwidth(report, peak.gbs, peak.source);
    }
    owner.reset();

    if (a.output == "json") {
        // stdout carries the document alone; people still see the header and warnings.
        std::fprintf(stderr, "%s\n", e2e_header(report, label).c_str());
        for (const std::string& w : report.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
        write_e2e_json(std::cout, report, label);
    } else {
        write_e2e_markdown(std::cout, report, label);
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    Args a;
    CLI::App app{"akunu_benchmark: end-to-end generation with real short, medium and long prompts"};
    app.add_option("model", a.model, "GGUF file or Hugging Face folder");
    app.add_option("--synthetic", a.synthetic, "random-weight model PRESET[:TYPE] instead of a file");
    app.add_option("--kv-type", a.kv_type, "KV cache type: f32 or f16 (default: f16 on CUDA, f32 on CPU)");
    app.add_option("--quantize", a.quantize, "convert a Hugging Face folder's weights at load (q8_0, q4_0, q4_k, f16, ...)");
    app.add_option("-n,--n-predict", a.n_predict, "tokens generated per prompt")->capture_default_str()->check(CLI::Range(1, 1 << 20));
    app.add_option("--temp", a.temp, "sampling temperature (0: greedy)")->capture_default_str()->check(CLI::Range(0.0f, 100.0f));
    app.add_option("-t,--threads", a.threads, "CPU threads (0: all cores)")->capture_default_str()->check(CLI::Range(0, 4096));
    app.add_option("--backend", a.backend, "cpu, cuda or auto")->capture_default_str()->check(CLI::IsMember({"cpu", "cuda", "auto"}));
    app.add_option("-c,--ctx", a.ctx, "context size (default: the long prompt + n, capped by the model's)");
    app.add_option("-r,--reps", a.reps, "repetitions per prompt (mean reported)")->capture_default_str()->check(CLI::Range(1, 1000000));
    app.add_option("-o,--output", a.output, "md or json")->capture_default_str()->check(CLI::IsMember({"md", "json"}));
    app.add_flag("--no-peak", a.no_peak, "do not measure the peak bandwidth (no % of peak)");
    app.add_flag("--refresh-peak", a.refresh_peak, "measure the peak bandwidth again instead of using the cache");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    if (a.model.empty() == a.synthetic.empty()) {
        std::fprintf(stderr, "akunu_benchmark: give either MODEL or --synthetic PRESET[:TYPE]\n\n%s", app.help().c_str());
        return 2;
    }
    try {
        return run(a);
    } catch (const akunu::Error& e) {
        std::fprintf(stderr, "akunu_benchmark: %s\n", e.what());
        return e.kind() == akunu::ErrorKind::InvalidArgument ? 2 : 1;
    }
}
