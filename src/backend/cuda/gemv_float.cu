// GEMV (one token) for F32, F16 and BF16 weights, f32 accumulation.
//
// Shape (as the packed quantized GEMV, gemv_q_packed.cu): a CTA of T = 32..128 threads owns R
// consecutive rows; thread t takes the 16-byte chunks t, t + T, ... (4 f32 or 8 f16/bf16 weights
// each) of all R rows, U chunks per row at a time, and keeps the next strip's loads in flight while
// it multiplies the current one; the warps' partial sums meet in shared memory. Weights stream
// with ld.global.nc.L1::no_allocate (read once, they should not evict the activation vector that
// every CTA of the SM re-reads from L1); the first strip is requested before the programmatic-
// dependent-launch wait, since weights never depend on the previous kernel.
//
// q / k / v and gate / up may run as one launch (launch_gemv_float_group, up to three matrices).
//
// Why not one warp per row (the previous kernel): a warp had at most 4 loads of one row in flight
// and every CTA only 4 rows, so the 1B F16 decode read 2.5 GB per token at 36% of the H200's
// bandwidth. Here a thread has 2 x R x U independent 16-byte loads outstanding (up to 16), which is
// what the latency x bandwidth product of HBM3 needs (~20 KB in flight per SM).
//
// Needs k a multiple of the vector width and 16-byte aligned rows and x; otherwise the caller falls
// back to the tiled kernel (gemm_tiled.cu), which takes any shape.
#include "backend/cuda/cuda_ops.h"
#include "backend/cuda/gemv_common.cuh"
#include "backend/cuda/gemv_rows.cuh"

