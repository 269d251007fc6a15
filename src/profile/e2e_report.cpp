#include "profile/e2e_report.h"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <vector>

#include "profile/bench_record.h"

namespace akunu {
namespace {

using Json = nlohmann::ordered_json;

std::string fmt(const char* f, double v) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), f, v);
    return buf;
}

// Columns as a terminal shows them: UTF-8 continuation bytes ("±") take no column.
size_t display_width(const std::string& s) {
    size_t w = 0;
    for (unsigned char c : s) w += (c & 0xC0) != 0x80;
    return w;
}

// A padded markdown table: first column left-aligned (names), the rest right-aligned (numbers).
void write_table(std::ostream& out, const std::vector<std::vector<std::string>>& rows) {
    std::vector<size_t> width(rows.front().size(), 3);
    for (const auto& row : rows) {
        for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], display_width(row[c]));
    }
    for (size_t r = 0; r < rows.size(); ++r) {
        out << "|";
        for (size_t c = 0; c < rows[r].size(); ++c) {
            const std::string pad(width[c] - display_width(rows[r][c]), ' ');
            out << " " << (c > 0 && r > 0 ? pad + rows[r][c] : rows[r][c] + pad) << " |";
        }
        out << "\n";
        if (r == 0) {
            out << "|";
            for (size_t c = 0; c < width.size(); ++c) {
                out << " " << (c == 0 ? std::string(width[c], '-') : std::string(width[c] - 1, '-') + ":") << " |";
            }
            out << "\n";
        }
    }
}

std::string sampling_desc(const E2ESettings& s) {
    return s.temperature > 0 ? fmt("temperature %.2f", s.temperature) + ", seed " + std::to_string(s.seed) : "greedy";
}

const char* stop_name(akunu_stop_reason r) {
    switch (r) {
        case AKUNU_STOP_MAX_TOKENS: return "max_tokens";
        case AKUNU_STOP_EOS: return "eos";
        case AKUNU_STOP_STRING: return "stop_string";
        case AKUNU_STOP_CALLBACK: return "callback";
        case AKUNU_STOP_CONTEXT_FULL: return "context_full";
    }
    return "unknown";
}

Json prompt_json(const PromptResult& p) {
    Json j;
    j["name"] = p.name;
    j["tokens"] = p.prompt_tokens;
    j["skipped"] = p.skipped;
    j["note"] = p.note;
    auto num = [&](double v) { return p.skipped ? Json(nullptr) : Json(v); };
    j["generated_tokens"] = num(p.generated_tokens);
    j["prefill_tok_s"] = num(p.prefill_tok_s);
    j["decode_tok_s"] = num(p.decode_tok_s);
    j["ttft_ms"] = num(p.ttft_ms);
    j["prefill_ms"] = num(p.prefill_ms);
    j["decode_ms"] = num(p.decode_ms);
    j["total_s"] = num(p.total_s);
    Json reps = Json::array();
    for (const E2ESample& x : p.samples) {
        Json r;
        r["prompt_tokens"] = x.stats.prompt_tokens;
        r["generated_tokens"] = x.stats.generated_tokens;
        r["prefill_ms"] = x.stats.prefill_ms;
        r["decode_ms"] = x.stats.decode_ms;
        r["ttft_ms"] = x.stats.ttft_ms;
        r["prefill_tok_s"] = x.stats.prefill_tok_s;
        r["decode_tok_s"] = x.stats.decode_tok_s;
        r["total_s"] = x.total_s;
        r["peak_memory_bytes"] = x.stats.peak_memory_bytes;
        r["stop_reason"] = stop_name(x.stats.stop_reason);
        reps.push_back(r);
    }
    j["reps"] = reps;
    return j;
}

}  // namespace

std::string e2e_header(const E2EReport& r, const std::string& model_label) {
    const BenchContext& c = r.ctx;
    return "akunu_benchmark " + r.build_commit + " | " + model_label + " (" + c.model_desc + ", " +
           format_size(c.memory.weight_bytes) + ") | " + c.device.backend + " " + c.device.device + ", " +
           std::to_string(c.device.n_threads) + " threads, isa " + c.device.isa + " | ctx " +
           std::to_string(c.info.max_context) + " | " + r.system_state;
}

