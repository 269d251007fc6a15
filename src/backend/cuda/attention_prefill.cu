// Causal attention for several tokens (prefill) in f32, for the exact mode and the shapes the
// tensor-core kernel (attention_prefill_mma.cu) does not take: one block per (query head, token); token t of
// the run sits at position state->pos + t (device RunState) and attends to positions 0 .. pos + t
// (the last `window` of them when window > 0),
// walked in tiles of kTile with the online softmax of attention_common.cuh. Queries x heads give
// plenty of blocks here, so no split over the context is needed.
#include "backend/cuda/attention_common.cuh"
#include "backend/cuda/attention_prefill_mma.h"
#include "backend/cuda/cuda_check.h"

namespace akunu::cuda {
namespace {

constexpr int kTile = 256;

template <int DPL, class T>
__global__ void __launch_bounds__(kAttnThreads)
    attention_prefill_kernel(const float* __restrict__ q, const T* __restrict__ kc, const T* __restrict__ vc,
                             float* __restrict__ out, const DevState* __restrict__ state, int n_heads, int n_kv_heads,
                             int hd, int max_ctx, float scale, int window, float softcap) {
    extern __shared__ float smem[];
    __shared__ float scratch[32];
    float* ps = smem;           // [kTile]
    float* red = smem + kTile;  // [kAttnWarps][hd]
    const int h = blockIdx.x, t = blockIdx.y;
    const int len = min(state->pos + t + 1, max_ctx);
    const int first = window > 0 ? max(0, len - window) : 0;
    const int kvh = h / (n_heads / n_kv_heads);
    const T* K = kc + (size_t)kvh * max_ctx * hd;
    const T* V = vc + (size_t)kvh * max_ctx * hd;
    float qr[DPL], acc[DPL];
    load_q(q + ((size_t)t * n_heads + h) * hd, hd, qr);
#pragma unroll
    for (int i = 0; i < DPL; ++i) acc[i] = 0.0f;
    float run_max = -INFINITY, run_sum = 0.0f;
    for (int p0 = first; p0 < len; p0 += kTile) {
        attend_tile(qr, K, V, hd, p0, min(kTile, len - p0), scale, softcap, ps, scratch, run_max, run_sum, acc);
    }
    combine_warps(acc, hd, red);
    const float inv = 1.0f / run_sum;
    float* o = out + ((size_t)t * n_heads + h) * hd;
    for (int d = threadIdx.x; d < hd; d += kAttnThreads) o[d] = red[d] * inv;
}

}  // namespace

void launch_attention_prefill(const OpLaunch& l) {
    if (launch_attention_prefill_mma(l)) return;  // tensor cores: the fast path's shapes
    const Command& c = *l.cmd;
    const int nh = (int)c.p[0], nkv = (int)c.p[1], hd = (int)c.p[2], max_ctx = (int)c.p[3];
    const dim3 grid((unsigned)nh, (unsigned)l.m);
    const size_t smem = ((size_t)kTile + (size_t)kAttnWarps * hd) * sizeof(float);
    dispatch_kv_type(c.wtype, [&]<class T>() {
        dispatch_dpl(hd, [&]<int DPL>() {
            attention_prefill_kernel<DPL, T><<<grid, kAttnThreads, smem, l.stream>>>(
                reinterpret_cast<const float*>(l.in[0]), reinterpret_cast<const T*>(l.in[1]),
                reinterpret_cast<const T*>(l.in[2]), reinterpret_cast<float*>(l.out[0]), l.state, nh, nkv, hd, max_ctx,
                c.f0, (int)c.k, c.f1);
            AKUNU_CUDA_LAUNCHED("attention_prefill_kernel");
        });
    });
}

}  // namespace akunu::cuda
