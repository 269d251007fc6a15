// Causal prefill attention on tensor cores, flash-attention style: a block takes 64 query tokens of
// one head (16 per warp), walks the keys its tokens can see in tiles of 64 positions staged in
// shared memory as f16, computes S = Q K^T and O += P V with mma.sync m16n8k16 (f16 inputs, f32
// accumulation) and keeps the online softmax (running max and sum per row) in registers; P goes
// from the S accumulators straight into the A operand of the second product.
//
// Why: the per-(head, token) kernel (attention_prefill.cu) re-reads every visible K/V row from L2
// for each query token — for a 512-token chunk of llama-3.2-1B, ~4 GB of L2 traffic per layer and
// 0.46 ms (measured with ncu), 59% of the whole prefill; here each K/V tile is read once per 64
// tokens and the dot products run on tensor cores.
//
// Numerics: q, k, v and the probabilities are rounded to f16 (relative 2^-11 each), scores and
// outputs accumulate in f32 — the same contract as the f16 tensor-core MatMul of the fast path,
// so the exact mode (BackendOptions::exact_activations) keeps the f32 kernel.
#include <cuda_fp16.h>

#include "backend/cuda/attention_prefill_mma.h"
#include "backend/cuda/cuda_check.h"
#include "backend/cuda/cuda_common.cuh"
#include "backend/cuda/kv_elem.cuh"