void write_e2e_markdown(std::ostream& out, const E2EReport& r, const std::string& model_label) {
    const E2ESettings& s = r.settings;
    out << e2e_header(r, model_label) << "\n";
    out << "generate: " << s.n_predict << " tokens per prompt, " << sampling_desc(s) << ", mean of " << s.reps
        << " reps after 1 warm-up\n\n";

    std::vector<std::vector<std::string>> rows = {
        {"Prompt", "Tokens", "Prefill t/s", "Decode t/s", "First-tok ms", "Prefill ms", "Total s"}};
    for (const PromptResult& p : r.prompts) {
        if (p.skipped) {
            rows.push_back({p.name, std::to_string(p.prompt_tokens), p.note, "", "", "", ""});
            continue;
        }
        rows.push_back({p.name, std::to_string(p.prompt_tokens), fmt("%.2f", p.prefill_tok_s), fmt("%.2f", p.decode_tok_s),
                        fmt("%.2f", p.ttft_ms), fmt("%.2f", p.prefill_ms), fmt("%.3f", p.total_s)});
    }
    write_table(out, rows);
    for (const PromptResult& p : r.prompts) {
        if (!p.skipped && !p.note.empty()) out << "note: " << p.name << ": " << p.note << "\n";
    }
    out << "\n";

    const ChainDecodeResult& ch = r.chain;
    if (ch.skipped) {
        out << "chain decode: " << ch.note << "\n";
    } else {
        std::vector<std::vector<std::string>> chain = {{"Chain decode", "Tokens", "t/s", "ms", "GB/s", "% peak"}};
        chain.push_back({"greedy, after 1 BOS", std::to_string(ch.n_tokens),
                         fmt("%.2f", ch.tok_s) + " ± " + fmt("%.2f", ch.stddev_tok_s), fmt("%.2f", ch.mean_ms),
                         fmt("%.2f", ch.gbs), ch.pct_peak > 0 ? fmt("%.1f%%", ch.pct_peak) : "n/a"});
        write_table(out, chain);
        if (!ch.note.empty()) out << "note: chain decode " << ch.note << "\n";
    }
    if (r.ctx.peak_gbs > 0) {
        out << "peak read bandwidth: " << fmt("%.1f", r.ctx.peak_gbs) << " GB/s, " << r.ctx.peak_source << "\n";
    } else {
        out << "peak read bandwidth: not measured (--no-peak)\n";
    }
    // The peak comes from akunu_generation_stats, so it exists only when a prompt ran.
    out << "peak memory: "
        << (r.peak_memory_bytes ? format_size(r.peak_memory_bytes) + " (process peak RSS)" : "n/a (no prompt ran)")
        << "; model "
        << format_size(r.ctx.memory.total_bytes) << " = weights " << format_size(r.ctx.memory.weight_bytes) << " + KV "
        << format_size(r.ctx.memory.kv_cache_bytes) << " + scratch " << format_size(r.ctx.memory.scratch_bytes) << "\n";
    for (const std::string& w : r.warnings) out << "warning: " << w << "\n";
}

void write_e2e_json(std::ostream& out, const E2EReport& r, const std::string& model_label) {
    const BenchContext& c = r.ctx;
    Json j;
    j["tool"] = "akunu_benchmark";
    j["build_commit"] = r.build_commit;
    j["timestamp"] = r.timestamp;
    j["model"] = {{"file", model_label},
                  {"desc", c.model_desc},
                  {"architecture", std::string(c.info.architecture)},
                  {"weight_type", std::string(c.info.weight_type)},
                  {"n_params", c.info.n_params},
                  {"size_bytes", c.memory.weight_bytes},
                  {"context_length", c.info.context_length}};
    j["device"] = {{"backend", std::string(c.device.backend)},
                   {"device", std::string(c.device.device)},
                   {"isa", std::string(c.device.isa)},
                   {"threads", c.device.n_threads},
                   {"cores", c.device.n_cores},
                   {"peak_bandwidth_gbs", c.peak_gbs},
                   {"peak_bandwidth_source", c.peak_source}};
    j["system_state"] = r.system_state;
    j["settings"] = {{"n_predict", r.settings.n_predict},
                     {"temperature", r.settings.temperature},
                     {"seed", r.settings.seed},
                     {"reps", r.settings.reps},
                     {"warmup", 1},
                     {"max_context", c.info.max_context},
                     {"prefill_chunk", c.device.prefill_chunk},
                     {"chain_chunk", c.device.chain_chunk}};
    Json prompts = Json::array();
    for (const PromptResult& p : r.prompts) prompts.push_back(prompt_json(p));
    j["prompts"] = prompts;
    const ChainDecodeResult& ch = r.chain;
    j["chain_decode"] = {{"skipped", ch.skipped},
                         {"note", ch.note},
                         {"n_tokens", ch.n_tokens},
                         {"reps", ch.reps},
                         {"mean_ms", ch.mean_ms},
                         {"tok_s", ch.tok_s},
                         {"stddev_tok_s", ch.stddev_tok_s},
                         {"bytes_per_token", ch.bytes_per_token},
                         {"gbs", ch.gbs},
                         {"pct_peak", ch.pct_peak}};
    j["peak_memory_bytes"] = r.peak_memory_bytes;
    j["model_memory"] = {{"weight_bytes", c.memory.weight_bytes},
                         {"kv_cache_bytes", c.memory.kv_cache_bytes},
                         {"scratch_bytes", c.memory.scratch_bytes},
                         {"total_bytes", c.memory.total_bytes}};
    j["warnings"] = r.warnings;
    out << j.dump(2) << "\n";
}

}  // namespace akunu
