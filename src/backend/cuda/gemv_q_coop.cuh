// Bandwidth-oriented GEMV (one token, M = 1) for Q4_0 and Q8_0: four lanes cooperate on each
// 32-element block, so a warp walks 8 consecutive blocks (144 / 272 contiguous bytes of a row) per
// step with coalesced 2-byte loads (every block is 2-byte aligned; no 16-byte row alignment is
// needed), and x is read as coalesced float4s (a warp step reads 1 KB of x, contiguous).
//
// Memory-level parallelism: each lane issues all loads of U steps (U x 8 blocks per warp) for R rows
// before using any of them: U*R*(3..5) independent 2-byte weight loads plus U*2 float4 x loads in
// flight per lane (the old kernel had one block's dependent loads per iteration). x float4s are
// loaded once per step and reused for the R rows a warp handles, which halves x traffic through
// L1 at R = 2 (x is 4 bytes per weight element vs 0.56 / 1.06 weight bytes: x, not weights, is
// the L1 load-bandwidth hot spot).
//
// Prediction (H100, ~2.8-3.0 TB/s reachable): llama-3-8B Q4_0 ffn 14336x4096 reads 33 MB -> ~12 us;
// 4096x14336 (down) 33 MB -> ~12 us; 4096x4096 (q/o) 9.4 MB -> ~4 us (launch/tail bound). Expect
// the Q4_0 decode GEMVs to go from ~15% to ~60-80% of peak (2-4x on the GEMV part of a token).
//
// Numerics: the same f32 formula as DotUnit (d * sum(q * x) per block, f32), split over 4 lanes
// (d * partial per lane) and a different summation order; no change in accuracy class.
#pragma once

#include "backend/cuda/gemv_common.cuh"

