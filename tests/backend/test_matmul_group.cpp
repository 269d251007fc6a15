// MatMulDispatch::run_group (matmul_group.cpp: consecutive MatMuls on one input run as one) against
// one run() per part: the same kernels on the same quantized activations, so the outputs must be
// identical bit for bit, at every level, for parts of different widths, with and without
// accumulation, for token counts that fit the quantized-activation scratch and ones that do not.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "backend/cpu/cpu_features.h"
#include "backend/cpu/cpu_kernels.h"
#include "backend/cpu/matmul_dispatch.h"
#include "backend/cpu/thread_pool.h"
#include "format/dtype.h"

using namespace akunu;

namespace {

std::vector<CpuIsa> levels() {
    std::vector<CpuIsa> out = {CpuIsa::Scalar};
    if (cpu_supports(CpuIsa::Avx2)) out.push_back(CpuIsa::Avx2);
    if (cpu_supports(CpuIsa::Avx512)) out.push_back(CpuIsa::Avx512);
    return out;
}

std::vector<uint8_t> weights(DType t, int64_t n, int64_t k, uint32_t seed) {
    const size_t rb = dtype_row_bytes(t, k);
    std::vector<uint8_t> w(rb * (size_t)n);
    std::mt19937 g(seed);
    std::normal_distribution<float> nd(0.0f, 1.0f);
    std::vector<float> row((size_t)k);
    for (int64_t j = 0; j < n; ++j) {
        for (float& f : row) f = nd(g);
        dtype_traits(t).quantize_row(row.data(), w.data() + (size_t)j * rb, k);
    }
    return w;
}

struct Scratch {
    std::vector<float> rows;
    std::vector<uint8_t> bytes;
    CpuScratch s;
    Scratch(const MatMulDispatch& d, DType t, int64_t k, int32_t qact_tokens, int32_t m, int threads) {
        rows.assign((size_t)threads * kMatMulRowBlock * (size_t)k, 0.0f);
        const size_t q = (d.qact_bytes(t, k, qact_tokens) + 63) / 64 * 64, p = d.pack_bytes(t, k, m);
        bytes.assign(q + (size_t)threads * p + 64, 0);
        uint8_t* base = bytes.data() + (64 - reinterpret_cast<uintptr_t>(bytes.data()) % 64) % 64;
        s.rows = rows.data();
        s.rows_stride = (size_t)kMatMulRowBlock * (size_t)k;
        s.qact = base;
        s.qact_bytes = q;
        s.pack = p ? base + q : nullptr;
        s.pack_stride = p;
    }
};

}  // namespace

TEST(MatMulGroup, SameAsOneRunPerPart) {
    const int64_t widths[] = {48, 16, 96};  // multiples of the row grain, unequal
    for (CpuIsa isa : levels()) {
        const MatMulDispatch d(isa, false);
        for (DType t : {DType::Q4_0, DType::Q8_0, DType::Q4_K, DType::Q6_K}) {
            const int64_t k = dtype_traits(t).block_size == 32 ? 96 : 256;
            for (int32_t m : {1, 5, 77}) {
                for (int32_t qact_tokens : {m, 3}) {  // 3: tokens done in chunks of what fits
                    for (bool acc : {false, true}) {
                        for (int threads : {1, 2}) {
                            ASSERT_TRUE(d.groupable(t, 16));
                            ThreadPool pool(threads);
                            Scratch sc(d, t, k, qact_tokens, m, threads);
                            std::mt19937 g(7);
                            std::uniform_real_distribution<float> u(-1.0f, 1.0f);
                            std::vector<float> x((size_t)m * k);
                            for (float& f : x) f = u(g);
                            std::vector<std::vector<uint8_t>> w;
                            std::vector<std::vector<float>> want, got;
                            std::vector<MatMulPart> parts;
                            for (int i = 0; i < 3; ++i) {
                                w.push_back(weights(t, widths[i], k, 100 + i));
                                std::vector<float> init((size_t)m * widths[i]);
                                for (float& f : init) f = u(g);
                                want.push_back(init);
                                got.push_back(init);
                            }
                            for (int i = 0; i < 3; ++i) {
                                d.run(w[i].data(), t, x.data(), want[i].data(), m, widths[i], k, acc, pool, sc.s);
                                parts.push_back({w[i].data(), got[i].data(), widths[i]});
                            }
                            d.run_group(parts.data(), 3, t, x.data(), m, k, acc, pool, sc.s);
                            for (int i = 0; i < 3; ++i) {
                                ASSERT_EQ(0, std::memcmp(want[i].data(), got[i].data(), want[i].size() * sizeof(float)))
                                    << cpu_isa_name(isa) << " " << dtype_name(t) << " m " << m << " qact tokens "
                                    << qact_tokens << " acc " << acc << " threads " << threads << " part " << i;
                            }
                        }
                    }
                }
            }
        }
    }
}

TEST(MatMulGroup, OnlyIntegerPathAndWholeGrains) {
    const MatMulDispatch fast(best_cpu_isa(), false), exact(best_cpu_isa(), true);
    EXPECT_TRUE(fast.groupable(DType::Q4_0, 2048));
    EXPECT_FALSE(fast.groupable(DType::Q4_0, 40));  // not a multiple of the row grain
    EXPECT_FALSE(fast.groupable(DType::F16, 2048));
    EXPECT_FALSE(exact.groupable(DType::Q4_0, 2048));
}
