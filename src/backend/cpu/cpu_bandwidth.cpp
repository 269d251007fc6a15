// The CPU's achievable read bandwidth, the ceiling of a decode step (which streams every weight
// byte once per token): all threads of the pool read a 512 MiB buffer (16x any last-level cache
// here) and sum it, so the loads cannot be optimised away. Three access patterns, in turn pass by
// pass; the best pass of any counts:
//  - pieces: 64 KiB pieces claimed by whichever thread is free (a thread another process delays
//    does not stretch the pass: with one fixed half per thread a loaded machine cached 23 GB/s
//    where decode itself then reached 26.6 GB/s);
//  - parts: one contiguous part per thread, read front to back (what the hardware prefetchers
//    follow best);
//  - streams: each thread reads its part as 4 interleaved streams with software prefetch ahead of
//    each, the way the GEMV tiles read R rows at once (matmul_x86_common.inc, RowPrefetch).
// Why several: on this project's 2-core EPYC VM the pieces pattern alone measured 29-31 GB/s while
// the decode GEMVs of llama.cpp and ours both sustained 36 GB/s on a 663 MiB Q4_K model ("118% of
// peak"); on the quiet machine parts reached 33-43 GB/s and streams 32-41 (a standalone copy of
// these loops, best of 6 passes, 3 rounds). A probe slower than the real workload makes every
// "% of peak" a lie; one faster than any real read pattern is impossible, since all are reads.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>

#include "backend/cpu/cpu_backend.h"
#include "core/error.h"

namespace akunu {
namespace {

constexpr int kStreams = 4;
constexpr int64_t kPrefetchWords = 1024 / sizeof(uint64_t);  // 1 KiB ahead of each stream

// Sums words [b, e) read as kStreams interleaved streams, prefetching ahead of each.
uint64_t sum_streams(const uint64_t* data, int64_t b, int64_t e) {
    const int64_t len = (e - b) / kStreams / 8 * 8;
    uint64_t acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    for (int64_t i = 0; i < len; i += 8) {
        for (int s = 0; s < kStreams; ++s) {
            const uint64_t* p = data + b + s * len + i;
            __builtin_prefetch(p + kPrefetchWords, 0, 0);
            for (int j = 0; j < 8; ++j) acc[j] += p[j];
        }
    }
    for (int64_t i = b + kStreams * len; i < e; ++i) acc[i & 7] += data[i];  // the remainder
    uint64_t total = 0;
    for (uint64_t v : acc) total += v;
    return total;
}

// Sums words [b, e) front to back.
uint64_t sum_streams_1(const uint64_t* data, int64_t b, int64_t e) {
    uint64_t acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int64_t i = b;
    for (; i + 8 <= e; i += 8) {
        for (int j = 0; j < 8; ++j) acc[j] += data[i + j];
    }
    for (; i < e; ++i) acc[i & 7] += data[i];
    uint64_t total = 0;
    for (uint64_t v : acc) total += v;
    return total;
}

}  // namespace

double CpuBackend::measure_read_bandwidth_gbs() {
    constexpr size_t kBytes = size_t(512) << 20;
    constexpr int kPasses = 12;  // the three patterns in turn: 4 passes each
    constexpr int64_t kPiece = (64 << 10) / sizeof(uint64_t);  // words per claimed piece
    uint64_t* data = static_cast<uint64_t*>(std::aligned_alloc(64, kBytes));
    if (!data) fail(ErrorKind::OutOfMemory, "cpu", "cannot allocate the bandwidth probe buffer");
    const int64_t n = (int64_t)(kBytes / sizeof(uint64_t));
    // First touch from the pool so pages are spread the way the kernels will read them.
    pool_->parallel_for(n, kPiece, [&](int64_t b, int64_t e, int) {
        for (int64_t i = b; i < e; ++i) data[i] = (uint64_t)i;
    });
    // One cache line of sums per thread (no false sharing between the summing threads).
    const int threads = pool_->size();
    std::vector<uint64_t> sums((size_t)threads * 8, 0);
    double best = 0;
    for (int pass = 0; pass < kPasses; ++pass) {
        const auto t0 = std::chrono::steady_clock::now();
        if (pass % 3 == 0) {
            pool_->parallel_for(n, kPiece, [&](int64_t b, int64_t e, int t) {
                uint64_t acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
                for (int64_t i = b; i + 8 <= e; i += 8) {
                    for (int j = 0; j < 8; ++j) acc[j] += data[i + j];
                }
                for (int j = 0; j < 8; ++j) sums[(size_t)t * 8 + j] += acc[j];
            });
        } else {
            // One contiguous part per thread (grain n / threads): front to back, or as streams.
            const int64_t part = (n + threads - 1) / threads;
            const bool as_streams = pass % 3 == 2;
            pool_->parallel_for(n, part, [&](int64_t b, int64_t e, int t) {
                sums[(size_t)t * 8] += as_streams ? sum_streams(data, b, e) : sum_streams_1(data, b, e);
            });
        }
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        best = std::max(best, (double)kBytes / s / 1e9);
    }
    uint64_t total = 0;
    for (uint64_t v : sums) total += v;
    std::free(data);
    // The sum of 0..n-1 repeated kPasses times; a mismatch means a word was skipped or read twice.
    const uint64_t expect = (uint64_t)kPasses * ((uint64_t)n * (uint64_t)(n - 1) / 2);
    if (total != expect) fail(ErrorKind::Internal, "cpu", "bandwidth probe checksum mismatch");
    return best;
}

}  // namespace akunu
