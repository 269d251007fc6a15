// akunu_bench: prefill and decode throughput in llama-bench's shape, plus the columns the seed
// asks for (effective GB/s and % of the device's measured peak), and an optional side-by-side run
// of llama-bench on the same file. Argument parsing and printing only; the methodology lives in
// src/profile/bench_runner.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "akunu/akunu.h"
#include "model_owner.h"
#include "core/error.h"
#include "profile/bench_record.h"
#include "profile/bench_runner.h"
#include "profile/llama_bench_peer.h"
#include "profile/param_list.h"
#include "profile/peak_bandwidth.h"
#include "profile/system_monitor.h"

namespace {

struct Args {
    std::string model;
    std::string synthetic;
    std::string quantize;  // a Hugging Face folder's weights converted to this type at load
    std::string pp = "512";
    std::string tg = "128";
    std::vector<std::string> pg;
    std::string depth = "0";
    std::string threads = "0";
    int reps = 5;
    std::string backend = "auto";
    std::string decode = "chain";
    std::string output = "md";
    std::string compare;
    uint32_t ctx = 0;
    bool roofline = false;
    bool refresh_peak = false;
    bool no_peak = false;
    bool exact = false;
    std::string kv_type;  // --kv-type
    std::string ctk, ctv;  // llama-bench's -ctk / -ctv: akunu has one type for both, so they must agree
};

// The one KV cache type the flags name ("" when none does: the backend's default). llama-bench
// takes K and V types apart; akunu's cache has one type, so differing values are an error rather
// than a silent choice of one of them.
std::string kv_type_of(const Args& a) {
    std::string chosen, from;
    for (const auto& [flag, value] : {std::pair<const char*, const std::string&>{"--kv-type", a.kv_type},
                                      {"-ctk", a.ctk}, {"-ctv", a.ctv}}) {
        if (value.empty()) continue;
        if (chosen.empty()) {
            chosen = value;
            from = flag;
        } else if (value != chosen) {
            throw akunu::Error(akunu::ErrorKind::InvalidArgument,
                               std::string(from) + " " + chosen + " and " + flag + " " + value +
                                   " differ: akunu's KV cache has one type for K and V (f32 or f16)");
        }
    }
    return chosen;
}

akunu_backend_kind backend_kind(const std::string& s) {
    if (s == "cpu") return AKUNU_BACKEND_CPU;
    if (s == "cuda") return AKUNU_BACKEND_CUDA;
    return AKUNU_BACKEND_AUTO;
}

struct TempFile {
    std::string path;
    ~TempFile() {
        if (!path.empty()) ::unlink(path.c_str());
    }
};

void print_roofline(const std::vector<akunu::BenchRecord>& records) {
    for (const akunu::BenchRecord& r : records) {
        if (r.engine != "akunu" || r.n_gen == 0 || r.n_prompt > 0 || r.bytes_per_token <= 0) continue;
        std::fprintf(stderr, "roofline %s %s: %.1f MiB read per token", r.model_desc.c_str(), r.test.c_str(),
                     r.bytes_per_token / 1048576.0);
        if (r.peak_bandwidth_gbs > 0) {
            const double max_ts = r.peak_bandwidth_gbs * 1e9 / r.bytes_per_token;
            std::fprintf(stderr, ", limit %.1f tok/s at %.1f GB/s (%s); achieved %.2f tok/s = %.1f%% of the limit\n",
                         max_ts, r.peak_bandwidth_gbs, r.peak_bandwidth_source.c_str(), r.mean_ts,
                         100.0 * r.mean_ts / max_ts);
        } else {
            std::fprintf(stderr, "; peak bandwidth unknown (run without --no-peak)\n");
        }
    }
}

int run(const Args& a) {
    using namespace akunu;
    ReportFormat format;
    if (!parse_report_format(a.output, &format)) {
        std::fprintf(stderr, "akunu_bench: unknown output format '%s' (md, csv, json, jsonl, sql)\n", a.output.c_str());
        return 2;
    }
    const std::vector<int64_t> pps = parse_int_list(a.pp);
    const std::vector<int64_t> tgs = parse_int_list(a.tg);
    const std::vector<int64_t> depths = parse_int_list(a.depth);
    const std::vector<int64_t> threads = parse_int_list(a.threads);
    std::vector<std::pair<int64_t, int64_t>> pgs;
    for (const std::string& s : a.pg) pgs.push_back(parse_int_pair(s));
    // --decode is a comma list of "chain" and "step", each at most once.
    std::vector<bool> step_modes;
    {
        std::stringstream list(a.decode);
        std::string item;
        bool ok = !a.decode.empty() && a.decode.back() != ',';
        while (ok && std::getline(list, item, ',')) {
            const bool step = item == "step";
            ok = (item == "chain" || step) && std::find(step_modes.begin(), step_modes.end(), step) == step_modes.end();
            step_modes.push_back(step);
        }
        if (!ok) {
            std::fprintf(stderr, "akunu_bench: --decode takes chain, step or chain,step (got '%s')\n", a.decode.c_str());
            return 2;
        }
    }

    // llama-bench's order: every pp, then every tg, then every pg, at each depth.
    std::vector<BenchTest> tests;
    for (int64_t d : depths) {
        for (int64_t p : pps) {
            if (p > 0) tests.push_back({p, 0, d, false});
        }
        for (int64_t n : tgs) {
            if (n <= 0) continue;
            for (bool step : step_modes) tests.push_back({0, n, d, step});
        }
        for (auto [p, n] : pgs) {
            for (bool step : step_modes) tests.push_back({p, n, d, step});
        }
    }
    if (tests.empty()) {
        std::fprintf(stderr, "akunu_bench: nothing to run (all -p and -n values are 0)\n");
        return 2;
    }
    int64_t needed = 1;
    for (const BenchTest& t : tests) needed = std::max(needed, t.depth + std::max<int64_t>(t.n_prompt, 1) + t.n_gen);
    // The engine caps a context at 16M positions and threads at what an int holds; say so here
    // rather than letting a cast wrap the value.
    if (needed > (int64_t)(1 << 24)) {
        std::fprintf(stderr, "akunu_bench: the tests need %lld positions; the limit is %d\n", (long long)needed, 1 << 24);
        return 2;
    }
    for (int64_t nt : threads) {
        if (nt > 4096) {
            std::fprintf(stderr, "akunu_bench: -t %lld is more threads than any machine has\n", (long long)nt);
            return 2;
        }
    }

    // A synthetic model that llama-bench must also read goes through a temporary file.
    std::string model_path = a.model;
    TempFile temp;
    if (!a.synthetic.empty() && !a.compare.empty()) {
        const char* tmp = std::getenv("TMPDIR");
        temp.path = std::string(tmp && *tmp ? tmp : "/tmp") + "/akunu-bench-" + std::to_string(::getpid()) + ".gguf";
        if (akunu_write_synthetic(a.synthetic.c_str(), temp.path.c_str()) != AKUNU_OK) {
            std::fprintf(stderr, "akunu_bench: cannot write the synthetic model: %s\n", akunu_last_error());
            return 1;
        }
        model_path = temp.path;
    }
    // A Hugging Face folder is converted once, to a temporary GGUF that every thread count loads and
    // that llama-bench reads too: both engines then measure the same file, and the conversion is not
    // repeated per -t value.
    std::string quantize = a.quantize;
    const std::string kv_type = kv_type_of(a);
    if (!a.model.empty() && std::filesystem::is_directory(a.model)) {
        const char* tmp = std::getenv("TMPDIR");
        temp.path = std::string(tmp && *tmp ? tmp : "/tmp") + "/akunu-bench-" + std::to_string(::getpid()) + ".gguf";
        if (akunu_convert_model(a.model.c_str(), temp.path.c_str(), quantize.empty() ? nullptr : quantize.c_str()) !=
            AKUNU_OK) {
            std::fprintf(stderr, "akunu_bench: cannot convert %s: %s\n", a.model.c_str(), akunu_last_error());
            return 1;
        }
        model_path = temp.path;
        quantize.clear();
    }
    const bool converted = !a.model.empty() && model_path != a.model;
    const std::string model_label = model_path.empty() ? "synthetic:" + a.synthetic : converted ? a.model : model_path;

    std::vector<BenchRecord> records;
    for (int64_t nt : threads) {
        akunu_load_params lp = akunu_default_load_params();
        lp.n_threads = (int32_t)nt;
        lp.weight_type = quantize.empty() ? nullptr : quantize.c_str();
        lp.backend = backend_kind(a.backend);
        lp.max_context = a.ctx ? a.ctx : (uint32_t)needed;
        lp.exact_activations = a.exact;
        lp.kv_type = kv_type.c_str();
        akunu_model* model = nullptr;
        const akunu_status st = model_path.empty() ? akunu_load_synthetic(a.synthetic.c_str(), &lp, &model)
                                                   : akunu_load_model(model_path.c_str(), &lp, &model);
        if (st != AKUNU_OK) {
            std::fprintf(stderr, "akunu_bench: cannot load %s: %s\n", model_label.c_str(), akunu_last_error());
            return 1;
        }
        ModelOwner owner(model);
        BenchContext ctx = make_bench_context(model, model_label);
        akunu_model_info info;
        if (akunu_get_model_info(model, &info) != AKUNU_OK) throw Error(ErrorKind::Internal, akunu_last_error());
        if (!a.no_peak) {
            const std::string key = std::string(ctx.device.backend) + "|" + ctx.device.device + "|" +
                                    std::to_string(ctx.device.n_threads) + " threads";
            const PeakBandwidth peak = measured_peak_bandwidth(key, a.refresh_peak, [&] {
                double gbs = 0;
                if (akunu_measure_read_bandwidth(model, &gbs) != AKUNU_OK) throw Error(ErrorKind::Internal, akunu_last_error());
                return gbs;
            });
            ctx.peak_gbs = peak.gbs;
            ctx.peak_source = peak.source;
        }
        std::fprintf(stderr, "akunu_bench %s | %s %s, %d threads, isa %s, %s activations, KV %s | peak read %.1f GB/s (%s) | %s\n",
                     akunu_build_commit(), ctx.device.backend, ctx.device.device, ctx.device.n_threads,
                     ctx.device.isa, a.exact ? "exact f32" : "rounded (q8 / f16)", info.kv_type, ctx.peak_gbs, ctx.peak_source.empty() ? "not measured" : ctx.peak_source.c_str(),
                     describe_snapshot(take_system_snapshot()).c_str());
        if (!a.compare.empty() && std::string(info.kv_type) == "f32") {
            std::fprintf(stderr, "note: llama-bench has no f32 KV cache: it runs its default f16 cache while akunu runs "
                                 "f32 (--kv-type f16 compares like for like)\n");
        }
        for (const BenchTest& t : tests) {
            BenchRecord r = run_bench_test(model, ctx, t, a.reps);
            for (const std::string& w : r.warnings) std::fprintf(stderr, "warning: %s: %s\n", r.test.c_str(), w.c_str());
            if (!a.compare.empty()) {
                PeerSettings peer;
                peer.executable = a.compare;
                peer.model_path = model_path;
                peer.threads = ctx.device.n_threads;
                peer.gpu = std::string(ctx.device.backend) == "cuda";
                peer.reps = a.reps;
                // llama-bench names no f32 cache type (-ctk f32 exits 1): with akunu on f32 it runs its
                // f16 default, and the header line says so.
                peer.kv_type = std::string(info.kv_type) == "f32" ? "" : info.kv_type;
                BenchTest peer_test = t;
                peer_test.step_decode = false;
                BenchRecord p = run_llama_bench(peer, peer_test);
                p.peak_bandwidth_gbs = r.peak_bandwidth_gbs;
                p.peak_bandwidth_source = r.peak_bandwidth_source;
                p.bytes_per_token = r.bytes_per_token;
                if (p.bytes_per_token > 0) {
                    p.gbs = p.bytes_per_token * p.mean_ts / 1e9;
                    p.pct_peak = p.peak_bandwidth_gbs > 0 ? 100.0 * p.gbs / p.peak_bandwidth_gbs : 0;
                }
                if (p.mean_ts > 0) r.ratio = r.mean_ts / p.mean_ts;
                records.push_back(r);
                records.push_back(p);
            } else {
                records.push_back(r);
            }
        }
        owner.reset();
    }
    write_report(std::cout, format, records);
    if (a.roofline) print_roofline(records);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    Args a;
    CLI::App app{"akunu_bench: prefill and decode throughput, llama-bench compatible"};
    app.add_option("model_path", a.model, "GGUF file or Hugging Face folder");
    app.add_option("-m,--model", a.model, "GGUF file (as llama-bench takes it)");
    app.add_option("--synthetic", a.synthetic, "random-weight model PRESET[:TYPE] instead of a file");
    app.add_option("--quantize", a.quantize, "convert a Hugging Face folder's weights at load (q8_0, q4_0, q4_k, f16, ...)");
    app.add_option("-p,--pp", a.pp, "prompt lengths: N, N,M,..., FIRST-LAST+STEP, FIRST-LAST*MULT")->capture_default_str();
    app.add_option("-n,--tg", a.tg, "generated tokens (same list syntax)")->capture_default_str();
    app.add_option("--pg", a.pg, "prompt then generation P,N (repeatable)");
    app.add_option("-r,--reps", a.reps, "repetitions per test")->capture_default_str()->check(CLI::Range(1, 1000000));
    app.add_option("-d,--depth", a.depth, "tokens in the KV cache before each test (list)")->capture_default_str();
    app.add_option("-t,--threads", a.threads, "CPU threads (list; 0: all cores)")->capture_default_str();
    app.add_option("--backend", a.backend, "cpu, cuda or auto")->capture_default_str()->check(CLI::IsMember({"cpu", "cuda", "auto"}));
    app.add_option("--decode", a.decode, "chain, step or chain,step")->capture_default_str();
    app.add_option("-o,--output", a.output, "md, csv, json, jsonl or sql")->capture_default_str();
    app.add_option("-c,--ctx", a.ctx, "context size (default: what the tests need)");
    app.add_option("--compare-llama-bench", a.compare, "path of llama-bench: run it on the same file, interleaved");
    app.add_flag("--roofline", a.roofline, "print the bandwidth roofline of each decode test");
    app.add_flag("--refresh-peak", a.refresh_peak, "measure the peak bandwidth again instead of using the cache");
    app.add_flag("--no-peak", a.no_peak, "do not measure the peak bandwidth (no % of peak)");
    app.add_option("--kv-type", a.kv_type, "KV cache type: f32 or f16 (default: f16 on CUDA, f32 on CPU)");
    app.add_option("--cache-type-k", a.ctk, "llama-bench's -ctk: the K cache type (must equal -ctv)");
    app.add_option("--cache-type-v", a.ctv, "llama-bench's -ctv: the V cache type (must equal -ctk)");
    app.add_flag("--exact", a.exact, "f32 activations in every MatMul (the reference path) instead of the fast rounded ones");
    // llama-bench spells it -pg; CLI11 has no two-letter short options, so accept that spelling here.
    std::vector<std::string> args(argv, argv + argc);
    for (std::string& s : args) {
        if (s == "-pg") s = "--pg";
        if (s == "-ctk") s = "--cache-type-k";
        if (s == "-ctv") s = "--cache-type-v";
    }
    std::vector<char*> argv2;
    for (std::string& s : args) argv2.push_back(s.data());
    try {
        app.parse((int)argv2.size(), argv2.data());
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    if (a.model.empty() == a.synthetic.empty()) {
        std::fprintf(stderr, "akunu_bench: give either MODEL or --synthetic PRESET[:TYPE]\n\n%s", app.help().c_str());
        return 2;
    }
    try {
        return run(a);
    } catch (const akunu::Error& e) {
        std::fprintf(stderr, "akunu_bench: %s\n", e.what());
        return e.kind() == akunu::ErrorKind::InvalidArgument ? 2 : 1;
    }
}
