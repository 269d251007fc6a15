// A decode faster than the recorded peak is the peak's error: the record says so.
#include <gtest/gtest.h>

#include <string>

#include "akunu/akunu.h"
#include "profile/bench_runner.h"

namespace akunu {
namespace {

struct Loaded {
    akunu_model* m = nullptr;
    Loaded() {
        akunu_load_params p = akunu_default_load_params();
        p.n_threads = 2;
        if (akunu_load_synthetic("tiny", &p, &m) != AKUNU_OK) m = nullptr;
    }
    ~Loaded() { akunu_free_model(m); }
};

bool has_peak_warning(const BenchRecord& r) {
    for (const std::string& w : r.warnings) {
        if (w.find("above the") != std::string::npos && w.find("--refresh-peak") != std::string::npos) return true;
    }
    return false;
}

TEST(BenchPeakWarning, DecodeAbovePeakIsFlagged) {
    Loaded l;
    ASSERT_NE(l.m, nullptr) << akunu_last_error();
    BenchContext ctx = make_bench_context(l.m, "");
    BenchTest tg;
    tg.n_gen = 4;

    ctx.peak_gbs = 1e-6;  // no decode is this slow
    ctx.peak_source = "test";
    const BenchRecord low = run_bench_test(l.m, ctx, tg, 1);
    EXPECT_GT(low.pct_peak, 100.0);
    EXPECT_TRUE(has_peak_warning(low));

    ctx.peak_gbs = 1e9;  // nor this fast
    const BenchRecord high = run_bench_test(l.m, ctx, tg, 1);
    EXPECT_LT(high.pct_peak, 100.0);
    EXPECT_FALSE(has_peak_warning(high));
}

}  // namespace
}  // namespace akunu
