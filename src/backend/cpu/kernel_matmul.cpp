// MatMul y[m][n] = sum_k W[n][k] x[m][k]: weight rows are dequantized in blocks of
// kMatMulRowBlock once and reused for every token row, so prefill reads each weight once.
#include <algorithm>
#include <exception>

#include "backend/cpu/cpu_features.h"
#include "backend/cpu/cpu_kernels.h"
#include "backend/cpu/matmul_kernels.h"
#include "backend/cpu/thread_pool.h"

namespace akunu {
namespace {

float dot_f32_scalar(const float* a, const float* b, int64_t k) {
    // Eight independent partial sums: the compiler keeps them in one vector register.
    float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int64_t i = 0;
    for (; i + 8 <= k; i += 8) {
        for (int j = 0; j < 8; ++j) acc[j] += a[i + j] * b[i + j];
    }
    float tail = 0;
    for (; i < k; ++i) tail += a[i] * b[i];
    return ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7])) + tail;
}

using DotFn = float (*)(const float*, const float*, int64_t);

DotFn pick_dot() {
    CpuIsa isa = CpuIsa::Scalar;
    try {
        isa = resolve_cpu_isa("auto");
    } catch (const std::exception&) {  // a bad AKUNU_ISA: the backend reports it; stay scalar here
    }
    const MatMulKernels* k = isa == CpuIsa::Avx512 ? matmul_kernels_avx512()
                             : isa == CpuIsa::Avx2 ? matmul_kernels_avx2()
                                                   : nullptr;
    return k && k->dot ? k->dot : dot_f32_scalar;
}

}  // namespace

// The process-wide level (AKUNU_ISA or the best), not a backend's isa option: dot_f32 serves the
// scalar attention kernel (cpu_attention, the oracle of attention_x86.inc).
float dot_f32(const float* a, const float* b, int64_t k) {
    static const DotFn f = pick_dot();
    return f(a, b, k);
}

void cpu_matmul(const uint8_t* w, DType type, const float* x, float* y, int32_t m, int64_t n, int64_t k,
                bool accumulate, ThreadPool& pool, const CpuScratch& scratch) {
    const DTypeTraits& traits = dtype_traits(type);
    const size_t row_bytes = dtype_row_bytes(type, k);
    const bool direct = type == DType::F32;  // f32 rows are used in place
    pool.parallel_for(n, kMatMulRowBlock, [&](int64_t begin, int64_t end, int thread) {
        float* buf = scratch.rows + (size_t)thread * scratch.rows_stride;
        const float* rows[kMatMulRowBlock];
        for (int64_t j0 = begin; j0 < end; j0 += kMatMulRowBlock) {
            const int nr = (int)std::min<int64_t>(kMatMulRowBlock, end - j0);
            for (int r = 0; r < nr; ++r) {
                const uint8_t* src = w + (size_t)(j0 + r) * row_bytes;
                if (direct) {
                    rows[r] = reinterpret_cast<const float*>(src);
                } else {
                    traits.dequantize_row(src, buf + (size_t)r * k, k);
                    rows[r] = buf + (size_t)r * k;
                }
            }
            for (int32_t t = 0; t < m; ++t) {
                const float* xt = x + (size_t)t * k;
                float* yt = y + (size_t)t * n + j0;
                for (int r = 0; r < nr; ++r) {
                    const float s = dot_f32_scalar(rows[r], xt, k);
                    yt[r] = accumulate ? yt[r] + s : s;
                }
            }
        }
    });
}

}  // namespace akunu
