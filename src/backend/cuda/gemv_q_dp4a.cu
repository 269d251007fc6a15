// Decode GEMV for Q4_0 / Q8_0 with 8-bit activations and integer dot products (dp4a): the fast
// path of BackendOptions::exact_activations = false (the C API's and the tools' default). The exact
// path (f32 activations) stays in gemv_q_coop.cuh and is what the 1e-5 tests hold to.
//
// Why this shape:
//  - x is quantized once per distinct input by a small kernel (quantize_q8_kernel: int8 per
//    element, f32 scale and int sum per 32-block) into a backend scratch; the backend skips the
//    quantization when the previous GEMV already quantized the same buffer (q/k/v, gate/up). A first
//    version quantized x inside every CTA: the serial per-warp prologue (56 dependent load +
//    shuffle rounds at k = 14336) cost more than the whole matrix read (15% of peak on ffn_down).
//  - Weights are read straight from the GGUF layout (no repack: the tiled GEMM and the embedding
//    lookup read the same buffer). A warp moves a chunk of 32 consecutive blocks (576 / 1088 bytes,
//    a multiple of 16 when k % 256 == 0 and the row 16-byte aligned) with coalesced 16-byte
//    cp.async copies into a ring of shared-memory slots, then lane i works on block i of the chunk,
//    so the 2-byte-aligned block fields cost shared-memory loads, not global transactions.
//  - Bytes in flight: the second version staged U = 4 chunks in registers per warp and ran one
//    round per row in waves of CTAs: 30% of peak on the 8B ffn matrices, latency-bound. Now
//    persistent warps keep NS - 1 chunks in flight continuously across their rows, and without
//    register staging more warps fit per SM.
//  - The inner loop is 8 dp4a per block instead of 32 int->float conversions. Numerics: Q4_0
//    block = d_w d_x (sum q xq - 8 sum xq); Q8_0 = d_w d_x sum q xq: the CPU fast path's formula
//    (quantize_activations.h: Q8 blocks of 32, scale amax / 127).
//
// Prediction (H200, 4.6 TB/s measured): llama-3-8B ffn matrices (33 MB Q4_0) at ~75-80% of peak,
// ~9 us each (first version 47 us, second 23 us).
#include <cuda_runtime.h>

#include "backend/cuda/cuda_check.h"
#include "backend/cuda/cuda_common.cuh"
#include "backend/cuda/cuda_ops.h"
#include "backend/cuda/dequant.cuh"

