#include "profile/bench_runner.h"

#include <chrono>
#include <cmath>
#include <ctime>
#include <vector>

#include "core/error.h"
#include "profile/system_monitor.h"

namespace akunu {
namespace {

using Clock = std::chrono::steady_clock;

void check(akunu_status st, const char* what) {
    if (st != AKUNU_OK) fail(ErrorKind::Internal, "bench", std::string(what) + ": " + akunu_last_error());
}

std::string utc_now() {
    const std::time_t t = std::time(nullptr);
    char buf[32];
    std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
    return buf;
}

// One repetition; returns seconds of the timed part.
double run_once(akunu_model* model, const BenchTest& t, int32_t bos, std::vector<int32_t>& prompt,
                std::vector<int32_t>& out) {
    check(akunu_reset(model), "akunu_reset");
    if (t.depth > 0) {
        std::vector<int32_t> fill((size_t)t.depth, bos);
        check(akunu_prefill(model, fill.data(), (int32_t)fill.size(), nullptr), "depth prefill");
    }
    if (t.n_prompt == 0) {
        // Decode starts from one BOS in the cache, as in the seed; that prefill is not timed.
        check(akunu_prefill(model, &bos, 1, nullptr), "prefill of the first token");
    }
    const auto t0 = Clock::now();
    if (t.n_prompt > 0) check(akunu_prefill(model, prompt.data(), (int32_t)prompt.size(), nullptr), "akunu_prefill");
    if (t.n_gen > 0) {
        if (t.step_decode) {
            int32_t tok = bos;
            for (int64_t i = 0; i < t.n_gen; ++i) check(akunu_decode_step(model, tok, &tok), "akunu_decode_step");
        } else {
            check(akunu_chain_decode(model, bos, (int32_t)t.n_gen, out.data()), "akunu_chain_decode");
        }
    }
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

}  // namespace

std::string describe_model(const akunu_model_info& info) {
    const double n = (double)info.n_params;
    char size[32];
    if (n >= 1e9) {
        std::snprintf(size, sizeof(size), "%.1fB", n / 1e9);
    } else if (n >= 1e8) {
        std::snprintf(size, sizeof(size), "%.1fB", n / 1e9);
    } else if (n >= 1e6) {
        std::snprintf(size, sizeof(size), "%.0fM", n / 1e6);
    } else {
        std::snprintf(size, sizeof(size), "%.0fK", n / 1e3);
    }
    std::string s = size;
    const size_t dot0 = s.find(".0B");
    if (dot0 != std::string::npos) s.erase(dot0, 2);
    return std::string(info.architecture) + " " + s + " " + info.weight_type;
}

std::string test_name(const BenchTest& t) {
    std::string name;
    if (t.n_prompt > 0 && t.n_gen > 0) {
        name = "pp" + std::to_string(t.n_prompt) + "+tg" + std::to_string(t.n_gen);
    } else if (t.n_prompt > 0) {
        name = "pp" + std::to_string(t.n_prompt);
    } else {
        name = "tg" + std::to_string(t.n_gen);
    }
    if (t.depth > 0) name += " @ d" + std::to_string(t.depth);
    if (t.step_decode && t.n_gen > 0) name += " (step)";
    return name;
}

BenchContext make_bench_context(akunu_model* model, const std::string& model_file) {
    BenchContext c;
    c.model_file = model_file;
    check(akunu_get_model_info(model, &c.info), "akunu_get_model_info");
    check(akunu_model_memory(model, &c.memory), "akunu_model_memory");
    check(akunu_get_device_info(model, &c.device), "akunu_get_device_info");
    c.model_desc = describe_model(c.info);
    const int32_t n = akunu_command_count(model);
    for (int32_t i = 0; i < n; ++i) {
        akunu_command_info ci;
        check(akunu_get_command_info(model, i, &ci), "akunu_get_command_info");
        c.kv_bytes_per_position += ci.kv_bytes_per_position;
    }
    return c;
}

BenchRecord run_bench_test(akunu_model* model, const BenchContext& ctx, const BenchTest& t, int reps) {
    if (reps < 1) fail(ErrorKind::InvalidArgument, "bench", "repetitions must be at least 1");
    if (t.n_prompt <= 0 && t.n_gen <= 0) fail(ErrorKind::InvalidArgument, "bench", "a test needs -p or -n > 0");
    const int64_t needed = t.depth + (t.n_prompt > 0 ? t.n_prompt : 1) + t.n_gen;
    if (needed > (int64_t)ctx.info.max_context) {
        fail(ErrorKind::InvalidArgument, "bench",
             test_name(t) + " needs " + std::to_string(needed) + " positions; the context holds " +
                 std::to_string(ctx.info.max_context));
    }
    const int32_t bos = ctx.info.bos_id >= 0 ? ctx.info.bos_id : 0;
    std::vector<int32_t> prompt((size_t)t.n_prompt, bos);
    std::vector<int32_t> out((size_t)std::max<int64_t>(t.n_gen, 1));

    BenchRecord r;
    r.build_commit = akunu_build_commit();
    r.timestamp = utc_now();
    r.backend = ctx.device.backend;
    for (char& ch : r.backend) ch = (char)std::toupper((unsigned char)ch);
    r.device = ctx.device.device;
    r.isa = ctx.device.isa;
    r.threads = ctx.device.n_threads;
    r.peak_bandwidth_gbs = ctx.peak_gbs;
    r.peak_bandwidth_source = ctx.peak_source;
    r.model_file = ctx.model_file;
    r.model_desc = ctx.model_desc;
    r.weight_type = ctx.info.weight_type;
    r.model_size = ctx.memory.weight_bytes;
    r.n_params = ctx.info.n_params;
    r.test = test_name(t);
    r.n_prompt = t.n_prompt;
    r.n_gen = t.n_gen;
    r.depth = t.depth;
    r.reps = reps;
    r.decode_mode = t.n_gen > 0 ? (t.step_decode ? "step" : "chain") : "";
    r.max_context = ctx.info.max_context;
    r.prefill_chunk = ctx.device.prefill_chunk;
    r.chain_chunk = ctx.device.chain_chunk;

    const SystemSnapshot before = take_system_snapshot();
    run_once(model, t, bos, prompt, out);  // warm-up, not counted
    for (int i = 0; i < reps; ++i) {
        const double s = run_once(model, t, bos, prompt, out);
        r.samples_ms.push_back(s * 1000.0);
        r.samples_ts.push_back((double)(t.n_prompt + t.n_gen) / s);
    }
    const SystemSnapshot after = take_system_snapshot();
    r.warnings = system_warnings(before, after, ctx.device.n_threads, ctx.device.n_cores);
    mean_stddev(r.samples_ts, &r.mean_ts, &r.stddev_ts);
    if (t.n_gen > 0 && t.n_prompt == 0) {
        // Bytes one decode step reads: every weight once, plus K and V of the cached positions (the
        // mean cache length over the test: depth + the first token + half the generated ones).
        const double mean_ctx = (double)t.depth + 1.0 + (double)(t.n_gen + 1) / 2.0;
        r.bytes_per_token = (double)ctx.memory.weight_bytes + mean_ctx * (double)ctx.kv_bytes_per_position;
        r.gbs = r.bytes_per_token * r.mean_ts / 1e9;
        r.pct_peak = ctx.peak_gbs > 0 ? 100.0 * r.gbs / ctx.peak_gbs : 0;
        // A decode cannot read faster than the memory: above 100% the peak is what is wrong (a
        // cached probe from a slower moment of a shared machine, or a probe pattern the hardware
        // serves worse than the GEMVs' reads). Say so next to the number instead of letting it stand.
        if (r.pct_peak > 100.0) {
            r.warnings.push_back("decode read " + std::to_string((int)(r.gbs + 0.5)) + " GB/s, above the " +
                                 std::to_string((int)(ctx.peak_gbs + 0.5)) + " GB/s peak (" + ctx.peak_source +
                                 "): the peak underestimates this machine (rerun with --refresh-peak); the % peak "
                                 "shown overstates the share of the true peak");
        }
    }
    return r;
}

}  // namespace akunu
