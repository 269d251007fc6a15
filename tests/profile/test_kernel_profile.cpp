// The kernel profiler at the C++ level, on stories260K and the synthetic "tiny" model loaded
// through the C API: one row per command of the decode table with its label, op, layer, bytes and
// flops; dispatches = tokens; per-command times that sum to within 2x of a normal decode step;
// sorting, grouping by op and the Chrome trace.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <numeric>
#include <string>
#include <vector>

#include "akunu/akunu.h"
#include "core/error.h"
#include "profile/kernel_profile.h"
#include "profile/tool_runner.h"

using akunu::KernelProfile;
using akunu::KernelRow;

namespace {

struct Model {
    akunu_model* m = nullptr;
    ~Model() { akunu_free_model(m); }
};

struct ModelCase {
    std::string name;
    std::string synthetic;  // "" : stories260K from the shared folder
};

// gtest names the case in failure messages by this.
void PrintTo(const ModelCase& c, std::ostream* os) { *os << c.name; }

class KernelProfileTest : public ::testing::TestWithParam<ModelCase> {
protected:
    // Loads the case's model with a 128-position context (threads 0: every core).
    static void load(Model* out, int32_t threads) {
        akunu_load_params p = akunu_default_load_params();
        p.max_context = 128;
        p.n_threads = threads;
        const ModelCase& c = GetParam();
        const akunu_status st = c.synthetic.empty()
                                    ? akunu_load_model(tool_test::stories_path().c_str(), &p, &out->m)
                                    : akunu_load_synthetic(c.synthetic.c_str(), &p, &out->m);
        ASSERT_EQ(st, AKUNU_OK) << akunu_last_error();
    }

    void SetUp() override {
        ASSERT_NO_FATAL_FAILURE(load(&model_, 0));
        n_ = akunu_command_count(model_.m);
        ASSERT_GT(n_, 0);
        infos_.resize((size_t)n_);
        for (int32_t i = 0; i < n_; ++i) {
            ASSERT_EQ(akunu_get_command_info(model_.m, i, &infos_[(size_t)i]), AKUNU_OK);
        }
    }