namespace akunu::cuda {
namespace {

constexpr int kWarps = 8;
constexpr int kMaxK = 65536;  // the activation scratch the backend sizes per table

// A block at a 2-byte-aligned shared-memory address p (lane * 18 or lane * 34 from a 16-byte-aligned
// slot) read as N aligned 4-byte words from p rounded down; returns the bit shift (0 or 16) of p's
// first byte in w[0]. Field f at byte offset o of the block is then funnelshift(w[o/4], ..., 8o+sh).
// Why: 2-byte loads of the fields took 8-17 shared-memory wavefronts per block with 2-way bank
// conflicts, and the kernel is L1/shared-memory bound (ncu: L1/TEX 73%, DRAM 31%).
template <int N>
__device__ __forceinline__ int load_words(const uint8_t* p, uint32_t (&w)[N]) {
    const int mis = (int)(reinterpret_cast<uintptr_t>(p) & 3u);
    // Pointer arithmetic on p (not an integer round trip) so that nvcc keeps the shared address
    // space and emits LDS.
    const uint32_t* wp = reinterpret_cast<const uint32_t*>(p - mis);
#pragma unroll
    for (int i = 0; i < N; ++i) w[i] = wp[i];
    return mis * 8;
}

template <DType T>
struct Dp4a;

template <>
struct Dp4a<DType::Q4_0> {
    static constexpr int kBytes = 18;
    static constexpr int kSlots = 8;  // ring slots per warp: 7 chunks (4 KB) in flight
    // Block at p (2-byte aligned, shared memory); xq: its 32 int8 activations as 8 ints.
    __device__ static float dot(const uint8_t* p, const int* xq, float dx, int sx) {
        uint32_t w[5];
        const int sh = load_words<5>(p, w);
        int s = 0;
#pragma unroll
        for (int i = 0; i < 4; ++i) {
            const uint32_t q = __funnelshift_rc(w[i], w[i + 1], 16 + sh);  // qs bytes 4i..4i+3
            s = __dp4a((int)(q & 0x0F0F0F0Fu), xq[i], s);         // elements 4i..4i+3 (low nibbles)
            s = __dp4a((int)((q >> 4) & 0x0F0F0F0Fu), xq[4 + i], s);  // elements 16+4i.. (high nibbles)
        }
        return h2f((uint16_t)__funnelshift_rc(w[0], w[1], sh)) * dx * (float)(s - 8 * sx);
    }
};

template <>
struct Dp4a<DType::Q8_0> {
    static constexpr int kBytes = 34;
    static constexpr int kSlots = 4;  // 3 chunks (3.3 KB) in flight
    __device__ static float dot(const uint8_t* p, const int* xq, float dx, int /*sx*/) {
        uint32_t w[9];
        const int sh = load_words<9>(p, w);
        int s = 0;
#pragma unroll
        for (int i = 0; i < 8; ++i) s = __dp4a((int)__funnelshift_rc(w[i], w[i + 1], 16 + sh), xq[i], s);
        return h2f((uint16_t)__funnelshift_rc(w[0], w[1], sh)) * dx * (float)s;
    }
};

template <DType T>
constexpr int kChunkBytes = 32 * Dp4a<T>::kBytes;  // one warp step: 32 blocks
template <DType T>
constexpr int kLoadsPerLane = (kChunkBytes<T> / 16 + 31) / 32;

__global__ void __launch_bounds__(256)
    quantize_q8_kernel(const float* __restrict__ x, int8_t* __restrict__ xq, float* __restrict__ xd,
                       int* __restrict__ xs, int nb) {
    // The GEMV after this kernel may launch at once (pdl_enter): it streams weights until its
    // griddepcontrol.wait, which returns only once this grid has finished and its writes are visible.
    pdl_enter();
    const int lane = threadIdx.x & 31;
    const int b = blockIdx.x * 8 + (threadIdx.x >> 5);
    if (b >= nb) return;
    const float v = x[32 * b + lane];
    const float amax = warp_max(fabsf(v));
    const float inv = amax > 0.0f ? 127.0f / amax : 0.0f;
    const int q = __float2int_rn(v * inv);
    xq[32 * b + lane] = (int8_t)q;
    int s = q;
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) s += __shfl_xor_sync(kFullMask, s, o);
    if (lane == 0) {
        xd[b] = amax / 127.0f;
        xs[b] = s;
    }
}

__device__ __forceinline__ void cp_async16(void* smem, const void* gmem) {
    const unsigned dst = (unsigned)__cvta_generic_to_shared(smem);
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16;\n" ::"r"(dst), "l"(gmem));
}
__device__ __forceinline__ void cp_async_commit() { asm volatile("cp.async.commit_group;\n" ::); }
template <int N>
__device__ __forceinline__ void cp_async_wait() {
    asm volatile("cp.async.wait_group %0;\n" ::"n"(N));
}

// Persistent CTAs of 8 warps; warp gw takes rows gw, gw + W, ... (W warps in the grid) and streams
// their chunks through a ring of NS shared-memory slots with cp.async, NS - 1 chunks in flight
// across row boundaries (no register staging, so ~40 registers and many warps per SM).
template <DType T>
__global__ void __launch_bounds__(kWarps * 32)
    gemv_dp4a_kernel(const uint8_t* __restrict__ w, size_t row_bytes, const int8_t* __restrict__ xq,
                     const float* __restrict__ xd, const int* __restrict__ xs, float* __restrict__ y, int n, int nb,
                     int accumulate) {
    constexpr int NS = Dp4a<T>::kSlots;
    constexpr int CB = kChunkBytes<T>;
    constexpr int V = kLoadsPerLane<T>;
    __shared__ __align__(16) uint8_t ring_all[kWarps][NS][CB];
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    uint8_t(*ring)[CB] = ring_all[warp];
    const int chunks = (nb + 31) / 32;
    const int W = gridDim.x * kWarps;
    const int gw = blockIdx.x * kWarps + warp;
    const int rows = gw < n ? (n - gw + W - 1) / W : 0;
    const int units = rows * chunks;  // (row, chunk) pairs of this warp, row-major

    // Row / chunk of the next unit to copy and of the next to multiply, advanced by counting:
    // integer division per unit cost more issue slots than the dot products (ncu: SM-bound at 57%).
    int i_row = gw, i_c = 0, i_j = 0;
    auto issue = [&]() {
        if (i_j < units) {
            const int bytes = min(32, nb - 32 * i_c) * Dp4a<T>::kBytes;  // a multiple of 16 (k % 256 == 0)
            const uint8_t* src = w + (size_t)i_row * row_bytes + (size_t)i_c * CB;
            uint8_t* dst = ring[i_j % NS];
#pragma unroll
            for (int v = 0; v < V; ++v) {
                const int idx = lane + 32 * v;
                if (idx * 16 < bytes) cp_async16(dst + idx * 16, src + idx * 16);
            }
            if (++i_c == chunks) {
                i_c = 0;
                i_row += W;
            }
        }
        ++i_j;
        cp_async_commit();  // an empty group past the end keeps the group count uniform
    };
    // Programmatic dependent launch: the next GEMV may start streaming its weights while this one
    // runs, and this one streams its first NS - 1 chunks (weights never depend on earlier kernels)
    // before waiting for the kernel that wrote x / y to finish.
    asm volatile("griddepcontrol.launch_dependents;\n" ::);
#pragma unroll
    for (int j = 0; j < NS - 1; ++j) issue();
    asm volatile("griddepcontrol.wait;\n" ::: "memory");

    float acc = 0.0f;
    int row = gw, c = 0;
    for (int j = 0; j < units; ++j) {
        cp_async_wait<NS - 2>();  // this lane's copies of unit j have landed
        __syncwarp();             // ... and every lane's; slot (j - 1) % NS is free again
        issue();
        const int b = 32 * c + lane;
        if (b < nb) {
            const uint4* xb = reinterpret_cast<const uint4*>(xq + 32 * b);
            const uint4 x0 = __ldg(xb), x1 = __ldg(xb + 1);
            const int xi[8] = {(int)x0.x, (int)x0.y, (int)x0.z, (int)x0.w, (int)x1.x, (int)x1.y, (int)x1.z, (int)x1.w};
            acc += Dp4a<T>::dot(ring[j % NS] + lane * Dp4a<T>::kBytes, xi, __ldg(xd + b), __ldg(xs + b));
        }
        if (++c == chunks) {  // the row is complete
            const float s = warp_sum(acc);
            if (lane == 0) y[row] = accumulate ? y[row] + s : s;
            acc = 0.0f;
            c = 0;
            row += W;
        }
    }
    cp_async_wait<0>();  // no copy outlives the CTA's shared memory
}

template <DType T>
void launch_dp4a(const uint8_t* w, const Q8Activations& a, float* y, int n, int k, bool accumulate, cudaStream_t s) {
    static int max_ctas = 0;  // resident CTAs on this device (one device per process)
    if (max_ctas == 0) {
        int dev = 0, sms = 0, per_sm = 0;
        AKUNU_CUDA_CHECK(cudaGetDevice(&dev));
        AKUNU_CUDA_CHECK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, dev));
        AKUNU_CUDA_CHECK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, gemv_dp4a_kernel<T>, kWarps * 32, 0));
        max_ctas = sms * (per_sm > 0 ? per_sm : 1);
    }
    const int nb = k / 32;
    const size_t row_bytes = (size_t)nb * Dp4a<T>::kBytes;
    const int need = (int)ceil_div((size_t)n, (size_t)kWarps);
    // PDL: the kernel itself streams its first chunks before griddepcontrol.wait.
    launch_pdl(gemv_dp4a_kernel<T>, dim3(need < max_ctas ? need : max_ctas), dim3(kWarps * 32), 0, s, w, row_bytes,
               (const int8_t*)a.q, (const float*)a.d, (const int*)a.s, y, n, nb, accumulate ? 1 : 0);
    AKUNU_CUDA_LAUNCHED("gemv_dp4a_kernel");
}

}  // namespace

