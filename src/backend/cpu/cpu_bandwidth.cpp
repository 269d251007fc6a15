// The CPU's achievable read bandwidth, the ceiling of a decode step (which streams every weight
// byte once per token): every thread of the pool streams 64 KiB pieces of a 512 MiB buffer (16x
// any last-level cache here) and sums them, so the loads cannot be optimised away; the best of
// kPasses passes counts.
//
// Why this shape: the decode GEMV reads all the bytes, from all threads, in long sequential runs,
// and nothing faster exists for it to approach. Pieces a delayed thread has not started are taken
// by the others (thread_pool.h), so a thread that another process delays for a while does not
// stretch a pass as much (with one fixed half per thread it did: 23 GB/s cached on a loaded machine
// where decode itself then reached 26.6 GB/s, "116% of peak"); and the best of ten passes counts.
// Plain sequential loads reach the same rate as software-prefetched or multi-stream variants here
// (measured 2 threads: 31-32 GB/s, prefetch 27-32), so there are none.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>

#include "backend/cpu/cpu_backend.h"
#include "core/error.h"

namespace akunu {

double CpuBackend::measure_read_bandwidth_gbs() {
    constexpr size_t kBytes = size_t(512) << 20;
    constexpr int kPasses = 10;
    constexpr int64_t kPiece = (64 << 10) / sizeof(uint64_t);  // words per claimed piece
    uint64_t* data = static_cast<uint64_t*>(std::aligned_alloc(64, kBytes));
    if (!data) fail(ErrorKind::OutOfMemory, "cpu", "cannot allocate the bandwidth probe buffer");
    const size_t n = kBytes / sizeof(uint64_t);
    // First touch from the pool so pages are spread the way the kernels will read them.
    pool_->parallel_for((int64_t)n, kPiece, [&](int64_t b, int64_t e, int) {
        for (int64_t i = b; i < e; ++i) data[i] = (uint64_t)i;
    });
    // One cache line of sums per thread (no false sharing between the summing threads).
    std::vector<uint64_t> sums((size_t)pool_->size() * 8, 0);
    double best = 0;
    for (int pass = 0; pass < kPasses; ++pass) {
        const auto t0 = std::chrono::steady_clock::now();
        pool_->parallel_for((int64_t)n, kPiece, [&](int64_t b, int64_t e, int t) {
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
    // The sum of 0..n-1 repeated kPasses times; a mismatch means a piece was skipped.
    const uint64_t expect = (uint64_t)kPasses * ((uint64_t)n * (uint64_t)(n - 1) / 2);
    if (total != expect) fail(ErrorKind::Internal, "cpu", "bandwidth probe checksum mismatch");
    return best;
}

}  // namespace akunu