namespace akunu::cuda {
namespace {

constexpr int kMaxThreads = 128;
constexpr int kChunksPerRow = 2;  // U: 16-byte chunks of each row per thread and strip

// The dot of one 16-byte chunk c of a row with x.
template <DType T>
__device__ __forceinline__ float chunk_dot(const uint4& q, const float4* __restrict__ xv, int c) {
    if constexpr (T == DType::F32) {
        const float4 a = __ldg(xv + c);
        return __uint_as_float(q.x) * a.x + __uint_as_float(q.y) * a.y + __uint_as_float(q.z) * a.z +
               __uint_as_float(q.w) * a.w;
    } else {
        const float4 a = __ldg(xv + 2 * c), b = __ldg(xv + 2 * c + 1);
        const uint32_t w[4] = {q.x, q.y, q.z, q.w};
        float v[8];
#pragma unroll
        for (int i = 0; i < 4; ++i) {
            const uint16_t lo = (uint16_t)w[i], hi = (uint16_t)(w[i] >> 16);
            v[2 * i] = T == DType::BF16 ? bf2f(lo) : h2f(lo);
            v[2 * i + 1] = T == DType::BF16 ? bf2f(hi) : h2f(hi);
        }
        return (v[0] * a.x + v[1] * a.y + v[2] * a.z + v[3] * a.w) + (v[4] * b.x + v[5] * b.y + v[6] * b.z + v[7] * b.w);
    }
}

struct DenseSet {
    GroupCtas ctas;
    const uint8_t* w[kMaxDenseGroup];
    float* y[kMaxDenseGroup];
};
static_assert(kMaxDenseGroup <= kMaxGroupMatrices, "gemv_rows.cuh selects among three matrices");

template <DType T, int R>
__global__ void __launch_bounds__(kMaxThreads)
    gemv_dense_kernel(const DenseSet set, const float* __restrict__ x, int chunks, int accumulate) {
    constexpr int U = kChunksPerRow;
    const int t = threadIdx.x, nt = blockDim.x, cta = blockIdx.x;
    const GroupMember mi(set.ctas, cta);
    const int n = mi.pick(set.ctas.n[0], set.ctas.n[1], set.ctas.n[2]);
    const uint8_t* __restrict__ w = mi.pick(set.w[0], set.w[1], set.w[2]);
    float* __restrict__ y = mi.pick(set.y[0], set.y[1], set.y[2]);
    const int row0 = (cta - mi.pick(set.ctas.cta0[0], set.ctas.cta0[1], set.ctas.cta0[2])) * R;
    const uint4* wrow[R];
#pragma unroll
    for (int r = 0; r < R; ++r) {
        // A short last CTA re-reads its last row, never stores it.
        wrow[r] = reinterpret_cast<const uint4*>(w) + (size_t)min(row0 + r, n - 1) * chunks;
    }
    uint4 q[R][U];
    auto load = [&](int c0) {
#pragma unroll
        for (int u = 0; u < U; ++u) {
            const int c = c0 + u * nt;
#pragma unroll
            for (int r = 0; r < R; ++r) q[r][u] = c < chunks ? ld_stream(wrow[r] + c) : make_uint4(0, 0, 0, 0);
        }
    };
    asm volatile("griddepcontrol.launch_dependents;\n" ::);
    int c0 = t;
    load(c0);
    asm volatile("griddepcontrol.wait;\n" ::: "memory");

    const float4* xv = reinterpret_cast<const float4*>(x);
    float acc[R];
#pragma unroll
    for (int r = 0; r < R; ++r) acc[r] = 0.0f;
    while (c0 < chunks) {
        uint4 cq[R][U];
#pragma unroll
        for (int r = 0; r < R; ++r)
#pragma unroll
            for (int u = 0; u < U; ++u) cq[r][u] = q[r][u];
        const int next = c0 + U * nt;
        if (next < chunks) load(next);  // the next strip is in flight while this one is multiplied
#pragma unroll
        for (int u = 0; u < U; ++u) {
            const int c = c0 + u * nt;
            if (c < chunks) {
#pragma unroll
                for (int r = 0; r < R; ++r) acc[r] += chunk_dot<T>(cq[r][u], xv, c);
            }
        }
        c0 = next;
    }

    store_rows<R, kMaxThreads>(acc, y, row0, n, accumulate != 0);
}

template <DType T, int R>
void launch_rows(const DenseGemv* mats, int count, const float* x, int chunks, int threads, bool accumulate,
                 cudaStream_t s) {
    DenseSet set{};
    int n[kMaxDenseGroup];
    for (int i = 0; i < count; ++i) {
        set.w[i] = mats[i].w;
        set.y[i] = mats[i].y;
        n[i] = mats[i].n;
    }
    const int ctas = plan_group_ctas(set.ctas, n, count, R);
    launch_pdl(gemv_dense_kernel<T, R>, dim3((unsigned)ctas), dim3(threads), 0, s, set, x, chunks, accumulate ? 1 : 0);
    AKUNU_CUDA_LAUNCHED("gemv_dense_kernel");
}

template <DType T>
void launch(const DenseGemv* mats, int count, const float* x, int k, bool accumulate, cudaStream_t s) {
    const int chunks = k / (T == DType::F32 ? 4 : 8);
    // As many threads as one strip of U chunks per thread needs, in whole warps, at most 4 warps.
    const int warps = (int)ceil_div((size_t)chunks, (size_t)(32 * kChunksPerRow));
    const int threads = 32 * (warps < kMaxThreads / 32 ? warps : kMaxThreads / 32);
    int n = 0;
    for (int i = 0; i < count; ++i) n += mats[i].n;
    // Rows per CTA: the most that still leaves >= 512 CTAs (a few per SM to hide latency).
    constexpr int kMinCtas = 512;
    if (n >= 4 * kMinCtas) {
        launch_rows<T, 4>(mats, count, x, chunks, threads, accumulate, s);
    } else if (n >= 2 * kMinCtas) {
        launch_rows<T, 2>(mats, count, x, chunks, threads, accumulate, s);
    } else {
        launch_rows<T, 1>(mats, count, x, chunks, threads, accumulate, s);
    }
}

bool launch_any(DType type, const DenseGemv* mats, int count, const float* x, int k, bool accumulate, cudaStream_t s) {
    const int vec = type == DType::F32 ? 4 : 8;
    if (count < 1 || count > kMaxDenseGroup || k % vec != 0 || !aligned16(x)) return false;
    for (int i = 0; i < count; ++i) {
        if (!aligned16(mats[i].w) || mats[i].n <= 0) return false;
    }
    switch (type) {
        case DType::F32: launch<DType::F32>(mats, count, x, k, accumulate, s); return true;
        case DType::F16: launch<DType::F16>(mats, count, x, k, accumulate, s); return true;
        case DType::BF16: launch<DType::BF16>(mats, count, x, k, accumulate, s); return true;
        default: return false;
    }
}

}  // namespace

bool launch_gemv_float(DType type, const uint8_t* w, const float* x, float* y, int n, int k, bool accumulate,
                       cudaStream_t s) {
    const DenseGemv one{w, y, n};
    return launch_any(type, &one, 1, x, k, accumulate, s);
}

bool launch_gemv_float_group(DType type, const DenseGemv* mats, int count, const float* x, int k, cudaStream_t s) {
    return launch_any(type, mats, count, x, k, false, s);
}

}  // namespace akunu::cuda
