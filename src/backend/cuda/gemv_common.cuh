// The GEMV skeleton shared by the quantized families: one warp per output row, four rows per
// block; lane i takes work units i, i+32, ... of the row (a unit is a block or part of a
// super-block, chosen per type so that each weight byte is loaded once), sums unit dot products
// in f32, and the warp reduces with shuffles. x must be 16-byte aligned (float4 loads).
#pragma once

#include <cuda_runtime.h>

#include "backend/cuda/cuda_check.h"
#include "backend/cuda/cuda_common.cuh"
#include "backend/cuda/dequant.cuh"

namespace akunu::cuda {

constexpr int kGemvWarps = 4;

// DotUnit<T>::kElems: elements per unit; DotUnit<T>::dot(row, u, x): sum over the unit's elements
// of W[row][e] * x[e] (x is the start of the activation row).
template <DType T>
struct DotUnit;

template <DType T>
__global__ void __launch_bounds__(kGemvWarps * 32)
    gemv_units_kernel(const uint8_t* __restrict__ w, size_t row_bytes, const float* __restrict__ x,
                      float* __restrict__ y, int n, int units, int accumulate) {
    pdl_enter();
    const int lane = threadIdx.x & 31;
    const int row = blockIdx.x * kGemvWarps + (threadIdx.x >> 5);
    if (row >= n) return;
    const uint8_t* wr = w + (size_t)row * row_bytes;
    float s = 0.0f;
#pragma unroll 2
    for (int u = lane; u < units; u += 32) s += DotUnit<T>::dot(wr, u, x);
    s = warp_sum(s);
    if (lane == 0) y[row] = accumulate ? y[row] + s : s;
}

template <DType T>
void launch_gemv_units(const uint8_t* w, const float* x, float* y, int n, int k, bool accumulate, cudaStream_t s) {
    const size_t row_bytes = (size_t)(k / TypeInfo<T>::kBlock) * TypeInfo<T>::kBytes;
    const int units = k / DotUnit<T>::kElems;
    launch_pdl(gemv_units_kernel<T>, ceil_div((size_t)n, kGemvWarps), kGemvWarps * 32, 0, s, w, row_bytes, x, y, n, units,
                                                                                    accumulate ? 1 : 0);
    AKUNU_CUDA_LAUNCHED("gemv_units_kernel");
}

}  // namespace akunu::cuda