    Model model_;
    int32_t n_ = 0;
    std::vector<akunu_command_info> infos_;
};

double median3(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

}  // namespace

TEST_P(KernelProfileTest, OneRowPerCommandWithItsCosts) {
    for (int32_t depth : {0, 1, 16}) {
        SCOPED_TRACE("depth " + std::to_string(depth));
        const KernelProfile p = akunu::profile_decode(model_.m, 5, depth);
        const int32_t start = std::max(depth, 1);
        EXPECT_EQ(p.tokens, 5);
        EXPECT_EQ(p.start_position, start);
        ASSERT_EQ((int32_t)p.rows.size(), n_);
        EXPECT_EQ(akunu_position(model_.m), start + 5) << "the cache holds the profiled tokens after the fill";
        // Bytes read by a command over the 5 tokens: weights and activations each time, K and V of
        // every cached position (including the one just written) for attention.
        double kv_positions = 0;
        for (int32_t t = 0; t < 5; ++t) kv_positions += start + t + 1;
        double sum = 0;
        for (int32_t i = 0; i < n_; ++i) {
            const KernelRow& r = p.rows[(size_t)i];
            const akunu_command_info& ci = infos_[(size_t)i];
            SCOPED_TRACE(r.label);
            EXPECT_EQ(r.index, i);
            EXPECT_EQ(r.label, ci.label);
            EXPECT_EQ(r.label, akunu_profile_label(model_.m, i));
            EXPECT_EQ(r.op, ci.op);
            EXPECT_EQ(r.layer, ci.layer);
            EXPECT_EQ(r.dispatches, 5);
            EXPECT_GE(r.total_ms, 0);
            EXPECT_TRUE(std::isfinite(r.total_ms));
            EXPECT_DOUBLE_EQ(r.bytes, 5.0 * (double)(ci.weight_bytes + ci.act_bytes) +
                                          (double)ci.kv_bytes_per_position * kv_positions);
            EXPECT_DOUBLE_EQ(r.flops, 5.0 * (double)ci.flops);
            EXPECT_GE(r.first_ms, 0);
            EXPECT_LE(r.first_ms, r.total_ms + 1e-9);
            sum += r.total_ms;
        }
        EXPECT_NEAR(p.sum_ms, sum, 1e-9 * std::max(1.0, sum));
        EXPECT_GT(p.sum_ms, 0);
        EXPECT_GT(p.normal_step_ms, 0);
        // The first step's slices are back to back in table order.
        double clock = 0;
        for (const KernelRow& r : p.rows) {
            EXPECT_NEAR(r.first_start_ms, clock, 1e-9 * std::max(1.0, clock)) << r.label;
            clock += r.first_ms;
        }
    }
}

TEST_P(KernelProfileTest, DispatchesFollowTokens) {
    for (int32_t tokens : {1, 3}) {
        const KernelProfile p = akunu::profile_decode(model_.m, tokens, 4);
        ASSERT_EQ((int32_t)p.rows.size(), n_);
        EXPECT_EQ(p.tokens, tokens);
        for (const KernelRow& r : p.rows) {
            EXPECT_EQ(r.dispatches, tokens) << r.label;
        }
    }
}

// The acceptance: the per-command times of one step sum to within 2x of a normal (batched) decode
// step, in both directions.
//
// Timing on a shared machine needs care. One thread: with more pool threads than free cores, each
// hand-off between commands waits on the scheduler and both figures turn to noise (seen here:
// ratios from 0.005 to 290 with two tests in parallel on two loaded cores). Then rounds of three
// attempts: a round passes when the median of its three ratios is inside [0.5, 2], or when the
// fastest profiled step over all attempts so far against the fastest normal step is (noise only
// ever adds time, so minima are what a disturbed machine still measures right). An error in the
// profiler (a missed or doubled command, a unit slip) is off in every round and still fails.
TEST_P(KernelProfileTest, SumOfCommandsWithinTwiceANormalStep) {
    Model one;
    ASSERT_NO_FATAL_FAILURE(load(&one, 1));
    for (int32_t depth : {1, 32}) {
        SCOPED_TRACE("depth " + std::to_string(depth));
        std::string seen;
        bool ok = false;
        double min_profiled = 1e300, min_normal = 1e300;
        auto inside = [](double r) { return r >= 0.5 && r <= 2.0; };
        for (int round = 0; round < 3 && !ok; ++round) {
            std::vector<double> ratios, ratios_fresh;
            for (int attempt = 0; attempt < 3; ++attempt) {
                const KernelProfile p = akunu::profile_decode(one.m, 5, depth);
                ASSERT_GT(p.normal_step_ms, 0);
                ASSERT_GT(p.sum_ms, 0);
                const double per_step = p.sum_ms / p.tokens;
                ratios.push_back(per_step / p.normal_step_ms);
                // Against a normal step measured on its own as well.
                const double step = akunu::normal_decode_step_ms(one.m, std::max(depth, 1), 8);
                ASSERT_GT(step, 0);
                ratios_fresh.push_back(per_step / step);
                min_profiled = std::min(min_profiled, per_step);
                min_normal = std::min({min_normal, p.normal_step_ms, step});
                seen += " " + std::to_string(ratios.back()) + "/" + std::to_string(ratios_fresh.back());
            }
            const double minima = min_profiled / min_normal;
            ok = (inside(median3(ratios)) && inside(median3(ratios_fresh))) || inside(minima);
            seen += " (minima " + std::to_string(minima) + ") |";
        }
        EXPECT_TRUE(ok) << "sum of per-command times / normal step, by attempt (vs the profile's own normal step / vs "
                           "one measured apart):" << seen << " load average " << tool_test::load_average();
    }
}

TEST_P(KernelProfileTest, SortedByTime) {
    const KernelProfile p = akunu::profile_decode(model_.m, 5, 1);
    const std::vector<KernelRow> s = akunu::sorted_by_time(p.rows);
    ASSERT_EQ(s.size(), p.rows.size());
    for (size_t i = 1; i < s.size(); ++i) {
        EXPECT_GE(s[i - 1].total_ms, s[i].total_ms) << i;
    }
    // A permutation of the rows.
    std::vector<int32_t> idx;
    for (const KernelRow& r : s) idx.push_back(r.index);
    std::sort(idx.begin(), idx.end());
    std::vector<int32_t> want((size_t)n_);
    std::iota(want.begin(), want.end(), 0);
    EXPECT_EQ(idx, want);
}

TEST_P(KernelProfileTest, GroupByOpKeepsTotals) {
    const KernelProfile p = akunu::profile_decode(model_.m, 5, 1);
    const std::vector<KernelRow> g = akunu::group_by_op(p.rows);
    std::map<std::string, KernelRow> want;
    for (const KernelRow& r : p.rows) {
        KernelRow& w = want[r.op];
        w.dispatches += r.dispatches;
        w.total_ms += r.total_ms;
        w.bytes += r.bytes;
        w.flops += r.flops;
    }
    ASSERT_EQ(g.size(), want.size());
    double total = 0;
    int64_t dispatches = 0;
    for (const KernelRow& r : g) {
        SCOPED_TRACE(r.op);
        ASSERT_TRUE(want.count(r.op));
        EXPECT_EQ(r.label, r.op);
        EXPECT_EQ(r.index, -1);
        const KernelRow& w = want[r.op];
        EXPECT_EQ(r.dispatches, w.dispatches);
        EXPECT_NEAR(r.total_ms, w.total_ms, 1e-9 * std::max(1.0, w.total_ms));
        EXPECT_DOUBLE_EQ(r.bytes, w.bytes);
        EXPECT_DOUBLE_EQ(r.flops, w.flops);
        total += r.total_ms;
        dispatches += r.dispatches;
    }
    EXPECT_NEAR(total, p.sum_ms, 1e-9 * std::max(1.0, p.sum_ms));
    EXPECT_EQ(dispatches, 5LL * n_);
    EXPECT_TRUE(want.count("matmul"));
    EXPECT_TRUE(want.count("attention"));
}

TEST_P(KernelProfileTest, ChromeTraceParses) {
    const KernelProfile p = akunu::profile_decode(model_.m, 2, 3);
    const std::string text = akunu::chrome_trace_json(p, "model \"x\"");
    nlohmann::json doc;
    ASSERT_NO_THROW(doc = nlohmann::json::parse(text));
    ASSERT_TRUE(doc["traceEvents"].is_array());
    std::vector<nlohmann::json> x;
    for (const auto& e : doc["traceEvents"]) {
        if (e["ph"] == "X") x.push_back(e);
        if (e["name"] == "process_name") {
            EXPECT_EQ(e["args"]["name"], "akunu decode step: model \"x\"");
        }
    }
    ASSERT_EQ((int32_t)x.size(), n_);
    double end = 0;
    for (int32_t i = 0; i < n_; ++i) {
        const nlohmann::json& e = x[(size_t)i];
        const KernelRow& r = p.rows[(size_t)i];
        for (const char* k : {"name", "ph", "ts", "dur", "pid", "tid"}) {
            ASSERT_TRUE(e.contains(k)) << k;
        }
        EXPECT_EQ(e["name"], r.label);
        EXPECT_EQ(e["args"]["position"], 3);
        EXPECT_DOUBLE_EQ(e["ts"].get<double>(), r.first_start_ms * 1000.0);
        EXPECT_DOUBLE_EQ(e["dur"].get<double>(), r.first_ms * 1000.0);
        EXPECT_GE(e["ts"].get<double>(), end - 1e-6) << "overlaps the previous slice";
        end = e["ts"].get<double>() + e["dur"].get<double>();
    }
}

TEST_P(KernelProfileTest, BadArguments) {
    EXPECT_THROW(
        {
            try {
                akunu::profile_decode(model_.m, 0, 1);
            } catch (const akunu::Error& e) {
                EXPECT_EQ(e.kind(), akunu::ErrorKind::InvalidArgument);
                throw;
            }
        },
        akunu::Error);
    // A depth the context cannot hold.
    try {
        akunu::profile_decode(model_.m, 5, 125);
        ADD_FAILURE() << "profiled past the context";
    } catch (const akunu::Error& e) {
        EXPECT_EQ(e.kind(), akunu::ErrorKind::InvalidArgument);
        EXPECT_NE(std::string(e.what()).find("context"), std::string::npos) << e.what();
    }
    // The model still works afterwards.
    const KernelProfile p = akunu::profile_decode(model_.m, 1, 1);
    EXPECT_EQ((int32_t)p.rows.size(), n_);
}

INSTANTIATE_TEST_SUITE_P(Models, KernelProfileTest,
                         ::testing::Values(ModelCase{"stories260K", ""}, ModelCase{"synthetic_tiny", "tiny"}),
                         [](const ::testing::TestParamInfo<ModelCase>& i) { return i.param.name; });

// ---------------------------------------------------------------- on hand-built rows

namespace {

KernelRow row(const std::string& label, const std::string& op, double ms, int64_t dispatches = 1) {
    KernelRow r;
    r.label = label;
    r.op = op;
    r.total_ms = ms;
    r.dispatches = dispatches;
    r.bytes = 100 * ms;
    r.flops = 10 * ms;
    return r;
}

}  // namespace

TEST(KernelProfileRows, SortIsStableAndDescending) {
    const std::vector<KernelRow> s =
        akunu::sorted_by_time({row("a", "x", 1), row("b", "y", 3), row("c", "x", 1), row("d", "y", 2), row("e", "z", 0)});
    std::vector<std::string> labels;
    for (const KernelRow& r : s) labels.push_back(r.label);
    EXPECT_EQ(labels, std::vector<std::string>({"b", "d", "a", "c", "e"}));
    EXPECT_TRUE(akunu::sorted_by_time({}).empty());
}

TEST(KernelProfileRows, GroupByOpSums) {
    const std::vector<KernelRow> g =
        akunu::group_by_op({row("a", "matmul", 1.5, 2), row("b", "rope", 0.25), row("c", "matmul", 2.0, 3)});
    ASSERT_EQ(g.size(), 2u);
    std::map<std::string, KernelRow> by;
    for (const KernelRow& r : g) by[r.op] = r;
    EXPECT_EQ(by["matmul"].label, "matmul");
    EXPECT_DOUBLE_EQ(by["matmul"].total_ms, 3.5);
    EXPECT_EQ(by["matmul"].dispatches, 5);
    EXPECT_DOUBLE_EQ(by["matmul"].bytes, 350);
    EXPECT_DOUBLE_EQ(by["matmul"].flops, 35);
    EXPECT_DOUBLE_EQ(by["rope"].total_ms, 0.25);
    EXPECT_EQ(by["rope"].dispatches, 1);
}

TEST(KernelProfileRows, ChromeTraceEscapesLabels) {
    KernelProfile p;
    p.tokens = 1;
    p.start_position = 7;
    KernelRow a = row("L0 \"quoted\" \\ label", "matmul", 0.5);
    a.index = 0;
    a.first_start_ms = 0;
    a.first_ms = 0.5;
    KernelRow b = row("L0 next\tone", "rope", 0.25);
    b.index = 1;
    b.first_start_ms = 0.5;
    b.first_ms = 0.25;
    p.rows = {a, b};
    const nlohmann::json doc = nlohmann::json::parse(akunu::chrome_trace_json(p, "m"));
    std::vector<nlohmann::json> x;
    for (const auto& e : doc.at("traceEvents")) {
        if (e.at("ph") == "X") x.push_back(e);
    }
    ASSERT_EQ(x.size(), 2u);
    EXPECT_EQ(x[0]["name"], "L0 \"quoted\" \\ label");
    EXPECT_EQ(x[1]["name"], "L0 next\tone");
    EXPECT_DOUBLE_EQ(x[0]["ts"].get<double>(), 0);
    EXPECT_DOUBLE_EQ(x[0]["dur"].get<double>(), 500);
    EXPECT_DOUBLE_EQ(x[1]["ts"].get<double>(), 500);
    EXPECT_DOUBLE_EQ(x[1]["dur"].get<double>(), 250);
    EXPECT_EQ(x[1]["cat"], "rope");
    EXPECT_EQ(x[1]["args"]["position"], 7);
    EXPECT_EQ(x[1]["args"]["index"], 1);
}
