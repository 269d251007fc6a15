// Decode attention for long contexts, bandwidth first (attention_split.h has the shared scheme).
//
// Why not the per-head kernel: at llama-3-8B depth 4096 it spent ~44 us per layer reading 32 MB of
// f32 K/V (0.76 TB/s): every query head of a GQA group re-read its KV head, and each tile walked
// score / barrier / softmax / barrier / value phases, so few loads were in flight.
//
// Here one block serves a KV head and up to GMAX of its query heads (a subgroup) over one chunk of
// positions, so K/V are read once per group. Each warp owns a contiguous run of the chunk; TPR
// lanes share a row (16 bytes each: 8 f16 or 4 f32 elements), so a warp covers 32 / TPR rows per
// load and keeps kUnroll such loads of K and of V in flight. Every row slot of lanes keeps its own
// online softmax (running max and sum in base 2, accumulators rescaled when the max grows): no
// barrier inside the main loop. Row slots, then warps, merge at the end; the chunk's partials go to
// the scratch and the last block of the group combines the chunks.
//
// The chunk is cut at run time from the visible length (pos + 1, or the window), so every block of
// the grid (sized from max_ctx) has work at any depth, with at least kMinPer positions each; a
// context that fits one chunk writes the output directly.
//
// Prediction, llama-3-8B Q4_0 at depth 4096 with an f16 cache: 16 MB of K/V per layer; at ~3 TB/s
// effective that is ~5.5 us per layer (was ~44), ~1.2 ms less per token: ~330 -> ~450-500 tok/s.
// Measured (H200, same run): 332.7 -> 458.6 tok/s (f32 cache: 432.9); ~10 us per layer remain, the
// f32 ALU work of 4 query heads per row overlapping memory only in part (bench/RESULTS.md, session 4).
#include <cuda_fp16.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "backend/cuda/attention_split.h"
#include "backend/cuda/cuda_check.h"
#include "backend/cuda/cuda_common.cuh"
#include "backend/cuda/kv_elem.cuh"
#include "core/error.h"

