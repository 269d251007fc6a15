// Greedy argmax on the device: the first index of the largest logit (NaNs never win, as in
// cpu_argmax), written to out0[0] (the token the next EmbedLookup reads, which is what chains
// decode steps without the host) and to out1[state->step] (the chain's output slot, step read
// from the device RunState). One block of 1024 threads: a strided scan, then a shuffle and
// shared-memory reduction of (value, index) pairs. Ties go to the lower index at every step, so
// the result does not depend on which thread saw which element.
#include <climits>

#include "backend/cuda/cuda_check.h"
#include "backend/cuda/cuda_common.cuh"
#include "backend/cuda/cuda_ops.h"

namespace akunu::cuda {
namespace {

constexpr int kThreads = 1024;

__device__ __forceinline__ void better(float& bv, int& bi, float v, int i) {
    if (v > bv || (v == bv && i < bi)) {
        bv = v;
        bi = i;
    }
}

template <bool VEC>
__global__ void __launch_bounds__(kThreads)
    argmax_kernel(const float* __restrict__ x, int n, int32_t* out0, int32_t* out1, const DevState* __restrict__ state) {
    pdl_enter();
    __shared__ float sv[32];
    __shared__ int si[32];
    float bv = -INFINITY;
    int bi = INT_MAX;
    int tail = 0;
    if constexpr (VEC) {
        // float4 loads, four in flight per thread: one block streams a 150k-entry vocabulary at a
        // useful fraction of the SM's bandwidth instead of one 4-byte load per thread at a time.
        const float4* x4 = reinterpret_cast<const float4*>(x);
        const int n4 = n / 4;
#pragma unroll 4
        for (int i = threadIdx.x; i < n4; i += kThreads) {
            const float4 v = x4[i];
            better(bv, bi, v.x, 4 * i);
            better(bv, bi, v.y, 4 * i + 1);
            better(bv, bi, v.z, 4 * i + 2);
            better(bv, bi, v.w, 4 * i + 3);
        }
        tail = 4 * n4;
    }
    for (int i = tail + threadIdx.x; i < n; i += kThreads) better(bv, bi, x[i], i);
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) better(bv, bi, __shfl_xor_sync(kFullMask, bv, o), __shfl_xor_sync(kFullMask, bi, o));
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    if (lane == 0) {
        sv[warp] = bv;
        si[warp] = bi;
    }
    __syncthreads();
    if (warp == 0) {
        bv = sv[lane];
        bi = si[lane];
#pragma unroll
        for (int o = 16; o > 0; o >>= 1) {
            better(bv, bi, __shfl_xor_sync(kFullMask, bv, o), __shfl_xor_sync(kFullMask, bi, o));
        }
        if (lane == 0) {
            const int32_t tok = bi == INT_MAX ? 0 : bi;
            out0[0] = tok;
            if (out1) out1[state->step] = tok;
        }
    }
}

}  // namespace

void launch_argmax(const OpLaunch& l) {
    const auto* x = reinterpret_cast<const float*>(l.in[0]);
    auto* out0 = reinterpret_cast<int32_t*>(l.out[0]);
    auto* out1 = reinterpret_cast<int32_t*>(l.out[1]);
    if (aligned16(x)) {
        launch_pdl(argmax_kernel<true>, 1, kThreads, 0, l.stream, x, (int)l.cmd->n, out0, out1, l.state);
    } else {
        launch_pdl(argmax_kernel<false>, 1, kThreads, 0, l.stream, x, (int)l.cmd->n, out0, out1, l.state);
    }
    AKUNU_CUDA_LAUNCHED("argmax_kernel");
}

}  // namespace akunu::cuda
