// Attention for one token (decode), split over the context (attention_split.h). This file holds
// the dispatch and the general kernel: one block per (query head, chunk), any head_dim up to 512
// and any alignment. launch_attention tries the GQA kernel (attention_decode_gqa.cu) first, which
// reads each KV head once per group; the kernel here serves the shapes that one refuses.
//
// The grid is sized from max_ctx (the context the table was built for); blocks whose chunk starts
// at or past pos + 1 (read from the device RunState), or ends before a sliding window's first
// position, return at once. Chunks are at least 64
// positions, and grow (to 4096 at most) until a head has at most 256 of them, so the scratch,
// n_heads * chunks * (head_dim + 2) floats, is under 64 MiB up to 1M positions of context.
#include <algorithm>

#include "backend/cuda/attention_common.cuh"
#include "backend/cuda/attention_split.h"
#include "backend/cuda/cuda_check.h"
#include "core/error.h"

namespace akunu::cuda {
namespace {

constexpr int kMinChunk = 64;
constexpr int kMaxChunk = 4096;

int chunk_for(int max_ctx) {
    int chunk = kMinChunk;
    while ((max_ctx + chunk - 1) / chunk > kMaxSplitChunks && chunk < kMaxChunk) chunk *= 2;
    return chunk;
}

int chunks_for(int max_ctx) { return (max_ctx + chunk_for(max_ctx) - 1) / chunk_for(max_ctx); }

template <int DPL, class T>
__global__ void __launch_bounds__(kAttnThreads)
    attention_decode_kernel(const float* __restrict__ q, const T* __restrict__ kc, const T* __restrict__ vc,
                            float* __restrict__ out, const DevState* __restrict__ state, int n_heads, int n_kv_heads,
                            int hd, int max_ctx, float scale, int window, float softcap, int chunk, float* part,
                            unsigned* counters) {
    pdl_enter();
    extern __shared__ float smem[];
    __shared__ float scratch[32];
    __shared__ bool is_last;
    const int h = blockIdx.x, c = blockIdx.y, n_chunks = gridDim.y;
    const int len = min(state->pos + 1, max_ctx);
    const int first = window > 0 ? max(0, len - window) : 0;
    // Chunks c_begin .. c_end - 1 hold the visible positions first .. len - 1.
    const int c_begin = first / chunk, c_end = (len + chunk - 1) / chunk;
    const int n_active = c_end - c_begin;
    if (c < c_begin || c >= c_end) return;
    const int region = max(chunk, n_chunks);
    float* ps = smem;            // [region]: this chunk's scores, later the chunks' weights
    float* red = smem + region;  // [kAttnWarps][hd]
    const int kvh = h / (n_heads / n_kv_heads);
    const T* K = kc + (size_t)kvh * max_ctx * hd;
    const T* V = vc + (size_t)kvh * max_ctx * hd;
    float qr[DPL], acc[DPL];
    load_q(q + (size_t)h * hd, hd, qr);
#pragma unroll
    for (int i = 0; i < DPL; ++i) acc[i] = 0.0f;
    float run_max = -INFINITY, run_sum = 0.0f;
    const int p0 = max(c * chunk, first);
    attend_tile(qr, K, V, hd, p0, min((c + 1) * chunk, len) - p0, scale, softcap, ps, scratch, run_max, run_sum, acc);
    combine_warps(acc, hd, red);

    const size_t stride = (size_t)hd + 2;
    float* head_part = part + (size_t)h * n_chunks * stride;
    float* mine = head_part + (size_t)(c - c_begin) * stride;
    for (int d = threadIdx.x; d < hd; d += kAttnThreads) mine[2 + d] = red[d];
    if (threadIdx.x == 0) {
        mine[0] = run_max;
        mine[1] = run_sum;
    }
    // Publish the partials, then count this chunk in; the last one combines.
    __threadfence();
    __syncthreads();
    if (threadIdx.x == 0) is_last = atomicAdd(&counters[h], 1u) == (unsigned)(n_active - 1);
    __syncthreads();
    if (!is_last) return;
    __threadfence();

    float gmax = -INFINITY;
    for (int cc = threadIdx.x; cc < n_active; cc += kAttnThreads) gmax = fmaxf(gmax, __ldcg(head_part + cc * stride));
    gmax = block_max(gmax, scratch);
    float total = 0.0f;
    for (int cc = threadIdx.x; cc < n_active; cc += kAttnThreads) {
        const float wgt = expf(__ldcg(head_part + cc * stride) - gmax);
        ps[cc] = wgt;
        total += __ldcg(head_part + cc * stride + 1) * wgt;
    }
    total = block_sum(total, scratch);  // its barriers also publish ps
    const float inv = 1.0f / total;
    for (int d = threadIdx.x; d < hd; d += kAttnThreads) {
        float o = 0.0f;
        for (int cc = 0; cc < n_active; ++cc) o += __ldcg(head_part + cc * stride + 2 + d) * ps[cc];
        out[(size_t)h * hd + d] = o * inv;
    }
    if (threadIdx.x == 0) counters[h] = 0;  // ready for the next run
}

void launch_per_head(const OpLaunch& l, const SplitScratch& s) {
    const Command& c = *l.cmd;
    const int nh = (int)c.p[0], nkv = (int)c.p[1], hd = (int)c.p[2], max_ctx = (int)c.p[3];
    const int chunk = chunk_for(max_ctx), n_chunks = chunks_for(max_ctx);
    const dim3 grid((unsigned)nh, (unsigned)n_chunks);
    const size_t smem = ((size_t)std::max(chunk, n_chunks) + (size_t)kAttnWarps * hd) * sizeof(float);
    dispatch_kv_type(c.wtype, [&]<class T>() {
        dispatch_dpl(hd, [&]<int DPL>() {
            launch_pdl(attention_decode_kernel<DPL, T>, grid, kAttnThreads, smem, l.stream,
                       reinterpret_cast<const float*>(l.in[0]), reinterpret_cast<const T*>(l.in[1]),
                       reinterpret_cast<const T*>(l.in[2]), reinterpret_cast<float*>(l.out[0]), l.state, nh, nkv, hd,
                       max_ctx, c.f0, (int)c.k, c.f1, chunk, s.part, s.counters);
            AKUNU_CUDA_LAUNCHED("attention_decode_kernel");
        });
    });
}

size_t partial_bytes_aligned(int n_heads, int head_dim, int max_ctx) {
    return (split_partial_floats(n_heads, head_dim, max_ctx) * sizeof(float) + 15) / 16 * 16;
}

}  // namespace

int device_sm_count() {
    static const int sms = [] {
        int dev = 0, n = 0;
        AKUNU_CUDA_CHECK(cudaGetDevice(&dev));
        AKUNU_CUDA_CHECK(cudaDeviceGetAttribute(&n, cudaDevAttrMultiProcessorCount, dev));
        return n;
    }();
    return sms;
}

size_t split_partial_floats(int n_heads, int head_dim, int max_ctx) {
    // Per-head kernel: chunks_for(max_ctx) rows of head_dim + 2; GQA kernel: at most
    // min(256, max_ctx / 64) rows of head_dim + 4 (attention_decode_gqa.cu, gqa_chunks).
    const size_t gqa_rows = (size_t)std::min(kMaxSplitChunks, (max_ctx + 63) / 64);
    return (size_t)n_heads * std::max((size_t)chunks_for(max_ctx) * (head_dim + 2), gqa_rows * (head_dim + 4));
}

SplitScratch split_scratch(uint8_t* base, int n_heads, int head_dim, int max_ctx) {
    SplitScratch s;
    s.part = reinterpret_cast<float*>(base);
    s.counters = reinterpret_cast<unsigned*>(base + partial_bytes_aligned(n_heads, head_dim, max_ctx));
    return s;
}

bool attention_shape_supported(int n_heads, int n_kv_heads, int head_dim) {
    return n_heads > 0 && n_kv_heads > 0 && n_heads % n_kv_heads == 0 && head_dim > 0 &&
           head_dim <= kAttnMaxHeadDim;
}

size_t attention_scratch_bytes(int n_heads, int n_kv_heads, int head_dim, int max_ctx) {
    (void)n_kv_heads;  // the bound holds for any grouping
    return partial_bytes_aligned(n_heads, head_dim, max_ctx) + (size_t)n_heads * sizeof(unsigned);
}

void launch_attention(const OpLaunch& l) {
    const Command& c = *l.cmd;
    const int nh = (int)c.p[0], nkv = (int)c.p[1], hd = (int)c.p[2], max_ctx = (int)c.p[3];
    if (l.m <= 0) return;
    if (!attention_shape_supported(nh, nkv, hd)) {
        fail(ErrorKind::Unsupported, "cuda", "attention with " + std::to_string(nh) + " heads, " + std::to_string(nkv) +
                                                 " KV heads, head_dim " + std::to_string(hd));
    }
    if (l.m > 1) {
        launch_attention_prefill(l);
        return;
    }
    if (!l.attn_scratch || l.attn_scratch_bytes < attention_scratch_bytes(nh, nkv, hd, max_ctx)) {
        fail(ErrorKind::Internal, "cuda", "attention scratch missing or too small");
    }
    const SplitScratch s = split_scratch(l.attn_scratch, nh, hd, max_ctx);
    if (!launch_attention_decode_gqa(l, s)) launch_per_head(l, s);
}

}  // namespace akunu::cuda