namespace akunu::cuda {

constexpr int kCoopWarps = 4;   // warps per block
constexpr int kCoopSteps = 4;   // U: steps of 8 blocks each per loop iteration, all loads first

template <DType T>
struct CoopBlock;

// Q4_0 (18 bytes: f16 d, 16 bytes qs; element j = low nibble of qs[j], element j+16 = high
// nibble). Lane part t (0..3) takes qs bytes 4t..4t+3: elements 4t..4t+3 and 16+4t..16+4t+3.
template <>
struct CoopBlock<DType::Q4_0> {
    static constexpr int kBytes = 18;
    struct Raw {
        uint16_t d, q0, q1;
    };
    AKUNU_HD static Raw load(const uint8_t* __restrict__ b, int t) {
        Raw r;
        r.d = ld_u16(b);
        r.q0 = ld_u16(b + 2 + 4 * t);
        r.q1 = ld_u16(b + 4 + 4 * t);
        return r;
    }
    // x float4 offsets (in floats) within the block for part t.
    AKUNU_HD static int xoff0(int t) { return 4 * t; }
    AKUNU_HD static int xoff1(int t) { return 16 + 4 * t; }
    AKUNU_HD static float dot(const Raw& r, const float4 a, const float4 c) {
        const uint32_t q = (uint32_t)r.q0 | ((uint32_t)r.q1 << 16);
        const float xa[4] = {a.x, a.y, a.z, a.w};
        const float xc[4] = {c.x, c.y, c.z, c.w};
        float s = 0.0f;
#pragma unroll
        for (int j = 0; j < 4; ++j) {
            const int byte = (int)((q >> (8 * j)) & 0xFFu);
            s += (float)((byte & 0x0F) - 8) * xa[j];
            s += (float)((byte >> 4) - 8) * xc[j];
        }
        return h2f(r.d) * s;
    }
};

// Q8_0 (34 bytes: f16 d, 32 int8 qs). Lane part t takes qs bytes 8t..8t+7 = elements 8t..8t+7.
template <>
struct CoopBlock<DType::Q8_0> {
    static constexpr int kBytes = 34;
    struct Raw {
        uint16_t d, q[4];
    };
    AKUNU_HD static Raw load(const uint8_t* __restrict__ b, int t) {
        Raw r;
        r.d = ld_u16(b);
#pragma unroll
        for (int i = 0; i < 4; ++i) r.q[i] = ld_u16(b + 2 + 8 * t + 2 * i);
        return r;
    }
    AKUNU_HD static int xoff0(int t) { return 8 * t; }
    AKUNU_HD static int xoff1(int t) { return 8 * t + 4; }
    AKUNU_HD static float dot(const Raw& r, const float4 a, const float4 c) {
        const float xs[8] = {a.x, a.y, a.z, a.w, c.x, c.y, c.z, c.w};
        float s = 0.0f;
#pragma unroll
        for (int j = 0; j < 8; ++j) {
            const int8_t v = (int8_t)(uint8_t)(r.q[j / 2] >> (8 * (j % 2)));
            s += (float)v * xs[j];
        }
        return h2f(r.d) * s;
    }
};

// U steps of one lane: issue every load first (weights of R rows, x once), then the arithmetic.
template <DType T, int R, bool kCheck>
AKUNU_HD void coop_steps(const uint8_t* const (&wr)[R], const float* __restrict__ x, int base, int nb,
                                           int t, int xo0, int xo1, float (&acc)[R]) {
    using C = CoopBlock<T>;
    constexpr int U = kCoopSteps;
    typename C::Raw raw[U][R];
    float4 xa[U], xc[U];
#pragma unroll
    for (int u = 0; u < U; ++u) {
        const int b = base + 8 * u;
        if (!kCheck || b < nb) {
            const float* xb = x + (size_t)b * 32;
            xa[u] = *reinterpret_cast<const float4*>(xb + xo0);
            xc[u] = *reinterpret_cast<const float4*>(xb + xo1);
#pragma unroll
            for (int r = 0; r < R; ++r) raw[u][r] = C::load(wr[r] + (size_t)b * C::kBytes, t);
        }
    }
#pragma unroll
    for (int u = 0; u < U; ++u) {
        if (!kCheck || base + 8 * u < nb) {
#pragma unroll
            for (int r = 0; r < R; ++r) acc[r] += C::dot(raw[u][r], xa[u], xc[u]);
        }
    }
}

// One warp per R consecutive rows, kCoopWarps warps per block. Lane = 4 * sub + t: sub (0..7) is
// the block within a step, t the part of the block. Needs x 16-byte aligned, w 2-byte aligned,
// k a multiple of 32 (nb = k / 32 blocks per row).
template <DType T, int R>
__global__ void __launch_bounds__(kCoopWarps * 32)
    gemv_coop_kernel(const uint8_t* __restrict__ w, size_t row_bytes, const float* __restrict__ x,
                     float* __restrict__ y, int n, int nb, int accumulate) {
    pdl_enter();
    using C = CoopBlock<T>;
    constexpr int U = kCoopSteps;
    static_assert(U >= 1);
    const int lane = threadIdx.x & 31;
    const int row0 = (blockIdx.x * kCoopWarps + (threadIdx.x >> 5)) * R;
    if (row0 >= n) return;  // whole warp leaves together
    const int t = lane & 3, sub = lane >> 2;
    const uint8_t* wr[R];  // NOLINT
#pragma unroll
    for (int r = 0; r < R; ++r) wr[r] = w + (size_t)min(row0 + r, n - 1) * row_bytes;  // clamped rows: discarded
    const int xo0 = C::xoff0(t), xo1 = C::xoff1(t);
    float acc[R];
#pragma unroll
    for (int r = 0; r < R; ++r) acc[r] = 0.0f;

    // Full iterations (all U steps in range for every lane) without bounds checks, then one checked
    // tail iteration.
    const int full_end = nb - 8 * U + 1;  // base < full_end <=> base + 8(U-1) + 7 - sub < nb for all subs
    int base = sub;
    for (; base - sub < full_end; base += 8 * U) coop_steps<T, R, false>(wr, x, base, nb, t, xo0, xo1, acc);
    if (base < nb) coop_steps<T, R, true>(wr, x, base, nb, t, xo0, xo1, acc);
#pragma unroll
    for (int r = 0; r < R; ++r) {
        const float s = warp_sum(acc[r]);
        if (lane == 0 && row0 + r < n) y[row0 + r] = accumulate ? y[row0 + r] + s : s;
    }
}

template <DType T, int R>
void launch_gemv_coop_r(const uint8_t* w, const float* x, float* y, int n, int k, bool accumulate, cudaStream_t s) {
    const int nb = k / 32;
    const size_t row_bytes = (size_t)nb * CoopBlock<T>::kBytes;
    const size_t rows_per_block = (size_t)kCoopWarps * R;
    launch_pdl(gemv_coop_kernel<T, R>, ceil_div((size_t)n, rows_per_block), kCoopWarps * 32, 0, s, w, row_bytes, x, y, n, nb,
                                                                                         accumulate ? 1 : 0);
    AKUNU_CUDA_LAUNCHED("gemv_coop_kernel");
}

// R = 2 (x reuse) when there are enough rows to keep >= ~16 warps per SM busy on a 132-SM H100
// (n >= 8192 -> >= 4096 warps); otherwise one row per warp for more warps in flight.
template <DType T>
void launch_gemv_coop(const uint8_t* w, const float* x, float* y, int n, int k, bool accumulate, cudaStream_t s) {
    if (n >= 8192) {
        launch_gemv_coop_r<T, 2>(w, x, y, n, k, accumulate, s);
    } else {
        launch_gemv_coop_r<T, 1>(w, x, y, n, k, accumulate, s);
    }
}

}  // namespace akunu::cuda
