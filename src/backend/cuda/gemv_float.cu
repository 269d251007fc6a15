// GEMV (one token) for F32, F16 and BF16 weights: one warp per row, every lane streaming 16-byte
// loads (4 f32 or 8 f16/bf16 weights) with the matching float4s of x, f32 accumulation, shuffle
// reduction. Needs k a multiple of the vector width and 16-byte aligned rows and x; otherwise the
// caller falls back to the tiled kernel (gemm_tiled.cu), which takes any shape.
#include "backend/cuda/cuda_ops.h"
#include "backend/cuda/gemv_common.cuh"

namespace akunu::cuda {
namespace {

__device__ __forceinline__ void widen8(const uint4 v, bool bf16, float (&out)[8]) {
    const uint32_t w[4] = {v.x, v.y, v.z, v.w};
#pragma unroll
    for (int i = 0; i < 4; ++i) {
        const uint16_t lo = (uint16_t)w[i], hi = (uint16_t)(w[i] >> 16);
        out[2 * i] = bf16 ? bf2f(lo) : h2f(lo);
        out[2 * i + 1] = bf16 ? bf2f(hi) : h2f(hi);
    }
}

template <DType T>
__global__ void __launch_bounds__(kGemvWarps * 32)
    gemv_dense_kernel(const uint8_t* __restrict__ w, const float* __restrict__ x, float* __restrict__ y, int n, int k,
                      int accumulate) {
    pdl_enter();
    const int lane = threadIdx.x & 31;
    const int row = blockIdx.x * kGemvWarps + (threadIdx.x >> 5);
    if (row >= n) return;
    constexpr int kVec = T == DType::F32 ? 4 : 8;  // elements per 16-byte load
    constexpr size_t kElemBytes = T == DType::F32 ? 4 : 2;
    const uint4* wr = reinterpret_cast<const uint4*>(w + (size_t)row * k * kElemBytes);
    const float4* xv = reinterpret_cast<const float4*>(x);
    const int chunks = k / kVec;
    float s0 = 0.0f, s1 = 0.0f;
#pragma unroll 4
    for (int c = lane; c < chunks; c += 32) {
        const uint4 q = wr[c];
        if constexpr (T == DType::F32) {
            const float4 a = xv[c];
            s0 += __uint_as_float(q.x) * a.x + __uint_as_float(q.y) * a.y;
            s1 += __uint_as_float(q.z) * a.z + __uint_as_float(q.w) * a.w;
        } else {
            float v[8];
            widen8(q, T == DType::BF16, v);
            const float4 a = xv[2 * c], b = xv[2 * c + 1];
            s0 += v[0] * a.x + v[1] * a.y + v[2] * a.z + v[3] * a.w;
            s1 += v[4] * b.x + v[5] * b.y + v[6] * b.z + v[7] * b.w;
        }
    }
    const float s = warp_sum(s0 + s1);
    if (lane == 0) y[row] = accumulate ? y[row] + s : s;
}

template <DType T>
void launch(const uint8_t* w, const float* x, float* y, int n, int k, bool accumulate, cudaStream_t s) {
    launch_pdl(gemv_dense_kernel<T>, ceil_div((size_t)n, kGemvWarps), kGemvWarps * 32, 0, s, w, x, y, n, k, accumulate ? 1 : 0);
    AKUNU_CUDA_LAUNCHED("gemv_dense_kernel");
}

}  // namespace

bool launch_gemv_float(DType type, const uint8_t* w, const float* x, float* y, int n, int k, bool accumulate,
                       cudaStream_t s) {
    const int vec = type == DType::F32 ? 4 : 8;
    if (k % vec != 0 || !aligned16(w) || !aligned16(x)) return false;
    switch (type) {
        case DType::F32: launch<DType::F32>(w, x, y, n, k, accumulate, s); return true;
        case DType::F16: launch<DType::F16>(w, x, y, n, k, accumulate, s); return true;
        case DType::BF16: launch<DType::BF16>(w, x, y, n, k, accumulate, s); return true;
        default: return false;
    }
}

}  // namespace akunu::cuda
