#include "profile/diagnose.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "core/error.h"

namespace akunu {
namespace {

std::string f(const char* fmt, double a, double b = 0, double c = 0) {
    char buf[256];
    std::snprintf(buf, sizeof(buf), fmt, a, b, c);
    return buf;
}

}  // namespace

std::vector<std::pair<int, double>> measure_ttft(akunu_model* model, const std::vector<int>& lengths) {
    akunu_model_info info;
    if (akunu_get_model_info(model, &info) != AKUNU_OK) fail(ErrorKind::Internal, "diagnose", akunu_last_error());
    const int32_t bos = info.bos_id >= 0 ? info.bos_id : 0;
    std::vector<std::pair<int, double>> out;
    for (int n : lengths) {
        if (n < 1 || (uint32_t)n + 1 >= info.max_context) continue;
        std::vector<int32_t> prompt((size_t)n, bos);
        double best = 1e300;
        for (int rep = 0; rep < 3; ++rep) {
            akunu_reset(model);
            int32_t next = 0;
            const auto t0 = std::chrono::steady_clock::now();
            if (akunu_prefill(model, prompt.data(), n, &next) != AKUNU_OK ||
                akunu_decode_step(model, next, &next) != AKUNU_OK) {
                fail(ErrorKind::Internal, "diagnose", akunu_last_error());
            }
            best = std::min(best, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
        }
        out.push_back({n, best});
    }
    return out;
}

std::vector<Finding> diagnose(const DiagnoseInput& in) {
    std::vector<Finding> out;
    const KernelProfile& p = *in.profile;
    const double step_ms = p.normal_step_ms;
    const double depth = p.start_position;
    const double bytes = (double)in.memory.weight_bytes + (depth + 1) * (double)in.kv_bytes_per_position;
    const double gbs = step_ms > 0 ? bytes / (step_ms / 1000.0) / 1e9 : 0;
    const double util = in.peak_gbs > 0 ? 100.0 * gbs / in.peak_gbs : 0;

    // 1. Bandwidth utilisation.
    Finding bw{"bandwidth", "", ""};
    if (in.peak_gbs <= 0) {
        bw.verdict = f("decode reads %.1f MiB per token in %.3f ms (%.1f GB/s); the peak bandwidth is unknown", bytes / 1048576.0, step_ms, gbs);
        bw.next = "run without --no-peak so the device's read peak is measured";
    } else if (util >= 70.0) {
        bw.verdict = f("decode runs at %.1f GB/s = %.0f%% of the measured peak: near optimal for this model and device", gbs, util);
        bw.next = "only a smaller model (fewer bytes per token) or a faster device goes faster";
    } else {
        bw.verdict = f("decode runs at %.1f GB/s = %.0f%% of the measured peak (%.1f GB/s): bandwidth is left on the table", gbs, util, in.peak_gbs);
    }
    out.push_back(bw);

    // 2. Idle gaps: time in a normal step that no kernel accounts for.
    const double kernels_per_step = p.tokens > 0 ? p.sum_ms / p.tokens : 0;
    Finding gaps{"idle gaps", "", ""};
    if (step_ms > 0 && kernels_per_step > 0) {
        const double gap = step_ms - kernels_per_step;
        const double share = 100.0 * gap / step_ms;
        if (share > 15.0) {
            gaps.verdict = f("a normal step takes %.3f ms but its kernels only %.3f ms: %.0f%% of the step is between kernels", step_ms, kernels_per_step, share);
            gaps.next = f("dispatch overhead dominates: raise chain_chunk (now %.0f), fuse small commands, or cut the command count", in.device.chain_chunk);
        } else {
            gaps.verdict = f("kernels account for the whole step (%.3f of %.3f ms): no idle gaps", kernels_per_step, step_ms);
            if (util < 70.0 && in.peak_gbs > 0) gaps.next = "the kernels themselves are slow: see the slowest kernels below";
        }
    }
    out.push_back(gaps);

    // 3. The slowest kernels and their share of the peak.
    const std::vector<KernelRow> top = sorted_by_time(p.rows);
    double attention_ms = 0, output_ms = 0;
    for (const KernelRow& r : p.rows) {
        if (r.op == "attention") attention_ms += r.total_ms;
        if (r.layer < 0 && r.op == "matmul") output_ms += r.total_ms;
    }
    for (size_t i = 0; i < std::min<size_t>(3, top.size()); ++i) {
        const KernelRow& r = top[i];
        const double k_gbs = r.total_ms > 0 ? r.bytes / (r.total_ms / 1000.0) / 1e9 : 0;
        Finding k{"slow kernel", "", ""};
        k.verdict = r.label + f(": %.1f%% of the step, %.1f GB/s", 100.0 * r.total_ms / std::max(p.sum_ms, 1e-12), k_gbs);
        if (in.peak_gbs > 0) {
            k.verdict += f(" = %.0f%% of peak", 100.0 * k_gbs / in.peak_gbs);
            if (k_gbs < 0.5 * in.peak_gbs && r.op == "matmul") {
                k.next = std::string("a memory-bound GEMV below half the peak: ") +
                         (std::string(in.device.isa) == "scalar" ? "the CPU runs scalar kernels; SIMD kernels are the fix"
                                                                 : "tune this dtype's kernel (wider loads, more rows per thread)");
            }
        }
        out.push_back(k);
    }
    if (p.sum_ms > 0 && attention_ms / p.sum_ms > 0.3) {
        out.push_back({"attention", f("attention takes %.0f%% of the step at depth %.0f", 100.0 * attention_ms / p.sum_ms, depth),
                       "reduce max_context, use a model with fewer KV heads (GQA), or split-K attention for long contexts"});
    }
    if (p.sum_ms > 0 && output_ms / p.sum_ms > 0.15) {
        out.push_back({"logits", f("the logit projection (dim -> vocab) takes %.0f%% of the step", 100.0 * output_ms / p.sum_ms),
                       "large vocabularies make the output GEMV a top kernel: give it the widest GEMV variant"});
    }

    // 4. Memory headroom.
    Finding mem{"memory", "", ""};
    const double need = (double)in.memory.total_bytes, have = (double)in.device.memory_bytes;
    if (have > 0) {
        mem.verdict = f("weights + KV + scratch = %.1f MiB of %.1f MiB available (%.0f%%)", need / 1048576.0, have / 1048576.0, 100.0 * need / have);
        if (need > 0.9 * have) mem.next = "close to the limit: reduce --ctx or use a smaller quantization";
    }
    out.push_back(mem);

    // 5. TTFT against prompt length.
    if (!in.ttft.empty()) {
        Finding t{"ttft", "", ""};
        std::string v;
        for (auto [n, ms] : in.ttft) v += (v.empty() ? "" : ", ") + std::to_string(n) + " tokens " + f("%.2f ms", ms);
        t.verdict = "TTFT (prefill + one decode step): " + v + f(" (prefill chunk %.0f)", in.device.prefill_chunk);
        const auto [n_long, ms_long] = in.ttft.back();
        const double prefill_ts = n_long / ((ms_long - step_ms) / 1000.0);
        const double decode_ts = step_ms > 0 ? 1000.0 / step_ms : 0;
        if (n_long > 1 && decode_ts > 0 && prefill_ts < 2.0 * decode_ts) {
            t.next = f("prefill runs at %.0f tok/s, barely above decode (%.0f tok/s): the GEMM path is not batching; it is the next target", prefill_ts, decode_ts);
        }
        out.push_back(t);
    }
    return out;
}

}  // namespace akunu