namespace akunu::cuda {
namespace {

constexpr int kBr = 64;  // query tokens per block, 16 per warp
constexpr int kBc = 64;  // key positions per tile
constexpr int kWarps = 4;
constexpr float kNeg = -1e30f;  // a masked score: finite, so a row never computes inf - inf
constexpr float kLog2e = 1.4426950408889634f;

__device__ __forceinline__ uint32_t pack_half2(float a, float b) {
    const __half2 h = __floats2half2_rn(a, b);
    return *reinterpret_cast<const uint32_t*>(&h);
}

__device__ __forceinline__ void mma16816(float (&d)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1) {
    asm volatile(
        "mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}

__device__ __forceinline__ void ldmatrix_x4_trans(uint32_t (&r)[4], const void* p) {
    const uint32_t addr = (uint32_t)__cvta_generic_to_shared(p);
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0,%1,%2,%3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
                 : "r"(addr));
}

// Positions [p0, p0 + kBc) of a KV head's [max_ctx][HD] cache into dst as f16; positions outside
// [lo, hi) as zeros (never read from memory: they may hold anything, and 0 * NaN would leak).
// Rows are padded to HD + 8 halves so that the fragment loads below hit 32 different banks.
template <int HD, class T>
__device__ __forceinline__ void load_tile(__half (*dst)[HD + 8], const T* __restrict__ src, int p0, int lo, int hi) {
    constexpr int kPerRow = HD / 8;  // 16-byte pieces of 8 halves
    for (int i = threadIdx.x; i < kBc * kPerRow; i += kWarps * 32) {
        const int r = i / kPerRow, c = (i % kPerRow) * 8, p = p0 + r;
        uint4 v = make_uint4(0, 0, 0, 0);
        if (p >= lo && p < hi) {
            const T* s = src + (size_t)p * HD + c;
            if constexpr (sizeof(T) == 2) {
                v = *reinterpret_cast<const uint4*>(s);
            } else {
                const float4 a = reinterpret_cast<const float4*>(s)[0], b = reinterpret_cast<const float4*>(s)[1];
                v = make_uint4(pack_half2(a.x, a.y), pack_half2(a.z, a.w), pack_half2(b.x, b.y), pack_half2(b.z, b.w));
            }
        }
        *reinterpret_cast<uint4*>(&dst[r][c]) = v;
    }
}

// Fragment layouts (PTX m16n8k16): thread `lane` holds rows g = lane / 4 and g + 8 of a 16-row
// tile, columns 2 (lane % 4) + {0, 1} (+ 8 for the second half of k) — one quad of 4 lanes per row.
template <int HD, class T>
__global__ void __launch_bounds__(kWarps * 32)
    attention_prefill_mma_kernel(const float* __restrict__ q, const T* __restrict__ kc, const T* __restrict__ vc,
                                 float* __restrict__ out, const DevState* __restrict__ state, int m, int n_heads,
                                 int n_kv_heads, int max_ctx, float scale, int window, float softcap) {
    __shared__ __align__(16) __half ks[kBc][HD + 8];
    __shared__ __align__(16) __half vs[kBc][HD + 8];
    const int h = blockIdx.y, warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    const int g = lane >> 2, c2 = (lane & 3) * 2;
    const int t0 = blockIdx.x * kBr, tw = t0 + warp * 16;
    const int pos0 = state->pos;
    const int kvh = h / (n_heads / n_kv_heads);
    const T* K = kc + (size_t)kvh * max_ctx * HD;
    const T* V = vc + (size_t)kvh * max_ctx * HD;

    // The visible keys of this thread's rows (tokens tw + g and tw + g + 8): [first, len), as the
    // reference; a padding row past m sees nothing and is never stored.
    int first[2], len[2];
#pragma unroll
    for (int i = 0; i < 2; ++i) {
        const int t = tw + g + 8 * i;
        len[i] = t < m ? min(pos0 + t + 1, max_ctx) : 0;
        first[i] = window > 0 ? max(0, len[i] - window) : 0;
    }
    // The block's keys: from its first token's first to its last token's end.
    const int last_t = min(t0 + kBr, m) - 1;
    const int bhi = min(pos0 + last_t + 1, max_ctx);
    const int blo = window > 0 ? max(0, min(pos0 + t0 + 1, max_ctx) - window) : 0;

    // Q as A fragments, rounded to f16 once.
    uint32_t qa[HD / 16][4];
    {
        const bool ok0 = tw + g < m, ok1 = tw + g + 8 < m;
        const float* q0 = q + ((size_t)(tw + g) * n_heads + h) * HD;
        const float* q1 = q + ((size_t)(tw + g + 8) * n_heads + h) * HD;
        const float2 z = make_float2(0.0f, 0.0f);
#pragma unroll
        for (int kk = 0; kk < HD / 16; ++kk) {
            const int d = kk * 16 + c2;
            const float2 a0 = ok0 ? *reinterpret_cast<const float2*>(q0 + d) : z;
            const float2 a1 = ok1 ? *reinterpret_cast<const float2*>(q1 + d) : z;
            const float2 a2 = ok0 ? *reinterpret_cast<const float2*>(q0 + d + 8) : z;
            const float2 a3 = ok1 ? *reinterpret_cast<const float2*>(q1 + d + 8) : z;
            qa[kk][0] = pack_half2(a0.x, a0.y);
            qa[kk][1] = pack_half2(a1.x, a1.y);
            qa[kk][2] = pack_half2(a2.x, a2.y);
            qa[kk][3] = pack_half2(a3.x, a3.y);
        }
    }

    float o[HD / 8][4];
#pragma unroll
    for (int j = 0; j < HD / 8; ++j) o[j][0] = o[j][1] = o[j][2] = o[j][3] = 0.0f;
    float row_max[2] = {kNeg, kNeg}, row_sum[2] = {0.0f, 0.0f};

    for (int p0 = blo / kBc * kBc; p0 < bhi; p0 += kBc) {
        __syncthreads();  // the previous tile is no longer read
        load_tile<HD, T>(ks, K, p0, blo, bhi);
        load_tile<HD, T>(vs, V, p0, blo, bhi);
        __syncthreads();

        float s[kBc / 8][4];
#pragma unroll
        for (int j = 0; j < kBc / 8; ++j) s[j][0] = s[j][1] = s[j][2] = s[j][3] = 0.0f;
#pragma unroll
        for (int kk = 0; kk < HD / 16; ++kk) {
#pragma unroll
            for (int j = 0; j < kBc / 8; ++j) {
                const __half* kr = &ks[j * 8 + g][kk * 16 + c2];
                mma16816(s[j], qa[kk], *reinterpret_cast<const uint32_t*>(kr), *reinterpret_cast<const uint32_t*>(kr + 8));
            }
        }
        // Scores in base 2, masked; each row's max over its quad.
        float tile_max[2] = {kNeg, kNeg};
#pragma unroll
        for (int j = 0; j < kBc / 8; ++j) {
#pragma unroll
            for (int e = 0; e < 4; ++e) {
                const int i = e >> 1, p = p0 + j * 8 + c2 + (e & 1);
                float v = s[j][e] * scale;
                if (softcap > 0.0f) v = softcap * tanhf(v / softcap);
                v = (p >= first[i] && p < len[i]) ? v * kLog2e : kNeg;
                s[j][e] = v;
                tile_max[i] = fmaxf(tile_max[i], v);
            }
        }
        float corr[2];
#pragma unroll
        for (int i = 0; i < 2; ++i) {
            tile_max[i] = fmaxf(tile_max[i], __shfl_xor_sync(kFullMask, tile_max[i], 1));
            tile_max[i] = fmaxf(tile_max[i], __shfl_xor_sync(kFullMask, tile_max[i], 2));
            const float new_max = fmaxf(row_max[i], tile_max[i]);
            corr[i] = exp2f(row_max[i] - new_max);  // 1 while a row has seen nothing (both kNeg)
            row_max[i] = new_max;
        }
        // Probabilities (0 where masked) as the A fragments of P V.
        uint32_t pa[kBc / 16][4];
        float tile_sum[2] = {0.0f, 0.0f};
#pragma unroll
        for (int j = 0; j < kBc / 8; ++j) {
            float p[4];
#pragma unroll
            for (int e = 0; e < 4; ++e) {
                const int i = e >> 1;
                p[e] = s[j][e] > 0.5f * kNeg ? exp2f(s[j][e] - row_max[i]) : 0.0f;
                tile_sum[i] += p[e];
            }
            pa[j >> 1][(j & 1) * 2 + 0] = pack_half2(p[0], p[1]);
            pa[j >> 1][(j & 1) * 2 + 1] = pack_half2(p[2], p[3]);
        }
#pragma unroll
        for (int i = 0; i < 2; ++i) {
            tile_sum[i] += __shfl_xor_sync(kFullMask, tile_sum[i], 1);
            tile_sum[i] += __shfl_xor_sync(kFullMask, tile_sum[i], 2);
            row_sum[i] = row_sum[i] * corr[i] + tile_sum[i];
        }
#pragma unroll
        for (int j = 0; j < HD / 8; ++j) {
            o[j][0] *= corr[0];
            o[j][1] *= corr[0];
            o[j][2] *= corr[1];
            o[j][3] *= corr[1];
        }
        // O += P V: V tiles as B fragments, transposed out of the row-major tile by ldmatrix.
        const int mi = lane >> 3, rr = lane & 7;
#pragma unroll
        for (int kk = 0; kk < kBc / 16; ++kk) {
#pragma unroll
            for (int j = 0; j < HD / 8; j += 2) {
                uint32_t b[4];
                ldmatrix_x4_trans(b, &vs[kk * 16 + (mi & 1) * 8 + rr][(j + (mi >> 1)) * 8]);
                mma16816(o[j], pa[kk], b[0], b[1]);
                mma16816(o[j + 1], pa[kk], b[2], b[3]);
            }
        }
    }

#pragma unroll
    for (int i = 0; i < 2; ++i) {
        const int t = tw + g + 8 * i;
        if (t >= m) continue;
        const float inv = row_sum[i] > 0.0f ? 1.0f / row_sum[i] : 0.0f;
        float* dst = out + ((size_t)t * n_heads + h) * HD + c2;
#pragma unroll
        for (int j = 0; j < HD / 8; ++j) {
            *reinterpret_cast<float2*>(dst + j * 8) = make_float2(o[j][2 * i] * inv, o[j][2 * i + 1] * inv);
        }
    }
}

template <int HD>
void launch_hd(const OpLaunch& l) {
    const Command& c = *l.cmd;
    const int nh = (int)c.p[0], nkv = (int)c.p[1], max_ctx = (int)c.p[3];
    const dim3 grid((unsigned)ceil_div((size_t)l.m, (size_t)kBr), (unsigned)nh);
    dispatch_kv_type(c.wtype, [&]<class T>() {
        attention_prefill_mma_kernel<HD, T><<<grid, kWarps * 32, 0, l.stream>>>(
            reinterpret_cast<const float*>(l.in[0]), reinterpret_cast<const T*>(l.in[1]),
            reinterpret_cast<const T*>(l.in[2]), reinterpret_cast<float*>(l.out[0]), l.state, l.m, nh, nkv, max_ctx,
            c.f0, (int)c.k, c.f1);
        AKUNU_CUDA_LAUNCHED("attention_prefill_mma_kernel");
    });
}

}  // namespace

bool launch_attention_prefill_mma(const OpLaunch& l) {
    const Command& c = *l.cmd;
    const int hd = (int)c.p[2];
    if (l.exact_activations || l.m < 2 || hd % 16 != 0 || hd > 128) return false;
    if (!aligned16(l.in[0]) || !aligned16(l.in[1]) || !aligned16(l.in[2]) || !aligned16(l.out[0])) return false;
    switch (hd) {
        case 16: launch_hd<16>(l); return true;
        case 32: launch_hd<32>(l); return true;
        case 48: launch_hd<48>(l); return true;
        case 64: launch_hd<64>(l); return true;
        case 80: launch_hd<80>(l); return true;
        case 96: launch_hd<96>(l); return true;
        case 112: launch_hd<112>(l); return true;
        case 128: launch_hd<128>(l); return true;
        default: return false;
    }
}

}  // namespace akunu::cuda
