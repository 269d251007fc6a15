#include "profile/kernel_profile.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>

#include "core/error.h"

namespace akunu {
namespace {

void check(akunu_status st, const char* what) {
    if (st != AKUNU_OK) fail(ErrorKind::Internal, "profile", std::string(what) + ": " + akunu_last_error());
}

void fill_cache(akunu_model* model, int32_t depth, int32_t bos) {
    check(akunu_reset(model), "akunu_reset");
    std::vector<int32_t> fill((size_t)std::max(depth, 1), bos);
    check(akunu_prefill(model, fill.data(), (int32_t)fill.size(), nullptr), "akunu_prefill");
}

}  // namespace

double normal_decode_step_ms(akunu_model* model, int32_t depth, int32_t steps) {
    akunu_model_info info;
    check(akunu_get_model_info(model, &info), "akunu_get_model_info");
    const int32_t bos = info.bos_id >= 0 ? info.bos_id : 0;
    std::vector<int32_t> out((size_t)steps);
    double best = 1e300;
    for (int rep = 0; rep < 3; ++rep) {  // best of three: the first may pay for cold caches
        fill_cache(model, depth, bos);
        const auto t0 = std::chrono::steady_clock::now();
        check(akunu_chain_decode(model, bos, steps, out.data()), "akunu_chain_decode");
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        best = std::min(best, ms / steps);
    }
    return best;
}

KernelProfile profile_decode(akunu_model* model, int32_t tokens, int32_t depth) {
    if (tokens < 1) fail(ErrorKind::InvalidArgument, "profile", "--tokens must be at least 1");
    akunu_model_info info;
    check(akunu_get_model_info(model, &info), "akunu_get_model_info");
    const int32_t bos = info.bos_id >= 0 ? info.bos_id : 0;
    const int32_t start = std::max(depth, 1);
    if ((int64_t)start + tokens + 8 > (int64_t)info.max_context) {
        fail(ErrorKind::InvalidArgument, "profile",
             "depth " + std::to_string(depth) + " + " + std::to_string(tokens) + " tokens do not fit the context " +
                 std::to_string(info.max_context) + " (load with a larger --ctx)");
    }
    const int32_t n = akunu_command_count(model);
    KernelProfile p;
    p.tokens = tokens;
    p.start_position = start;
    p.rows.resize((size_t)n);
    std::vector<akunu_command_info> infos((size_t)n);
    for (int32_t i = 0; i < n; ++i) {
        check(akunu_get_command_info(model, i, &infos[(size_t)i]), "akunu_get_command_info");
        KernelRow& r = p.rows[(size_t)i];
        r.label = infos[(size_t)i].label;
        r.op = infos[(size_t)i].op;
        r.layer = infos[(size_t)i].layer;
        r.index = i;
    }
    p.normal_step_ms = normal_decode_step_ms(model, start, 8);

    fill_cache(model, start, bos);
    std::vector<float> timing((size_t)n);
    // Every step feeds BOS, as the seed's profiler does: kernel times do not depend on token values.
    const int32_t token = bos;
    for (int32_t t = 0; t < tokens; ++t) {
        const int32_t position = start + t;
        const int got = akunu_profile_decode_step(model, token, position, timing.data(), n);
        if (got != n) fail(ErrorKind::Internal, "profile", std::string("akunu_profile_decode_step: ") + akunu_last_error());
        double clock = 0;
        for (int32_t i = 0; i < n; ++i) {
            KernelRow& r = p.rows[(size_t)i];
            const akunu_command_info& ci = infos[(size_t)i];
            r.dispatches++;
            r.total_ms += timing[(size_t)i];
            // Attention reads K and V of every cached position, including the one just written.
            r.bytes += (double)ci.weight_bytes + (double)ci.act_bytes +
                       (double)ci.kv_bytes_per_position * (double)(position + 1);
            r.flops += (double)ci.flops;
            if (t == 0) {
                r.first_start_ms = clock;
                r.first_ms = timing[(size_t)i];
            }
            clock += timing[(size_t)i];
            p.sum_ms += timing[(size_t)i];
        }
    }
    return p;
}

std::vector<KernelRow> group_by_op(const std::vector<KernelRow>& rows) {
    std::map<std::string, KernelRow> by_op;
    for (const KernelRow& r : rows) {
        KernelRow& g = by_op[r.op];
        g.label = g.op = r.op;
        g.dispatches += r.dispatches;
        g.total_ms += r.total_ms;
        g.bytes += r.bytes;
        g.flops += r.flops;
    }
    std::vector<KernelRow> out;
    for (auto& [op, row] : by_op) out.push_back(row);
    return out;
}

std::vector<KernelRow> sorted_by_time(std::vector<KernelRow> rows) {
    std::stable_sort(rows.begin(), rows.end(), [](const KernelRow& a, const KernelRow& b) { return a.total_ms > b.total_ms; });
    return rows;
}

std::string chrome_trace_json(const KernelProfile& p, const std::string& model_desc) {
    nlohmann::ordered_json events = nlohmann::ordered_json::array();
    events.push_back({{"name", "process_name"}, {"ph", "M"}, {"pid", 1}, {"args", {{"name", "akunu decode step: " + model_desc}}}});
    events.push_back({{"name", "thread_name"}, {"ph", "M"}, {"pid", 1}, {"tid", 1}, {"args", {{"name", "dispatch table"}}}});
    for (const KernelRow& r : p.rows) {
        nlohmann::ordered_json e;
        e["name"] = r.label;
        e["cat"] = r.op;
        e["ph"] = "X";
        e["pid"] = 1;
        e["tid"] = 1;
        e["ts"] = r.first_start_ms * 1000.0;  // microseconds
        e["dur"] = r.first_ms * 1000.0;
        e["args"] = {{"index", r.index}, {"layer", r.layer}, {"position", p.start_position}};
        events.push_back(e);
    }
    nlohmann::ordered_json doc;
    doc["traceEvents"] = events;
    doc["displayTimeUnit"] = "ms";
    return doc.dump(1);
}

}  // namespace akunu
