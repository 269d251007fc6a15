// MatMul for several tokens (prefill): Y[m][n] (+)= X[m][k] W[n][k]^T, any weight type, any shape.
// A block computes a 64-token x 64-row tile; per 32-wide k step it dequantizes the 64 weight rows'
// 32-element pieces into shared memory once (deq32, bit-exact with the reference) and reuses them
// for all 64 tokens; each thread accumulates a 4 x 4 micro-tile in f32. Phase-1 kernel: plain f32
// FMA, no tensor cores (their tf32/bf16 rounding would not meet the 1e-5 op tolerance).
// Also the fallback for one token when the GEMV kernels' alignment conditions do not hold.
#include "backend/cuda/cuda_check.h"
#include "backend/cuda/cuda_common.cuh"
#include "backend/cuda/cuda_ops.h"
#include "backend/cuda/dequant.cuh"

namespace akunu::cuda {
namespace {

constexpr int kBM = 64, kBN = 64, kBK = 32, kPad = 4, kThreads = 256;

template <DType T>
__global__ void __launch_bounds__(kThreads)
    gemm_kernel(const uint8_t* __restrict__ w, size_t row_bytes, const float* __restrict__ x, float* __restrict__ y,
                int m, int n, int k, int accumulate) {
    __shared__ __align__(16) float ws[kBK][kBN + kPad];
    __shared__ __align__(16) float xs[kBK][kBM + kPad];
    const int tid = threadIdx.x, tx = tid & 15, ty = tid >> 4;
    const int n0 = blockIdx.x * kBN, m0 = blockIdx.y * kBM;
    float acc[4][4];
#pragma unroll
    for (int i = 0; i < 4; ++i)
#pragma unroll
        for (int j = 0; j < 4; ++j) acc[i][j] = 0.0f;

    for (int k0 = 0; k0 < k; k0 += kBK) {
        if constexpr (kIsDense<T>) {
            for (int i = tid; i < kBN * kBK; i += kThreads) {
                const int r = i / kBK, j = i % kBK;
                float v = 0.0f;
                if (n0 + r < n && k0 + j < k) v = dense_elem<T>(w + (size_t)(n0 + r) * row_bytes, k0 + j);
                ws[j][r] = v;
            }
        } else if (tid < kBN) {  // k is a multiple of 32 for every quantized type
            float v[32];
            if (n0 + tid < n) {
                deq32<T>(w + (size_t)(n0 + tid) * row_bytes, k0 / 32, v);
            } else {
#pragma unroll
                for (int j = 0; j < 32; ++j) v[j] = 0.0f;
            }
#pragma unroll
            for (int j = 0; j < 32; ++j) ws[j][tid] = v[j];
        }
        for (int i = tid; i < kBM * kBK; i += kThreads) {
            const int t = i / kBK, j = i % kBK;
            float v = 0.0f;
            if (m0 + t < m && k0 + j < k) v = x[(size_t)(m0 + t) * k + k0 + j];
            xs[j][t] = v;
        }
        __syncthreads();
#pragma unroll
        for (int kk = 0; kk < kBK; ++kk) {
            const float4 a = *reinterpret_cast<const float4*>(&xs[kk][ty * 4]);
            const float4 b = *reinterpret_cast<const float4*>(&ws[kk][tx * 4]);
            const float av[4] = {a.x, a.y, a.z, a.w};
            const float bv[4] = {b.x, b.y, b.z, b.w};
#pragma unroll
            for (int i = 0; i < 4; ++i)
#pragma unroll
                for (int j = 0; j < 4; ++j) acc[i][j] += av[i] * bv[j];
        }
        __syncthreads();
    }
#pragma unroll
    for (int i = 0; i < 4; ++i) {
        const int t = m0 + ty * 4 + i;
        if (t >= m) continue;
#pragma unroll
        for (int j = 0; j < 4; ++j) {
            const int r = n0 + tx * 4 + j;
            if (r >= n) continue;
            float* p = y + (size_t)t * n + r;
            *p = accumulate ? *p + acc[i][j] : acc[i][j];
        }
    }
}

}  // namespace

bool launch_gemm_tiled(DType type, const uint8_t* w, const float* x, float* y, int m, int n, int k, bool accumulate,
                       cudaStream_t s) {
    if (m <= 0 || n <= 0) return true;
    return dispatch_dtype(type, [&]<DType T>() {
        const size_t row_bytes = (size_t)(k / TypeInfo<T>::kBlock) * TypeInfo<T>::kBytes;
        const dim3 grid(ceil_div((size_t)n, kBN), ceil_div((size_t)m, kBM));
        gemm_kernel<T><<<grid, kThreads, 0, s>>>(w, row_bytes, x, y, m, n, k, accumulate ? 1 : 0);
        AKUNU_CUDA_LAUNCHED("gemm_kernel");
    });
}

}  // namespace akunu::cuda
