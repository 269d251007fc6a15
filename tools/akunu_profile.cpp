// akunu_profile: where the time of a decode step goes, command by command, with the bytes each
// moves, GB/s and % of the device's peak; attention's share across context depths; a Chrome
// trace; a roofline SVG; and --diagnose, which walks the seed's flowcharts. Printing only.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "akunu/akunu.h"
#include "model_owner.h"
#include "core/error.h"
#include "profile/bench_runner.h"
#include "profile/diagnose.h"
#include "profile/kernel_profile.h"
#include "profile/param_list.h"
#include "profile/peak_bandwidth.h"
#include "profile/roofline.h"
#include "profile/system_monitor.h"

namespace {

struct Args {
    std::string model;
    std::string synthetic;
    std::string quantize;  // a Hugging Face folder's weights converted to this type at load
    std::string kv_type;   // empty: the backend's default
    int tokens = 5;
    int depth = 1;
    std::string group = "kernel";
    std::string ctx_sweep;
    std::string trace;
    std::string svg;
    bool diagnose = false;
    int threads = 0;
    std::string backend = "auto";
    bool no_peak = false;
    bool refresh_peak = false;
    int top = 0;
};

void print_table(const std::vector<akunu::KernelRow>& rows, const akunu::KernelProfile& p, double peak_gbs,
                 size_t limit) {
    std::printf("%-34s %10s %11s %10s %7s %10s %8s %7s\n", "Kernel", "Dispatches", "Total (ms)", "Avg (ms)", "% time",
                "MB/token", "GB/s", "% peak");
    std::printf("%s\n", std::string(104, '-').c_str());
    size_t shown = 0;
    for (const akunu::KernelRow& r : rows) {
        if (limit > 0 && shown++ >= limit) break;
        const double gbs = r.total_ms > 0 ? r.bytes / (r.total_ms / 1000.0) / 1e9 : 0;
        const double mb_per_token = r.dispatches > 0 ? r.bytes / (double)p.tokens / 1e6 : 0;
        char peak[16] = "";
        if (peak_gbs > 0) std::snprintf(peak, sizeof(peak), "%.1f%%", 100.0 * gbs / peak_gbs);
        std::printf("%-34s %10lld %11.3f %10.4f %6.1f%% %10.3f %8.2f %7s\n", r.label.c_str(), (long long)r.dispatches,
                    r.total_ms, r.dispatches ? r.total_ms / (double)r.dispatches : 0.0,
                    p.sum_ms > 0 ? 100.0 * r.total_ms / p.sum_ms : 0.0, mb_per_token, gbs, peak);
    }
}

int run(const Args& a) {
    using namespace akunu;
    if (a.group != "kernel" && a.group != "op") {
        std::fprintf(stderr, "akunu_profile: --group takes kernel or op\n");
        return 2;
    }
    std::vector<int64_t> sweep;
    if (!a.ctx_sweep.empty()) sweep = parse_int_list(a.ctx_sweep);
    int64_t needed = a.depth + a.tokens + 16;
    for (int64_t c : sweep) needed = std::max(needed, c + a.tokens + 16);
    if (a.diagnose) needed = std::max<int64_t>(needed, 512 + 16);

    akunu_load_params lp = akunu_default_load_params();
    lp.n_threads = a.threads;
    lp.weight_type = a.quantize.c_str();
    lp.kv_type = a.kv_type.c_str();
    lp.backend = a.backend == "cpu" ? AKUNU_BACKEND_CPU : a.backend == "cuda" ? AKUNU_BACKEND_CUDA : AKUNU_BACKEND_AUTO;
    lp.max_context = (uint32_t)needed;
    akunu_model* model = nullptr;
    const akunu_status st = a.synthetic.empty() ? akunu_load_model(a.model.c_str(), &lp, &model)
                                                : akunu_load_synthetic(a.synthetic.c_str(), &lp, &model);
    if (st != AKUNU_OK) {
        std::fprintf(stderr, "akunu_profile: cannot load the model: %s\n", akunu_last_error());
        return 1;
    }
    ModelOwner owner(model);
    const BenchContext ctx = make_bench_context(model, a.synthetic.empty() ? a.model : "synthetic:" + a.synthetic);
    double peak = 0;
    std::string peak_source = "not measured";
    if (!a.no_peak) {
        const std::string key = std::string(ctx.device.backend) + "|" + ctx.device.device + "|" +
                                std::to_string(ctx.device.n_threads) + " threads";
        const PeakBandwidth pb = measured_peak_bandwidth(key, a.refresh_peak, [&] {
            double gbs = 0;
            if (akunu_measure_read_bandwidth(model, &gbs) != AKUNU_OK) throw Error(ErrorKind::Internal, akunu_last_error());
            return gbs;
        });
        peak = pb.gbs;
        peak_source = pb.source;
    }
    const SystemSnapshot before = take_system_snapshot();
    const KernelProfile prof = profile_decode(model, a.tokens, a.depth);
    const SystemSnapshot after = take_system_snapshot();

    std::printf("Per-kernel timing: %s on %s %s (%d threads, isa %s), build %s\n", ctx.model_desc.c_str(),
                ctx.device.backend, ctx.device.device, ctx.device.n_threads, ctx.device.isa, akunu_build_commit());
    std::printf("%d tokens at positions %d..%d; peak read bandwidth %.1f GB/s (%s); %s\n", prof.tokens,
                prof.start_position, prof.start_position + prof.tokens - 1, peak, peak_source.c_str(),
                describe_snapshot(after).c_str());
    std::printf("%s\n", std::string(104, '=').c_str());
    const std::vector<KernelRow> rows = sorted_by_time(a.group == "op" ? group_by_op(prof.rows) : prof.rows);
    print_table(rows, prof, peak, (size_t)a.top);
    const double per_step = prof.sum_ms / prof.tokens;
    std::printf("\nwarning: profiled mode runs and times each command on its own, which breaks batching; sum per "
                "step %.3f ms vs a normal decode step %.3f ms (%.2fx)\n",
                per_step, prof.normal_step_ms, prof.normal_step_ms > 0 ? per_step / prof.normal_step_ms : 0.0);
    for (const std::string& w : system_warnings(before, after, ctx.device.n_threads, ctx.device.n_cores)) {
        std::printf("warning: %s\n", w.c_str());
    }

    if (!sweep.empty()) {
        std::printf("\nAttention share of the decode step by context depth\n");
        std::printf("%10s %14s %16s %12s\n", "Context", "Step (ms)", "Attention (ms)", "% of step");
        for (int64_t c : sweep) {
            const KernelProfile sp = profile_decode(model, a.tokens, (int32_t)c);
            double att = 0;
            for (const KernelRow& r : sp.rows) {
                if (r.op == "attention") att += r.total_ms;
            }
            std::printf("%10lld %14.3f %16.3f %11.1f%%\n", (long long)c, sp.sum_ms / sp.tokens, att / sp.tokens,
                        sp.sum_ms > 0 ? 100.0 * att / sp.sum_ms : 0.0);
        }
    }
    if (!a.trace.empty()) {
        std::ofstream out(a.trace);
        out << chrome_trace_json(prof, ctx.model_desc);
        if (!out) {
            std::fprintf(stderr, "akunu_profile: cannot write %s\n", a.trace.c_str());
            return 1;
        }
        std::printf("\ntrace of one decode step written to %s (open in ui.perfetto.dev or chrome://tracing)\n", a.trace.c_str());
    }
    if (!a.svg.empty()) {
        const SystemSnapshot s = take_system_snapshot();
        const Roofs roofs = std::string(ctx.device.backend) == "cpu"
                                ? cpu_roofs(peak, ctx.device.n_threads, s.cpu_max_mhz > 0 ? s.cpu_max_mhz : s.cpu_mhz)
                                : Roofs{peak, 0, ""};
        std::ofstream out(a.svg);
        out << roofline_svg(group_by_op(prof.rows), roofs, "akunu roofline: " + ctx.model_desc + " decode, " + ctx.device.device);
        if (!out) {
            std::fprintf(stderr, "akunu_profile: cannot write %s\n", a.svg.c_str());
            return 1;
        }
        std::printf("roofline plot written to %s\n", a.svg.c_str());
    }
    if (a.diagnose) {
        DiagnoseInput in;
        in.profile = &prof;
        in.peak_gbs = peak;
        in.memory = ctx.memory;
        in.device = ctx.device;
        in.kv_bytes_per_position = ctx.kv_bytes_per_position;
        in.ttft = measure_ttft(model, {1, 64, 512});
        std::printf("\nDiagnosis\n");
        for (const Finding& f : diagnose(in)) {
            if (f.verdict.empty()) continue;
            std::printf("- [%s] %s\n", f.check.c_str(), f.verdict.c_str());
            if (!f.next.empty()) std::printf("    next: %s\n", f.next.c_str());
        }
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    Args a;
    CLI::App app{"akunu_profile: per-command timing of a decode step, with bytes, GB/s and % of peak"};
    app.add_option("model", a.model, "GGUF file or Hugging Face folder");
    app.add_option("--synthetic", a.synthetic, "random-weight model PRESET[:TYPE] instead of a file");
    app.add_option("--kv-type", a.kv_type, "KV cache type: f32 or f16 (default: f16 on CUDA, f32 on CPU)");
    app.add_option("--quantize", a.quantize, "convert a Hugging Face folder's weights at load (q8_0, q4_0, q4_k, f16, ...)");
    app.add_option("--tokens", a.tokens, "decode steps to profile")->capture_default_str()->check(CLI::Range(1, 100000));
    app.add_option("--depth", a.depth, "tokens in the KV cache before profiling")->capture_default_str()->check(CLI::Range(0, 1 << 24));
    app.add_option("--group", a.group, "kernel (each command) or op (summed by operation)")->capture_default_str();
    app.add_option("--ctx", a.ctx_sweep, "context depths for the attention-share sweep, e.g. 128,512,2048,4096");
    app.add_option("--trace", a.trace, "write a Chrome trace of one decode step");
    app.add_option("--svg", a.svg, "write a roofline plot of the profiled kernels");
    app.add_flag("--diagnose", a.diagnose, "walk the diagnostic flowcharts and print what to try next");
    app.add_option("-t,--threads", a.threads, "CPU threads (0: all cores)")->capture_default_str()->check(CLI::NonNegativeNumber);
    app.add_option("--backend", a.backend, "cpu, cuda or auto")->capture_default_str()->check(CLI::IsMember({"cpu", "cuda", "auto"}));
    app.add_option("--top", a.top, "show only the N slowest rows (0: all)")->capture_default_str()->check(CLI::NonNegativeNumber);
    app.add_flag("--no-peak", a.no_peak, "do not measure the peak bandwidth");
    app.add_flag("--refresh-peak", a.refresh_peak, "measure the peak bandwidth again instead of using the cache");
    CLI11_PARSE(app, argc, argv);
    if (a.model.empty() == a.synthetic.empty()) {
        std::fprintf(stderr, "akunu_profile: give either MODEL or --synthetic PRESET[:TYPE]\n\n%s", app.help().c_str());
        return 2;
    }
    try {
        return run(a);
    } catch (const akunu::Error& e) {
        std::fprintf(stderr, "akunu_profile: %s\n", e.what());
        return e.kind() == akunu::ErrorKind::InvalidArgument ? 2 : 1;
    }
}
