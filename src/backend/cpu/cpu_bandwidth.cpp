// The CPU's achievable read bandwidth: every thread of the pool streams its share of a 512 MiB
// buffer (16x any last-level cache here) and sums it, so the loads cannot be optimised away.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>

#include "backend/cpu/cpu_backend.h"
#include "core/error.h"

namespace akunu {

double CpuBackend::measure_read_bandwidth_gbs() {
    constexpr size_t kBytes = size_t(512) << 20;
    constexpr int kPasses = 5;
    uint64_t* data = static_cast<uint64_t*>(std::aligned_alloc(64, kBytes));
    if (!data) fail(ErrorKind::OutOfMemory, "cpu", "cannot allocate the bandwidth probe buffer");
    const size_t n = kBytes / sizeof(uint64_t);
    // First touch from the pool so pages are spread the way the kernels will read them.
    pool_->parallel_for((int64_t)n, 4096, [&](int64_t b, int64_t e, int) {
        for (int64_t i = b; i < e; ++i) data[i] = (uint64_t)i;
    });
    std::vector<uint64_t> sums((size_t)pool_->size() * 8, 0);
    double best = 0;
    for (int pass = 0; pass < kPasses; ++pass) {
        const auto t0 = std::chrono::steady_clock::now();
        pool_->parallel_for((int64_t)n, 4096, [&](int64_t b, int64_t e, int t) {
            uint64_t acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
            for (int64_t i = b; i + 8 <= e; i += 8) {
                for (int j = 0; j < 8; ++j) acc[j] += data[i + j];
            }
            for (int j = 0; j < 8; ++j) sums[(size_t)t * 8 + j] += acc[j];
        });
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        best = std::max(best, (double)kBytes / s / 1e9);
    }
    uint64_t total = 0;
    for (uint64_t v : sums) total += v;
    std::free(data);
    // The sum of 0..n-1 repeated kPasses times; a mismatch means a thread skipped its share.
    const uint64_t expect = (uint64_t)kPasses * ((uint64_t)n * (uint64_t)(n - 1) / 2);
    if (total != expect) fail(ErrorKind::Internal, "cpu", "bandwidth probe checksum mismatch");
    return best;
}

}  // namespace akunu
