// The attention kernels' shared piece: one block of kAttnWarps warps attends one query head to a
// tile of cached positions, with an online softmax (running max and sum, accumulators rescaled
// when the max grows).
//
// Layout of the work, chosen for memory-level parallelism rather than one thread per position:
//   scores:  warp w takes positions w, w + 4, ... of the tile, four at a time; a lane holds
//            q[lane + 32 i] in registers and reads K[pos][lane + 32 i] (a warp reads a whole row,
//            128-byte coalesced), four rows in flight; a shuffle reduction gives each score.
//   values:  the same position split; lane accumulates V[pos][lane + 32 i] * p in registers; the
//            warps' partial sums are added once at the end (combine_warps).
// DPL = output dims per lane (head_dim <= 32 * DPL), a template so the arrays stay in registers.
#pragma once

#include "backend/cuda/cuda_common.cuh"
#include "backend/cuda/cuda_ops.h"
#include "backend/cuda/kv_elem.cuh"

namespace akunu::cuda {

constexpr int kAttnWarps = 4;
constexpr int kAttnThreads = kAttnWarps * 32;
constexpr int kAttnMaxHeadDim = 512;  // DPL 16
constexpr int kAttnUnroll = 4;        // positions per warp in flight

template <int DPL>
__device__ __forceinline__ void load_q(const float* __restrict__ qh, int hd, float (&qr)[DPL]) {
    const int lane = threadIdx.x & 31;
#pragma unroll
    for (int i = 0; i < DPL; ++i) {
        const int d = lane + 32 * i;
        qr[i] = d < hd ? qh[d] : 0.0f;
    }
}

// Positions p0 .. p0 + cnt - 1 (cnt <= the capacity of ps). K and V point at the KV head's
// [max_ctx][hd] rows. softcap > 0: scores become softcap * tanh(score / softcap) (Gemma 2). Every thread leaves with the same run_max / run_sum; acc holds this warp's
// share. Starts and ends with all threads in step (ps may be reused after it returns). T: the
// caches' element type (kv_elem.cuh), converted to f32 as it is read.
template <int DPL, class T>
__device__ __forceinline__ void attend_tile(const float (&qr)[DPL], const T* __restrict__ K,
                                            const T* __restrict__ V, int hd, int p0, int cnt, float scale,
                                            float softcap, float* ps, float* scratch, float& run_max, float& run_sum,
                                            float (&acc)[DPL]) {
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    constexpr int kStride = kAttnWarps * kAttnUnroll;
    for (int j0 = warp; j0 < cnt; j0 += kStride) {
        float s[kAttnUnroll];
#pragma unroll
        for (int u = 0; u < kAttnUnroll; ++u) {
            const int j = j0 + u * kAttnWarps;
            s[u] = 0.0f;
            if (j < cnt) {  // uniform across the warp
                const T* kr = K + (size_t)(p0 + j) * hd;
#pragma unroll
                for (int i = 0; i < DPL; ++i) {
                    const int d = lane + 32 * i;
                    if (d < hd) s[u] += qr[i] * kv_to_f32(kr[d]);
                }
            }
        }
#pragma unroll
        for (int u = 0; u < kAttnUnroll; ++u) s[u] = warp_sum(s[u]);
        if (lane == 0) {
#pragma unroll
            for (int u = 0; u < kAttnUnroll; ++u) {
                const int j = j0 + u * kAttnWarps;
                if (j < cnt) ps[j] = softcap > 0.0f ? softcap * tanhf(s[u] * scale / softcap) : s[u] * scale;
            }
        }
    }
    __syncthreads();
    float tile_max = -INFINITY;
    for (int j = threadIdx.x; j < cnt; j += kAttnThreads) tile_max = fmaxf(tile_max, ps[j]);
    tile_max = block_max(tile_max, scratch);
    const float new_max = fmaxf(run_max, tile_max);
    // 0 on the first tile (run_max = -inf); every tile holds a visible position, so new_max is finite.
    const float corr = expf(run_max - new_max);
    float tile_sum = 0.0f;
    for (int j = threadIdx.x; j < cnt; j += kAttnThreads) {
        const float e = expf(ps[j] - new_max);
        ps[j] = e;
        tile_sum += e;
    }
    tile_sum = block_sum(tile_sum, scratch);  // its barriers also publish ps
    run_sum = run_sum * corr + tile_sum;
    run_max = new_max;
#pragma unroll
    for (int i = 0; i < DPL; ++i) acc[i] *= corr;
    for (int j0 = warp; j0 < cnt; j0 += kStride) {
#pragma unroll
        for (int u = 0; u < kAttnUnroll; ++u) {
            const int j = j0 + u * kAttnWarps;
            if (j < cnt) {
                const float p = ps[j];
                const T* vr = V + (size_t)(p0 + j) * hd;
#pragma unroll
                for (int i = 0; i < DPL; ++i) {
                    const int d = lane + 32 * i;
                    if (d < hd) acc[i] += p * kv_to_f32(vr[d]);
                }
            }
        }
    }
    __syncthreads();
}

// Adds the warps' accumulators: on return red[d] (d < hd) holds the block's sum. red has room for
// kAttnWarps * hd floats.
template <int DPL>
__device__ __forceinline__ void combine_warps(const float (&acc)[DPL], int hd, float* red) {
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
#pragma unroll
    for (int i = 0; i < DPL; ++i) {
        const int d = lane + 32 * i;
        if (d < hd) red[warp * hd + d] = acc[i];
    }
    __syncthreads();
    for (int d = threadIdx.x; d < hd; d += kAttnThreads) {
        float s = red[d];
        for (int w = 1; w < kAttnWarps; ++w) s += red[w * hd + d];
        red[d] = s;
    }
    __syncthreads();
}

// Calls f.template operator()<DPL>() with the smallest DPL in {1, 2, 4, 8, 16} for head_dim hd.
template <class F>
void dispatch_dpl(int hd, F&& f) {
    if (hd <= 32) f.template operator()<1>();
    else if (hd <= 64) f.template operator()<2>();
    else if (hd <= 128) f.template operator()<4>();
    else if (hd <= 256) f.template operator()<8>();
    else f.template operator()<16>();
}

}  // namespace akunu::cuda
