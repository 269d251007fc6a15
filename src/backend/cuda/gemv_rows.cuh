// The skeleton shared by the decode GEMVs that give each CTA R consecutive rows (gemv_q_packed.cu on
// repacked quantized weights, gemv_float.cu on dense ones): streamed weight loads, up to three
// matrices of one input in one launch, and the CTA's per-row reduction and store.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>

#include "backend/cuda/cuda_common.cuh"

namespace akunu::cuda {

// Weights are read once per token: ld.global.nc.L1::no_allocate keeps them from evicting the
// activation vector that every CTA of the SM re-reads from L1.
__device__ __forceinline__ uint4 ld_stream(const uint4* p) {
    uint4 v;
    asm volatile("ld.global.nc.L1::no_allocate.v4.u32 {%0, %1, %2, %3}, [%4];\n"
                 : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w)
                 : "l"(p));
    return v;
}

// CTAs [cta0[i], cta0[i + 1]) of a launch work on matrix i (n[i] rows) of a group on one input: one
// launch and one ramp / tail instead of one per matrix (q / k / v, gate / up).
constexpr int kMaxGroupMatrices = 3;
struct GroupCtas {
    int cta0[kMaxGroupMatrices + 1];
    int n[kMaxGroupMatrices];
};

// Fills g for `count` matrices of n[i] rows at `rows_per_cta`; returns the launch's CTA count.
inline int plan_group_ctas(GroupCtas& g, const int* n, int count, int rows_per_cta) {
    int ctas = 0;
    for (int i = 0; i < kMaxGroupMatrices; ++i) {
        g.cta0[i] = ctas;
        g.n[i] = i < count ? n[i] : 1;
        if (i < count) ctas += (n[i] + rows_per_cta - 1) / rows_per_cta;
    }
    g.cta0[kMaxGroupMatrices] = ctas;
    for (int i = count; i < kMaxGroupMatrices; ++i) g.cta0[i] = ctas;  // no CTA maps past the last matrix
    return ctas;
}

// This CTA's matrix: pick(a[0], a[1], a[2]) by selects, not a[i] (a dynamic index into a kernel
// parameter goes through local memory).
struct GroupMember {
    bool m1, m2;
    __device__ __forceinline__ GroupMember(const GroupCtas& g, int cta) : m1(cta >= g.cta0[1]), m2(cta >= g.cta0[2]) {}
    template <class V>
    __device__ __forceinline__ V pick(V a0, V a1, V a2) const {
        return m2 ? a2 : m1 ? a1 : a0;
    }
};

// Each thread's partial sums of the CTA's rows -> y[row0 .. row0 + R) (rows past n not stored):
// warp shuffles, then one shared-memory slot per warp and row.
template <int R, int MaxThreads>
__device__ __forceinline__ void store_rows(const float (&acc)[R], float* __restrict__ y, int row0, int n,
                                           bool accumulate) {
    __shared__ float red[MaxThreads / 32][R];
    const int t = threadIdx.x, lane = t & 31, warp = t >> 5;
#pragma unroll
    for (int r = 0; r < R; ++r) {
        const float s = warp_sum(acc[r]);
        if (lane == 0) red[warp][r] = s;
    }
    __syncthreads();
    if (t < R && row0 + t < n) {
        float s = 0.0f;
        for (int w = 0; w < (int)blockDim.x / 32; ++w) s += red[w][t];
        y[row0 + t] = accumulate ? y[row0 + t] + s : s;
    }
}

}  // namespace akunu::cuda