namespace akunu::cuda {
namespace {

constexpr int kWarps = 4;  // two such blocks per SM measured faster than one of 8 warps (bench/RESULTS.md)
constexpr int kThreads = kWarps * 32;
constexpr int kUnroll = 4;     // row loads of K (and of V) in flight per lane
constexpr int kMinPer = 64;    // fewest positions a chunk takes
// GMAX * floats per lane per row (q and accumulators live in registers): the most that compiles
// without spills for sm_90 at 128 threads (two row loads per lane, NV = 2, leave less room).
constexpr int lane_float_budget(int nv) { return nv == 1 ? 64 : 32; }
constexpr float kLog2e = 1.4426950408889634f;

template <class T>
constexpr int kVec = 16 / (int)sizeof(T);  // elements per 16-byte load

// Dynamic shared memory, in floats: [kWarps][gmax][hd] warp accumulators, later [gmax][chunks]
// chunk weights; then (16-byte aligned) the combine's float4 sums, one per thread (used only when
// there are fewer output columns than threads).
__host__ __device__ constexpr int combine_sums_offset(int gmax, int hd, int chunks) {
    return (gmax * (kWarps * hd > chunks ? kWarps * hd : chunks) + 3) / 4 * 4;
}
__host__ __device__ constexpr int smem_floats(int gmax, int hd, int chunks) {
    return combine_sums_offset(gmax, hd, chunks) + 4 * kThreads;
}

__device__ __forceinline__ void unpack(const uint4& r, float (&f)[4]) {
    f[0] = __uint_as_float(r.x);
    f[1] = __uint_as_float(r.y);
    f[2] = __uint_as_float(r.z);
    f[3] = __uint_as_float(r.w);
}

__device__ __forceinline__ void unpack(const uint4& r, float (&f)[8]) {
    const uint32_t w[4] = {r.x, r.y, r.z, r.w};
#pragma unroll
    for (int i = 0; i < 4; ++i) {
        __half2 h;
        memcpy(&h, &w[i], 4);
        const float2 x = __half22float2(h);
        f[2 * i] = x.x;
        f[2 * i + 1] = x.y;
    }
}

// exp2(a - b) with exp2(-inf - anything) = 0 (an empty softmax state carries no weight).
__device__ __forceinline__ float rescale(float a, float b) { return a == -INFINITY ? 0.0f : exp2f(a - b); }

template <class T, int TPR, int NV, int GMAX>
__global__ void __launch_bounds__(kThreads)
    attention_decode_gqa_kernel(const float* __restrict__ q, const T* __restrict__ kc, const T* __restrict__ vc,
                                float* __restrict__ out, const DevState* __restrict__ state, int group, int subgroups,
                                int hd, int max_ctx, float scale, int window, float softcap, float* __restrict__ part,
                                unsigned* __restrict__ counters) {
    constexpr int VEC = kVec<T>;
    constexpr int RPW = 32 / TPR;  // rows a warp covers per load
    constexpr int E = NV * VEC;    // floats of a row per lane
    pdl_enter();
    __shared__ float sm_m[kWarps][GMAX], sm_l[kWarps][GMAX];
    __shared__ bool is_last;
    extern __shared__ float smem[];  // smem_floats(GMAX, hd, chunks)

    const int kvg = blockIdx.x, c = blockIdx.y, n_chunks = gridDim.y;
    const int kvh = kvg / subgroups, sg = kvg % subgroups;
    const int h0 = kvh * group + sg * GMAX;
    const int g_here = min(GMAX, group - sg * GMAX);
    const int len = min(state->pos + 1, max_ctx);
    const int first = window > 0 ? max(0, len - window) : 0;
    const int n = len - first;
    const int per = max(kMinPer, (n + n_chunks - 1) / n_chunks);
    const int n_active = (n + per - 1) / per;
    if (c >= n_active) return;
    const int c0 = first + c * per, c1 = min(c0 + per, len);
    const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    const int wper = ((c1 - c0 + kWarps - 1) / kWarps + RPW - 1) / RPW * RPW;
    const int w0 = c0 + warp * wper, w1 = min(w0 + wper, c1);
    const int r = lane / TPR, t = lane % TPR;
    const int nvec = hd / VEC;

    float qf[GMAX][E];
#pragma unroll
    for (int j = 0; j < GMAX; ++j) {
#pragma unroll
        for (int v = 0; v < NV; ++v) {
            const int vi = t + v * TPR;
            const bool ok = j < g_here && vi < nvec;
#pragma unroll
            for (int e4 = 0; e4 < VEC / 4; ++e4) {
                float4 x = make_float4(0.0f, 0.0f, 0.0f, 0.0f);
                if (ok) x = *reinterpret_cast<const float4*>(q + (size_t)(h0 + j) * hd + vi * VEC + 4 * e4);
                qf[j][v * VEC + 4 * e4] = x.x * scale;
                qf[j][v * VEC + 4 * e4 + 1] = x.y * scale;
                qf[j][v * VEC + 4 * e4 + 2] = x.z * scale;
                qf[j][v * VEC + 4 * e4 + 3] = x.w * scale;
            }
        }
    }
    float m[GMAX], l[GMAX], acc[GMAX][E];
#pragma unroll
    for (int j = 0; j < GMAX; ++j) {
        m[j] = -INFINITY;
        l[j] = 0.0f;
#pragma unroll
        for (int e = 0; e < E; ++e) acc[j][e] = 0.0f;
    }
    const T* K = kc + (size_t)kvh * max_ctx * hd;
    const T* V = vc + (size_t)kvh * max_ctx * hd;

    // Rows b + u * RPW + r of the warp's run into registers (zeros past w1: no load).
    auto load_rows = [&](int b, uint4 (&kr)[kUnroll][NV], uint4 (&vr)[kUnroll][NV]) {
#pragma unroll
        for (int u = 0; u < kUnroll; ++u) {
            const int p = b + u * RPW + r;
#pragma unroll
            for (int v = 0; v < NV; ++v) {
                const int vi = t + v * TPR;
                kr[u][v] = make_uint4(0, 0, 0, 0);
                vr[u][v] = make_uint4(0, 0, 0, 0);
                if (p < w1 && vi < nvec) {
                    const size_t off = (size_t)p * hd + (size_t)vi * VEC;
                    kr[u][v] = __ldg(reinterpret_cast<const uint4*>(K + off));
                    vr[u][v] = __ldg(reinterpret_cast<const uint4*>(V + off));
                }
            }
        }
    };
    // Double-buffered: the next rows' loads are issued before this iteration's arithmetic, so a
    // warp waits on memory about once per run instead of once per iteration.
    uint4 kr[kUnroll][NV], vr[kUnroll][NV];
    load_rows(w0, kr, vr);
    // w0 / w1 are the same for the whole warp, so every lane runs every iteration (shuffles below).
    for (int b = w0; b < w1; b += RPW * kUnroll) {
        uint4 kn[kUnroll][NV], vn[kUnroll][NV];
        load_rows(b + RPW * kUnroll, kn, vn);
        float s[kUnroll][GMAX];
#pragma unroll
        for (int u = 0; u < kUnroll; ++u) {
#pragma unroll
            for (int j = 0; j < GMAX; ++j) s[u][j] = 0.0f;
#pragma unroll
            for (int v = 0; v < NV; ++v) {
                float kf[VEC];
                unpack(kr[u][v], kf);
#pragma unroll
                for (int j = 0; j < GMAX; ++j) {
#pragma unroll
                    for (int e = 0; e < VEC; ++e) s[u][j] = fmaf(qf[j][v * VEC + e], kf[e], s[u][j]);
                }
            }
        }
#pragma unroll
        for (int o = TPR / 2; o > 0; o >>= 1) {
#pragma unroll
            for (int u = 0; u < kUnroll; ++u) {
#pragma unroll
                for (int j = 0; j < GMAX; ++j) s[u][j] += __shfl_xor_sync(kFullMask, s[u][j], o);
            }
        }
#pragma unroll
        for (int u = 0; u < kUnroll; ++u) {
            const bool ok = b + u * RPW + r < w1;
#pragma unroll
            for (int j = 0; j < GMAX; ++j) {
                float x = s[u][j];
                if (softcap > 0.0f) x = softcap * tanhf(x / softcap);
                s[u][j] = ok ? x * kLog2e : -INFINITY;
            }
        }
        float vf[kUnroll][E];
#pragma unroll
        for (int u = 0; u < kUnroll; ++u) {
#pragma unroll
            for (int v = 0; v < NV; ++v) {
                float x[VEC];
                unpack(vr[u][v], x);
#pragma unroll
                for (int e = 0; e < VEC; ++e) vf[u][v * VEC + e] = x[e];
            }
        }
#pragma unroll
        for (int j = 0; j < GMAX; ++j) {
            float mx = s[0][j];
#pragma unroll
            for (int u = 1; u < kUnroll; ++u) mx = fmaxf(mx, s[u][j]);
            const float mn = fmaxf(m[j], mx);
            if (mn == -INFINITY) continue;  // this row slot has seen no position yet
            // Rescaled on every iteration: skipping it while the max holds (a branch, or a stale
            // max with slack) measured no faster on an H200 (bench/RESULTS.md, session 4).
            const float corr = rescale(m[j], mn);
            float w[kUnroll];
            float sum = 0.0f;
#pragma unroll
            for (int u = 0; u < kUnroll; ++u) {
                w[u] = exp2f(s[u][j] - mn);
                sum += w[u];
            }
            l[j] = l[j] * corr + sum;
            m[j] = mn;
#pragma unroll
            for (int e = 0; e < E; ++e) {
                float a = acc[j][e] * corr;
#pragma unroll
                for (int u = 0; u < kUnroll; ++u) a = fmaf(w[u], vf[u][e], a);
                acc[j][e] = a;
            }
        }
#pragma unroll
        for (int u = 0; u < kUnroll; ++u) {
#pragma unroll
            for (int v = 0; v < NV; ++v) {
                kr[u][v] = kn[u][v];
                vr[u][v] = vn[u][v];
            }
        }
    }

    // Row slots of the warp into slot 0 (lanes t of every slot hold the same dims).
#pragma unroll
    for (int o = TPR; o < 32; o <<= 1) {
#pragma unroll
        for (int j = 0; j < GMAX; ++j) {
            const float mo = __shfl_xor_sync(kFullMask, m[j], o);
            const float lo = __shfl_xor_sync(kFullMask, l[j], o);
            const float mn = fmaxf(m[j], mo);
            const float ca = rescale(m[j], mn), cb = rescale(mo, mn);
            l[j] = l[j] * ca + lo * cb;
            m[j] = mn;
#pragma unroll
            for (int e = 0; e < E; ++e) {
                const float ao = __shfl_xor_sync(kFullMask, acc[j][e], o);
                acc[j][e] = acc[j][e] * ca + ao * cb;
            }
        }
    }
    if (r == 0) {
#pragma unroll
        for (int j = 0; j < GMAX; ++j) {
#pragma unroll
            for (int v = 0; v < NV; ++v) {
                const int vi = t + v * TPR;
                if (vi < nvec) {
#pragma unroll
                    for (int e = 0; e < VEC; ++e) smem[(warp * GMAX + j) * hd + vi * VEC + e] = acc[j][v * VEC + e];
                }
            }
            if (lane == 0) {
                sm_m[warp][j] = m[j];
                sm_l[warp][j] = l[j];
            }
        }
    }
    __syncthreads();

    // The warps into the block's result for (head j, dim d); one chunk: the output itself.
    const int stride = hd + 4;  // [max, sum, -, -, output[hd]]: 16-byte aligned rows
    for (int idx = threadIdx.x; idx < g_here * hd; idx += kThreads) {
        const int j = idx / hd, d = idx % hd;
        float mx = -INFINITY;
#pragma unroll
        for (int w = 0; w < kWarps; ++w) mx = fmaxf(mx, sm_m[w][j]);
        float o = 0.0f, sum = 0.0f;
#pragma unroll
        for (int w = 0; w < kWarps; ++w) {
            const float wt = rescale(sm_m[w][j], mx);
            sum += sm_l[w][j] * wt;
            o += smem[(w * GMAX + j) * hd + d] * wt;
        }
        if (n_active == 1) {
            out[(size_t)(h0 + j) * hd + d] = o / sum;
        } else {
            float* slot = part + ((size_t)(h0 + j) * n_chunks + c) * stride;
            slot[4 + d] = o;
            if (d == 0) {
                slot[0] = mx;
                slot[1] = sum;
            }
        }
    }
    if (n_active == 1) return;

    // Publish the partials, then count this chunk in; the last one combines.
    __threadfence();
    __syncthreads();
    if (threadIdx.x == 0) is_last = atomicAdd(&counters[kvg], 1u) == (unsigned)(n_active - 1);
    __syncthreads();
    if (!is_last) return;
    __threadfence();

    float* wts = smem;  // [GMAX][n_active]: each chunk's weight, normalised
    for (int j = warp; j < g_here; j += kWarps) {
        const float* head = part + (size_t)(h0 + j) * n_chunks * stride;
        float gmax = -INFINITY;
        for (int cc = lane; cc < n_active; cc += 32) gmax = fmaxf(gmax, __ldcg(head + (size_t)cc * stride));
        gmax = warp_max(gmax);
        float total = 0.0f;
        for (int cc = lane; cc < n_active; cc += 32) {
            const float wt = exp2f(__ldcg(head + (size_t)cc * stride) - gmax);
            wts[j * n_active + cc] = wt;
            total += wt * __ldcg(head + (size_t)cc * stride + 1);
        }
        const float inv = 1.0f / warp_sum(total);
        for (int cc = lane; cc < n_active; cc += 32) wts[j * n_active + cc] *= inv;
    }
    __syncthreads();
    // Columns of 4 output floats. Where there are fewer columns than threads, `split` groups of
    // threads each take every split-th chunk of a column (more loads in flight than one thread
    // walking all chunks) and their sums meet in shared memory.
    const int q4 = hd / 4, cols = g_here * q4;
    const int split = max(1, kThreads / cols);
    auto column = [&](int col, int c_first, int c_step) {
        const int j = col / q4, d4 = col % q4;
        const float* head = part + (size_t)(h0 + j) * n_chunks * stride + 4 + 4 * d4;
        float4 o = make_float4(0.0f, 0.0f, 0.0f, 0.0f);
#pragma unroll 8
        for (int cc = c_first; cc < n_active; cc += c_step) {
            const float wt = wts[j * n_active + cc];
            const float4 x = __ldcg(reinterpret_cast<const float4*>(head + (size_t)cc * stride));
            o.x = fmaf(wt, x.x, o.x);
            o.y = fmaf(wt, x.y, o.y);
            o.z = fmaf(wt, x.z, o.z);
            o.w = fmaf(wt, x.w, o.w);
        }
        return o;
    };
    auto store = [&](int col, float4 o) {
        *reinterpret_cast<float4*>(out + (size_t)(h0 + col / q4) * hd + 4 * (col % q4)) = o;
    };
    if (split == 1) {
        for (int col = threadIdx.x; col < cols; col += kThreads) store(col, column(col, 0, 1));
    } else {
        float4* sums = reinterpret_cast<float4*>(smem + combine_sums_offset(GMAX, hd, n_chunks));
        if (threadIdx.x < split * cols) sums[threadIdx.x] = column(threadIdx.x % cols, threadIdx.x / cols, split);
        __syncthreads();
        for (int col = threadIdx.x; col < cols; col += kThreads) {
            float4 o = sums[col];
            for (int k = 1; k < split; ++k) {
                const float4 x = sums[k * cols + col];
                o.x += x.x;
                o.y += x.y;
                o.z += x.z;
                o.w += x.w;
            }
            store(col, o);
        }
    }
    if (threadIdx.x == 0) counters[kvg] = 0;  // ready for the next run
}

int pow2_at_least(int x) {
    int p = 1;
    while (p < x) p *= 2;
    return p;
}

template <class T, int TPR, int NV>
void launch_gmax(const OpLaunch& l, const SplitScratch& s, int gmax) {
    const Command& c = *l.cmd;
    const int nh = (int)c.p[0], nkv = (int)c.p[1], hd = (int)c.p[2], max_ctx = (int)c.p[3];
    const int group = nh / nkv;
    const int subgroups = (group + gmax - 1) / gmax;
    const int chunks = gqa_chunks(nkv * subgroups, max_ctx);
    const dim3 grid((unsigned)(nkv * subgroups), (unsigned)chunks);
    const size_t smem = (size_t)smem_floats(gmax, hd, chunks) * sizeof(float);
    auto go = [&](auto kernel) {
        launch_pdl(kernel, grid, kThreads, smem, l.stream, reinterpret_cast<const float*>(l.in[0]),
                   reinterpret_cast<const T*>(l.in[1]), reinterpret_cast<const T*>(l.in[2]),
                   reinterpret_cast<float*>(l.out[0]), l.state, group, subgroups, hd, max_ctx, c.f0, (int)c.k, c.f1,
                   s.part, s.counters);
        AKUNU_CUDA_LAUNCHED("attention_decode_gqa_kernel");
    };
    constexpr int E = NV * kVec<T>;
    switch (gmax) {
        case 1: go(attention_decode_gqa_kernel<T, TPR, NV, 1>); break;
        case 2: go(attention_decode_gqa_kernel<T, TPR, NV, 2>); break;
        case 4:
            if constexpr (4 * E <= lane_float_budget(NV)) go(attention_decode_gqa_kernel<T, TPR, NV, 4>);
            else fail(ErrorKind::Internal, "cuda", "attention subgroup of 4 over the register budget");
            break;
        default:
            if constexpr (8 * E <= lane_float_budget(NV)) go(attention_decode_gqa_kernel<T, TPR, NV, 8>);
            else fail(ErrorKind::Internal, "cuda", "attention subgroup of 8 over the register budget");
            break;
    }
}

template <class T>
bool launch_typed(const OpLaunch& l, const SplitScratch& s) {
    const Command& c = *l.cmd;
    const int nh = (int)c.p[0], nkv = (int)c.p[1], hd = (int)c.p[2];
    constexpr int VEC = kVec<T>;
    if (hd % VEC != 0) return false;
    const int nvec = hd / VEC;
    if (nvec > 64) return false;
    const int nv = nvec > 32 ? 2 : 1;
    const int gcap = lane_float_budget(nv) / (nv * VEC);
    const int gmax = std::min({pow2_at_least(nh / nkv), 8, gcap});
    if (nvec <= 8) launch_gmax<T, 8, 1>(l, s, gmax);
    else if (nvec <= 16) launch_gmax<T, 16, 1>(l, s, gmax);
    else if (nvec <= 32) launch_gmax<T, 32, 1>(l, s, gmax);
    else launch_gmax<T, 32, 2>(l, s, gmax);
    return true;
}

// AKUNU_CUDA_ATTN=split keeps decode on the per-head kernel (A/B measurement in one build).
bool gqa_disabled() {
    static const bool off = [] {
        const char* e = std::getenv("AKUNU_CUDA_ATTN");
        return e != nullptr && std::strcmp(e, "split") == 0;
    }();
    return off;
}

// Blocks per SM the grid aims at, at full context: 2 by default (measured best for llama-3-8B on
// an H200 against 1, 3 and 4); AKUNU_CUDA_ATTN_BLOCKS_PER_SM=N for tuning runs.
int blocks_per_sm() {
    static const int n = [] {
        const char* e = std::getenv("AKUNU_CUDA_ATTN_BLOCKS_PER_SM");
        const int v = e ? std::atoi(e) : 0;
        return v >= 1 && v <= 16 ? v : 2;
    }();
    return n;
}

}  // namespace

int gqa_chunks(int blocks_per_chunk, int max_ctx) {
    const int want = (blocks_per_sm() * device_sm_count() + blocks_per_chunk - 1) / std::max(1, blocks_per_chunk);
    const int useful = (max_ctx + kMinPer - 1) / kMinPer;
    return std::max(1, std::min({want, useful, kMaxSplitChunks}));
}

bool launch_attention_decode_gqa(const OpLaunch& l, const SplitScratch& s) {
    if (gqa_disabled()) return false;
    if (!aligned16(l.in[0]) || !aligned16(l.in[1]) || !aligned16(l.in[2]) || !aligned16(l.out[0])) return false;
    bool done = false;
    dispatch_kv_type(l.cmd->wtype, [&]<class T>() { done = launch_typed<T>(l, s); });
    return done;
}

}  // namespace akunu::cuda
