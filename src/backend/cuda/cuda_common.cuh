// Small device helpers shared by the kernels: warp / block reductions and vector loads.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>
#include <cstring>
#include <utility>

#include "backend/cuda/cuda_check.h"

namespace akunu::cuda {

// Decoders and dot units are __host__ __device__ so that a host program can check them against
// the reference without a GPU; the arithmetic helpers below keep them bit-identical on both sides.
#define AKUNU_HD __host__ __device__ __forceinline__

// Round-to-nearest multiply / add / subtract that nvcc may not contract into an FMA (the host
// compiler does not contract: ISO C++ mode, no -mfma).
AKUNU_HD float fmul_rn(float a, float b) {
#ifdef __CUDA_ARCH__
    return __fmul_rn(a, b);
#else
    return a * b;
#endif
}
AKUNU_HD float fadd_rn(float a, float b) {
#ifdef __CUDA_ARCH__
    return __fadd_rn(a, b);
#else
    return a + b;
#endif
}
AKUNU_HD float fsub_rn(float a, float b) {
#ifdef __CUDA_ARCH__
    return __fsub_rn(a, b);
#else
    return a - b;
#endif
}

// Programmatic dependent launch (sm_90): launch_pdl() lets a kernel be scheduled while the one
// before it in the stream is still finishing, so launch latency and CTA setup overlap the tail of
// the previous kernel instead of adding to every one of the ~400-500 kernels of a decode step.
// Every kernel launched this way starts with pdl_enter(): it lets its own successor launch, then
// waits until the previous kernel has completed and its writes are visible (griddepcontrol.wait
// returns at once for a kernel launched without the attribute), so no read or write moves ahead
// of its dependency.
__device__ __forceinline__ void pdl_enter() {
    asm volatile("griddepcontrol.launch_dependents;\n" ::);
    asm volatile("griddepcontrol.wait;\n" ::: "memory");
}

template <class... KArgs, class... Args>
void launch_pdl(void (*kernel)(KArgs...), dim3 grid, dim3 block, size_t smem, cudaStream_t s, Args&&... args) {
    cudaLaunchConfig_t cfg = {};
    cfg.gridDim = grid;
    cfg.blockDim = block;
    cfg.dynamicSmemBytes = smem;
    cfg.stream = s;
    cudaLaunchAttribute attr[1];
    attr[0].id = cudaLaunchAttributeProgrammaticStreamSerialization;
    attr[0].val.programmaticStreamSerializationAllowed = 1;
    cfg.attrs = attr;
    cfg.numAttrs = 1;
    AKUNU_CUDA_CHECK(cudaLaunchKernelEx(&cfg, kernel, std::forward<Args>(args)...));
}

constexpr unsigned kFullMask = 0xffffffffu;

__device__ __forceinline__ float warp_sum(float v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(kFullMask, v, o);
    return v;
}

__device__ __forceinline__ double warp_sum(double v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(kFullMask, v, o);
    return v;
}

__device__ __forceinline__ float warp_max(float v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(kFullMask, v, o));
    return v;
}

// Sum / max over the whole block (blockDim.x a multiple of 32, at most 1024); every thread gets
// the result. `scratch` holds 32 values; the call begins and ends with a barrier, so it may be
// called repeatedly with the same scratch.
template <class T>
__device__ __forceinline__ T block_sum(T v, T* scratch) {
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    v = warp_sum(v);
    __syncthreads();
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    T total = lane < warps ? scratch[lane] : T(0);
    total = warp_sum(total);
    return total;
}

__device__ __forceinline__ float block_max(float v, float* scratch) {
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    v = warp_max(v);
    __syncthreads();
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    float total = lane < warps ? scratch[lane] : -INFINITY;
    return warp_max(total);
}

// N consecutive floats (N a multiple of 4) from a 16-byte aligned address.
template <int N>
AKUNU_HD void load_f32(const float* __restrict__ p, float (&dst)[N]) {
#pragma unroll
    for (int i = 0; i < N / 4; ++i) {
        const float4 v = reinterpret_cast<const float4*>(p)[i];
        dst[4 * i] = v.x;
        dst[4 * i + 1] = v.y;
        dst[4 * i + 2] = v.z;
        dst[4 * i + 3] = v.w;
    }
}

// Byte i (0..11) of the 12 packed K-quant scale bytes held in three little-endian words.
AKUNU_HD uint32_t kbyte(uint32_t w0, uint32_t w1, uint32_t w2, int i) {
    const uint32_t w = i < 4 ? w0 : (i < 8 ? w1 : w2);
    return (w >> (8 * (i & 3))) & 0xFFu;
}

// format/quant_blocks.h k_scale_min() on registers (no local-memory array for a runtime j).
AKUNU_HD void k_scale_min_regs(int j, uint32_t w0, uint32_t w1, uint32_t w2, float* sc, float* m) {
    if (j < 4) {
        *sc = (float)(kbyte(w0, w1, w2, j) & 63);
        *m = (float)(kbyte(w0, w1, w2, j + 4) & 63);
    } else {
        *sc = (float)((kbyte(w0, w1, w2, j + 4) & 0xF) | ((kbyte(w0, w1, w2, j - 4) >> 6) << 4));
        *m = (float)((kbyte(w0, w1, w2, j + 4) >> 4) | ((kbyte(w0, w1, w2, j) >> 6) << 4));
    }
}

inline unsigned ceil_div(size_t a, size_t b) { return (unsigned)((a + b - 1) / b); }

inline bool aligned16(const void* p) { return ((uintptr_t)p & 15u) == 0; }

}  // namespace akunu::cuda