bool dp4a_gemv_eligible(DType type, int k, const uint8_t* w) {
    // Whole 16-byte chunks need k % 256 == 0 (8 blocks of 18 / 34 bytes) and a 16-byte-aligned row.
    return (type == DType::Q4_0 || type == DType::Q8_0) && k % 256 == 0 && k <= kMaxK && ((uintptr_t)w & 15u) == 0;
}

size_t q8_activation_bytes(int k) { return (size_t)k + (size_t)(k / 32) * 8; }

Q8Activations q8_activations_at(uint8_t* scratch, int k) {
    Q8Activations a;
    a.q = reinterpret_cast<int8_t*>(scratch);
    a.d = reinterpret_cast<float*>(scratch + k);
    a.s = reinterpret_cast<int*>(scratch + k + 4 * (k / 32));
    return a;
}

void launch_quantize_q8(const float* x, const Q8Activations& a, int k, cudaStream_t s) {
    const int nb = k / 32;
    launch_pdl(quantize_q8_kernel, ceil_div((size_t)nb, (size_t)8), 256, 0, s, x, a.q, a.d, a.s, nb);
    AKUNU_CUDA_LAUNCHED("quantize_q8_kernel");
}

bool launch_gemv_q_dp4a(DType type, const uint8_t* w, const Q8Activations& a, float* y, int n, int k, bool accumulate,
                        cudaStream_t s) {
    if (!dp4a_gemv_eligible(type, k, w)) return false;
    switch (type) {
        case DType::Q4_0: launch_dp4a<DType::Q4_0>(w, a, y, n, k, accumulate, s); return true;
        case DType::Q8_0: launch_dp4a<DType::Q8_0>(w, a, y, n, k, accumulate, s); return true;
        default: return false;
    }
}

}  // namespace akunu::cuda
