#include "profile/e2e_benchmark.h"

#include <algorithm>
#include <chrono>
#include <ctime>

#include "core/error.h"
#include "profile/bench_record.h"
#include "profile/system_monitor.h"

namespace akunu {
namespace {

using Clock = std::chrono::steady_clock;

void check(akunu_status st, const char* what) {
    if (st != AKUNU_OK) fail(ErrorKind::Internal, "benchmark", std::string(what) + ": " + akunu_last_error());
}

akunu_model_info model_info(akunu_model* model) {
    akunu_model_info info;
    check(akunu_get_model_info(model, &info), "akunu_get_model_info");
    return info;
}

std::string utc_now() {
    const std::time_t t = std::time(nullptr);
    char buf[32];
    std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
    return buf;
}

akunu_sampling_params sampling_params(const E2ESettings& s, int32_t max_tokens) {
    akunu_sampling_params p = akunu_default_sampling_params();
    // Temperature 0 with no repetition penalty is akunu_generate's greedy path (chain decode ahead);
    // otherwise the defaults' top-k/top-p/min-p apply, as a user's sampled run would see them.
    p.temperature = s.temperature > 0 ? s.temperature : 0.0f;
    p.seed = s.seed;
    p.max_tokens = max_tokens;
    p.reset = true;  // every run starts from an empty KV cache
    return p;
}

E2ESample generate_once(akunu_model* model, const std::string& text, const akunu_sampling_params& p) {
    E2ESample out;
    const auto t0 = Clock::now();
    check(akunu_generate(model, text.c_str(), &p, nullptr, nullptr, &out.stats), "akunu_generate");
    out.total_s = std::chrono::duration<double>(Clock::now() - t0).count();
    return out;
}

double mean_of(const std::vector<E2ESample>& v, double (*field)(const E2ESample&)) {
    std::vector<double> xs;
    for (const E2ESample& x : v) xs.push_back(field(x));
    double mean = 0, sd = 0;
    mean_stddev(xs, &mean, &sd);
    return mean;
}

std::string stop_note(akunu_stop_reason reason, uint32_t max_context) {
    switch (reason) {
        case AKUNU_STOP_EOS: return "stopped at the end of generation";
        case AKUNU_STOP_STRING: return "stopped at a stop string";
        case AKUNU_STOP_CALLBACK: return "stopped by the callback";
        case AKUNU_STOP_CONTEXT_FULL: return "stopped at the end of the context " + std::to_string(max_context);
        default: return "stopped early";
    }
}

}  // namespace

int32_t count_prompt_tokens(akunu_model* model, const std::string& text) {
    int32_t n = 0;
    const akunu_status st = akunu_tokenize(model, text.c_str(), true, false, nullptr, 0, &n);
    if (st != AKUNU_OK && st != AKUNU_ERR_BUFFER_TOO_SMALL) check(st, "akunu_tokenize");
    return n;
}

uint32_t needed_context(const std::vector<int32_t>& prompt_tokens, const E2ESettings& s, uint32_t model_context) {
    int64_t need = 1 + (int64_t)s.chain_tokens;
    for (int32_t n : prompt_tokens) need = std::max(need, (int64_t)n + s.n_predict);
    return (uint32_t)std::min<int64_t>(need, model_context);
}

uint32_t needed_context(akunu_model* model, const std::vector<BenchmarkPrompt>& prompts, const E2ESettings& s) {
    std::vector<int32_t> counts;
    for (const BenchmarkPrompt& p : prompts) counts.push_back(count_prompt_tokens(model, std::string(p.text)));
    return needed_context(counts, s, model_info(model).context_length);
}

PromptResult run_prompt(akunu_model* model, const BenchmarkPrompt& prompt, const E2ESettings& s) {
    if (s.reps < 1) fail(ErrorKind::InvalidArgument, "benchmark", "repetitions must be at least 1");
    PromptResult r;
    r.name = std::string(prompt.name);
    const std::string text(prompt.text);
    r.prompt_tokens = count_prompt_tokens(model, text);
    const uint32_t max_context = model_info(model).max_context;
    if ((int64_t)r.prompt_tokens > (int64_t)max_context) {
        r.skipped = true;
        r.note = "skipped: " + std::to_string(r.prompt_tokens) + " tokens exceed the context " +
                 std::to_string(max_context);
        return r;
    }
    const akunu_sampling_params p = sampling_params(s, s.n_predict);
    for (int i = 0; i < s.reps; ++i) r.samples.push_back(generate_once(model, text, p));

    r.prompt_tokens = r.samples.front().stats.prompt_tokens;  // what generate fed, not the estimate
    r.generated_tokens = mean_of(r.samples, [](const E2ESample& x) { return (double)x.stats.generated_tokens; });
    r.prefill_tok_s = mean_of(r.samples, [](const E2ESample& x) { return x.stats.prefill_tok_s; });
    r.decode_tok_s = mean_of(r.samples, [](const E2ESample& x) { return x.stats.decode_tok_s; });
    r.ttft_ms = mean_of(r.samples, [](const E2ESample& x) { return x.stats.ttft_ms; });
    r.prefill_ms = mean_of(r.samples, [](const E2ESample& x) { return x.stats.prefill_ms; });
    r.decode_ms = mean_of(r.samples, [](const E2ESample& x) { return x.stats.decode_ms; });
    r.total_s = mean_of(r.samples, [](const E2ESample& x) { return x.total_s; });
    // A short generation makes the decode column mean something else; say so next to the table.
    const E2ESample& last = r.samples.back();
    if (last.stats.generated_tokens < s.n_predict) {
        char buf[64];
        std::snprintf(buf, sizeof(buf), "generated %g of %d tokens: ", r.generated_tokens, s.n_predict);
        r.note = buf + stop_note(last.stats.stop_reason, max_context);
    }
    return r;
}

ChainDecodeResult run_chain_decode(akunu_model* model, const BenchContext& ctx, const E2ESettings& s) {
    ChainDecodeResult c;
    c.reps = s.reps;
    // One BOS is in the cache before the chain, so a context of C holds C - 1 decoded tokens.
    const int64_t room = (int64_t)ctx.info.max_context - 1;
    c.n_tokens = (int32_t)std::min<int64_t>(s.chain_tokens, room);
    if (c.n_tokens < 1) {
        c.skipped = true;
        c.note = "skipped: the context " + std::to_string(ctx.info.max_context) + " has no room after BOS";
        return c;
    }
    if (c.n_tokens < s.chain_tokens) {
        c.note = "capped at " + std::to_string(c.n_tokens) + " tokens by the context " +
                 std::to_string(ctx.info.max_context);
    }
    // akunu_bench's tg test is exactly this measurement (warm-up, reset per rep, steady clock around
    // akunu_chain_decode, bytes per token from the decode table), so it is reused, not repeated.
    BenchTest t;
    t.n_gen = c.n_tokens;
    const BenchRecord r = run_bench_test(model, ctx, t, s.reps);
    double mean_ms = 0, sd_ms = 0;
    mean_stddev(r.samples_ms, &mean_ms, &sd_ms);
    c.mean_ms = mean_ms;
    c.tok_s = r.mean_ts;
    c.stddev_tok_s = r.stddev_ts;
    c.bytes_per_token = r.bytes_per_token;
    c.gbs = r.gbs;
    c.pct_peak = r.pct_peak;
    return c;
}

E2EReport run_e2e_benchmark(akunu_model* model, const BenchContext& ctx, const std::vector<BenchmarkPrompt>& prompts,
                            const E2ESettings& s) {
    E2EReport rep;
    rep.build_commit = akunu_build_commit();
    rep.timestamp = utc_now();
    rep.ctx = ctx;
    rep.settings = s;
    const SystemSnapshot before = take_system_snapshot();
    rep.system_state = describe_snapshot(before);

    // Warm-up: the longest prompt that fits touches the most weights, scratch and KV pages and
    // spins up the thread pool; a few tokens exercise the decode path too. Not counted.
    const BenchmarkPrompt* warm = nullptr;
    int32_t warm_tokens = 0;
    for (const BenchmarkPrompt& p : prompts) {
        const int32_t n = count_prompt_tokens(model, std::string(p.text));
        if (n <= (int32_t)ctx.info.max_context && n > warm_tokens) {
            warm = &p;
            warm_tokens = n;
        }
    }
    if (warm) generate_once(model, std::string(warm->text), sampling_params(s, std::min(s.n_predict, 16)));

    for (const BenchmarkPrompt& p : prompts) {
        rep.prompts.push_back(run_prompt(model, p, s));
        for (const E2ESample& x : rep.prompts.back().samples) {
            rep.peak_memory_bytes = std::max(rep.peak_memory_bytes, x.stats.peak_memory_bytes);
        }
    }
    rep.chain = run_chain_decode(model, ctx, s);

    const SystemSnapshot after = take_system_snapshot();
    rep.warnings = system_warnings(before, after, ctx.device.n_threads, ctx.device.n_cores);
    return rep;
}

void set_peak_bandwidth(E2EReport& report, double gbs, const std::string& source) {
    report.ctx.peak_gbs = gbs;
    report.ctx.peak_source = source;
    report.chain.pct_peak = gbs > 0 && !report.chain.skipped ? 100.0 * report.chain.gbs / gbs : 0;
}

}  // namespace akunu
