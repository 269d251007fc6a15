// The GPU monitor: throttle-reason decoding, and a clean "no GPU" where NVML is absent.
#include <gtest/gtest.h>

#include <dlfcn.h>

#include "profile/gpu_monitor.h"
#include "profile/system_monitor.h"

namespace akunu {
namespace {

TEST(GpuMonitor, ThrottleReasonNames) {
    EXPECT_TRUE(gpu_throttle_names(0).empty());
    EXPECT_TRUE(gpu_throttle_names(0x1 | 0x2 | 0x100).empty()) << "idle, app clocks, display are not slowdowns";
    const auto names = gpu_throttle_names(0x4 | 0x40);
    ASSERT_EQ(names.size(), 2u);
    EXPECT_EQ(names[0], "software power cap");
    EXPECT_EQ(names[1], "hardware thermal slowdown");
    EXPECT_EQ(gpu_throttle_names(0x8 | 0x20 | 0x80).size(), 3u);
}

TEST(GpuMonitor, SnapshotMatchesWhetherNvmlExists) {
    void* lib = dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
    const GpuSnapshot s = take_gpu_snapshot();
    if (!lib) {
        EXPECT_FALSE(s.valid);
        EXPECT_EQ(describe_snapshot(take_system_snapshot()).find("gpu"), std::string::npos);
    } else {
        dlclose(lib);
        if (s.valid) {
            EXPECT_GT(s.sm_mhz, 0u);
            EXPECT_NE(describe_snapshot(take_system_snapshot()).find("gpu sm"), std::string::npos);
        }
    }
}

TEST(GpuMonitor, ThrottleBecomesAWarning) {
    SystemSnapshot before, after;
    before.gpu.valid = after.gpu.valid = true;
    before.gpu.sm_mhz = 1980;
    after.gpu.sm_mhz = 1200;
    after.gpu.throttle_reasons = 0x20;
    const auto w = system_warnings(before, after, 1, 16);
    ASSERT_EQ(w.size(), 2u);
    EXPECT_NE(w[0].find("software thermal slowdown"), std::string::npos);
    EXPECT_NE(w[1].find("1980 to 1200"), std::string::npos);
}

}  // namespace
}  // namespace akunu
