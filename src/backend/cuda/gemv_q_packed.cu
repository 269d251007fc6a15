// Decode GEMV for Q4_0 / Q8_0 / Q4_K / Q6_K weights repacked at prepare() into planes — quants (16 / 32
// bytes per 32-element block, row-major) then the scales (f16 per block; Q4_K: 6-bit scale / min
// byte pairs per sub-block and f16 d / dmin per super-block; Q6_K: int8 values, int8 scale pairs,
// f16 d per super-block) — with 8-bit activations and dp4a. The
// fast path uses it when the backend could afford the packed copy (CudaBackend::pack_weights);
// otherwise Q4_0 / Q8_0 run the GGUF-layout kernel (gemv_q_dp4a.cu) and the K-quants the f32 one. Numerics
// as that kernel and the CPU fast path: Q4_0 block = d_w d_x (sum q xq - 8 sum xq), Q8_0 =
// d_w d_x sum q xq, Q4_K sub-block = d_x (d sc sum q xq - dmin m sum xq), Q6_K sub-block =
// d d_x (sc0 sum_0..15 q xq + sc1 sum_16..31 q xq).
//
// Why repack: in the GGUF layout a block is 18 / 34 bytes with a 2-byte-aligned scale, so the
// dp4a kernel stages chunks through shared memory and reassembles words with funnel shifts; ncu
// showed it L1/shared-memory bound (L1/TEX 73%, DRAM 31% on the 8B ffn matrices). Packed, a
// thread reads one aligned 16-byte vector per block straight into registers (32 threads cover
// 512 contiguous bytes: full sectors, no staging), and each CTA works on R rows at once so every
// activation load feeds R blocks instead of one.
//
// Shape: a CTA of T = 32..128 threads (as many 32-block strips as the row has, at most 4 warps)
// owns R consecutive rows; thread t takes blocks t, t + T, ... of all R rows, keeps the next
// strip's weights in flight while it multiplies the current one, and the warps' partial sums
// meet in shared memory. R grows with n so that there are >= ~512 CTAs (4 per SM on an H100).
// Weights are loaded with ld.global.nc.L1::no_allocate: streamed once, they should not evict the
// activations every CTA of the SM re-reads from L1.
//
// Prediction (H200, 4.6 TB/s): the 8B ffn matrices (33 MB Q4_0) at >= 75% of peak (~10 us, from
// ~23 us), so llama-3-8B Q4_0 decode from ~312 to ~450 tok/s.
#include <cuda_runtime.h>

#include "backend/cuda/cuda_check.h"
#include "backend/cuda/cuda_common.cuh"
#include "backend/cuda/cuda_ops.h"
#include "backend/cuda/dequant.cuh"
#include "backend/cuda/gemv_rows.cuh"

namespace akunu::cuda {
namespace {

constexpr int kMaxThreads = 128;

__device__ __forceinline__ uint16_t ld_stream_u16(const uint16_t* p) {
    unsigned short v;
    asm volatile("ld.global.nc.L1::no_allocate.u16 %0, [%1];\n" : "=h"(v) : "l"(p));
    return v;
}

template <DType T>
struct Packed;

// The dot of one 32-element block whose quants are 16 bytes laid out as byte j = element j (low
// nibble) | element 16 + j (high nibble), with xa / xb its activations 0..15 / 16..31 as int8x4.
__device__ __forceinline__ int dot_nibbles(const uint4& w, const uint4& xa, const uint4& xb) {
    int s = 0;
    s = __dp4a((int)(w.x & 0x0F0F0F0Fu), (int)xa.x, s);
    s = __dp4a((int)(w.y & 0x0F0F0F0Fu), (int)xa.y, s);
    s = __dp4a((int)(w.z & 0x0F0F0F0Fu), (int)xa.z, s);
    s = __dp4a((int)(w.w & 0x0F0F0F0Fu), (int)xa.w, s);
    s = __dp4a((int)((w.x >> 4) & 0x0F0F0F0Fu), (int)xb.x, s);
    s = __dp4a((int)((w.y >> 4) & 0x0F0F0F0Fu), (int)xb.y, s);
    s = __dp4a((int)((w.z >> 4) & 0x0F0F0F0Fu), (int)xb.z, s);
    s = __dp4a((int)((w.w >> 4) & 0x0F0F0F0Fu), (int)xb.w, s);
    return s;
}

// Per weight type: the packed quants per 32-block (kQuantBytes), the metadata a block needs (Meta:
// loaded per row and block from the planes after the quants), and the block's contribution
// value(meta, integer dot, activation scale, activation sum).
template <DType T>
struct Packed;

template <>
struct Packed<DType::Q4_0> {
    static constexpr int kQuantBytes = 16;
    static constexpr int kMaxRows = 8;
    using Meta = uint16_t;  // the block's f16 scale; plane [n][nb]
    __device__ static Meta load(const uint8_t* meta, int n, int nb, int row, int b) {
        return ld_stream_u16(reinterpret_cast<const uint16_t*>(meta) + (size_t)row * nb + b);
    }
    __device__ static int dot(const uint4* q, const uint4& xa, const uint4& xb) { return dot_nibbles(q[0], xa, xb); }
    __device__ static float value(Meta m, int s, float dx, int sx) { return h2f(m) * dx * (float)(s - 8 * sx); }
    __device__ static float block(Meta m, const uint4* q, const uint4& xa, const uint4& xb, float dx, int sx) {
        return value(m, dot(q, xa, xb), dx, sx);
    }
};

template <>
struct Packed<DType::Q8_0> {
    static constexpr int kQuantBytes = 32;
    static constexpr int kMaxRows = 4;  // two vectors per block and row: keep registers in check
    using Meta = uint16_t;
    __device__ static Meta load(const uint8_t* meta, int n, int nb, int row, int b) {
        return ld_stream_u16(reinterpret_cast<const uint16_t*>(meta) + (size_t)row * nb + b);
    }
    __device__ static int dot(const uint4* q, const uint4& xa, const uint4& xb) {
        int s = 0;
        s = __dp4a((int)q[0].x, (int)xa.x, s);
        s = __dp4a((int)q[0].y, (int)xa.y, s);
        s = __dp4a((int)q[0].z, (int)xa.z, s);
        s = __dp4a((int)q[0].w, (int)xa.w, s);
        s = __dp4a((int)q[1].x, (int)xb.x, s);
        s = __dp4a((int)q[1].y, (int)xb.y, s);
        s = __dp4a((int)q[1].z, (int)xb.z, s);
        s = __dp4a((int)q[1].w, (int)xb.w, s);
        return s;
    }
    __device__ static float value(Meta m, int s, float dx, int) { return h2f(m) * dx * (float)s; }
    __device__ static float block(Meta m, const uint4* q, const uint4& xa, const uint4& xb, float dx, int sx) {
        return value(m, dot(q, xa, xb), dx, sx);
    }
};

// Q4_K: each 32-element sub-block becomes one Q4_0-style 16-byte group; its 6-bit scale and min go
// to a byte-pair plane [n][nb] and the super-block's f16 d / dmin to a plane [n][nb / 8] (4 bytes),
// so the packed copy is 18.5 bytes per 32 elements against GGUF's 18, and d * sc stays exact in f32.
template <>
struct Packed<DType::Q4_K> {
    static constexpr int kQuantBytes = 16;
    static constexpr int kMaxRows = 8;
    struct Meta {
        uint16_t scm;  // sc | m << 8
        uint32_t dd;   // d | dmin << 16 (f16)
    };
    __device__ static Meta load(const uint8_t* meta, int n, int nb, int row, int b) {
        const uint16_t* scm = reinterpret_cast<const uint16_t*>(meta);
        const uint32_t* dd = reinterpret_cast<const uint32_t*>(meta + (size_t)n * nb * 2);
        Meta m;
        m.scm = ld_stream_u16(scm + (size_t)row * nb + b);
        m.dd = __ldg(dd + (size_t)row * (nb / 8) + (b >> 3));  // shared by the 8 sub-blocks: cached
        return m;
    }
    __device__ static int dot(const uint4* q, const uint4& xa, const uint4& xb) { return dot_nibbles(q[0], xa, xb); }
    __device__ static float value(Meta m, int s, float dx, int sx) {
        const float d = h2f((uint16_t)m.dd) * (float)(m.scm & 0xFF);
        const float dm = h2f((uint16_t)(m.dd >> 16)) * (float)(m.scm >> 8);
        return dx * (d * (float)s - dm * (float)sx);
    }
    __device__ static float block(Meta m, const uint4* q, const uint4& xa, const uint4& xb, float dx, int sx) {
        return value(m, dot(q, xa, xb), dx, sx);
    }
};

// Q6_K: each 32-element sub-block becomes 32 signed bytes (q - 32, in [-32, 31]): more bytes than
// GGUF's 6 bits (34.25 against 26.25 per 32 with the scales), but no bit assembly in the loop, and
// dp4a takes them as they are. Its two 16-element int8 scales go to a byte-pair plane [n][nb], the
// super-block's f16 d to a plane [n][nb / 8].
template <>
struct Packed<DType::Q6_K> {
    static constexpr int kQuantBytes = 32;
    static constexpr int kMaxRows = 4;
    struct Meta {
        uint16_t sc;  // two int8 scales: elements 0..15 | 16..31 << 8
        uint16_t d;   // f16
    };
    __device__ static Meta load(const uint8_t* meta, int n, int nb, int row, int b) {
        const uint16_t* sc = reinterpret_cast<const uint16_t*>(meta);
        const uint16_t* d = reinterpret_cast<const uint16_t*>(meta + (size_t)n * nb * 2);
        Meta m;
        m.sc = ld_stream_u16(sc + (size_t)row * nb + b);
        m.d = __ldg(d + (size_t)row * (nb / 8) + (b >> 3));
        return m;
    }
    __device__ static float block(Meta m, const uint4* q, const uint4& xa, const uint4& xb, float dx, int) {
        int s0 = 0, s1 = 0;
        s0 = __dp4a((int)q[0].x, (int)xa.x, s0);
        s0 = __dp4a((int)q[0].y, (int)xa.y, s0);
        s0 = __dp4a((int)q[0].z, (int)xa.z, s0);
        s0 = __dp4a((int)q[0].w, (int)xa.w, s0);
        s1 = __dp4a((int)q[1].x, (int)xb.x, s1);
        s1 = __dp4a((int)q[1].y, (int)xb.y, s1);
        s1 = __dp4a((int)q[1].z, (int)xb.z, s1);
        s1 = __dp4a((int)q[1].w, (int)xb.w, s1);
        const int sc0 = (int)(int8_t)(m.sc & 0xFF), sc1 = (int)(int8_t)(m.sc >> 8);
        return h2f(m.d) * dx * (float)(sc0 * s0 + sc1 * s1);
    }
};

template <DType T>
constexpr int kGgufBlockBytes = T == DType::Q4_0 ? 18 : 34;

// One thread per block: GGUF (d f16, quants) -> quants plane + scales plane.
template <DType T>
__global__ void repack_kernel(const uint8_t* __restrict__ src, uint8_t* __restrict__ dst, size_t n_blocks) {
    const size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n_blocks) return;
    constexpr int QB = Packed<T>::kQuantBytes;
    const uint8_t* b = src + i * kGgufBlockBytes<T>;
    uint8_t* q = dst + i * QB;
#pragma unroll
    for (int j = 0; j < QB; ++j) q[j] = b[2 + j];
    uint8_t* s = dst + n_blocks * QB + i * 2;
    s[0] = b[0];
    s[1] = b[1];
}

// One thread per Q4_K super-block (8 sub-blocks); n_super = rows * nb / 8.
__global__ void repack_q4k_kernel(const uint8_t* __restrict__ src, uint8_t* __restrict__ dst, size_t n_super) {
    const size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n_super) return;
    const uint8_t* b = src + i * 144;
    const size_t nsub = n_super * 8;
    for (int sb = 0; sb < 8; ++sb) {
        const uint8_t* qs = b + 16 + 32 * (sb >> 1);
        const int shift = (sb & 1) * 4;
        uint8_t* q = dst + (i * 8 + sb) * 16;
        for (int j = 0; j < 16; ++j) {
            q[j] = (uint8_t)(((qs[j] >> shift) & 0xF) | (((qs[16 + j] >> shift) & 0xF) << 4));
        }
        float sc, m;
        k_scale_min_regs(sb, ld_u32(b + 4), ld_u32(b + 8), ld_u32(b + 12), &sc, &m);
        uint8_t* scm = dst + nsub * 16 + (i * 8 + sb) * 2;
        scm[0] = (uint8_t)sc;
        scm[1] = (uint8_t)m;
    }
    uint8_t* dd = dst + nsub * 18 + i * 4;
    for (int j = 0; j < 4; ++j) dd[j] = b[j];
}

// One thread per Q6_K super-block (8 sub-blocks of 32): the 6-bit values as int8 (q - 32), the
// int8 scales in pairs, d. n_super = rows * nb / 8.
__global__ void repack_q6k_kernel(const uint8_t* __restrict__ src, uint8_t* __restrict__ dst, size_t n_super) {
    const size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n_super) return;
    const uint8_t* b = src + i * 210;
    const uint8_t* ql = b;
    const uint8_t* qh = b + 128;
    const int8_t* sc = reinterpret_cast<const int8_t*>(b + 192);
    const size_t nsub = n_super * 8;
    for (int u = 0; u < 8; ++u) {
        const int half = u >> 2, j = u & 3;  // 128-element half, and which of its 4 quarters
        const uint8_t* l = ql + 64 * half + 32 * (j & 1);
        const uint8_t* h = qh + 32 * half;
        int8_t* q = reinterpret_cast<int8_t*>(dst + (i * 8 + u) * 32);
        for (int e = 0; e < 32; ++e) {
            const int lo = (j < 2) ? (l[e] & 0xF) : (l[e] >> 4);
            const int hi = (h[e] >> (2 * j)) & 3;
            q[e] = (int8_t)((lo | (hi << 4)) - 32);
        }
        uint8_t* s = dst + nsub * 32 + (i * 8 + u) * 2;
        s[0] = (uint8_t)sc[8 * half + 2 * j];
        s[1] = (uint8_t)sc[8 * half + 2 * j + 1];
    }
    uint8_t* d = dst + nsub * 34 + i * 2;
    d[0] = b[208];
    d[1] = b[209];
}

static_assert(kMaxPackedGroup <= kMaxGroupMatrices, "gemv_rows.cuh selects among three matrices");

// Up to three matrices with the same input in one launch (q/k/v, gate/up): the launch and its
// ramp-up / tail cost as much as the reading on the small decode matrices.
struct PackedDev {
    GroupCtas ctas;
    const uint8_t* wq[kMaxPackedGroup];
    const uint8_t* meta[kMaxPackedGroup];  // the planes after the quants
    float* y[kMaxPackedGroup];
};

template <DType T, int R>
__global__ void __launch_bounds__(kMaxThreads)
    gemv_packed_kernel(const PackedDev set, const int8_t* __restrict__ xq, const float* __restrict__ xd,
                       const int* __restrict__ xs, int nb, int accumulate) {
    constexpr int QV = Packed<T>::kQuantBytes / 16;
    const int t = threadIdx.x, nt = blockDim.x;
    const int cta = blockIdx.x;
    const GroupMember mi(set.ctas, cta);
    const int n = mi.pick(set.ctas.n[0], set.ctas.n[1], set.ctas.n[2]);
    const int row0 = (cta - mi.pick(set.ctas.cta0[0], set.ctas.cta0[1], set.ctas.cta0[2])) * R;
    const uint8_t* __restrict__ wq = mi.pick(set.wq[0], set.wq[1], set.wq[2]);
    const uint8_t* __restrict__ meta = mi.pick(set.meta[0], set.meta[1], set.meta[2]);
    float* __restrict__ y = mi.pick(set.y[0], set.y[1], set.y[2]);
    using Meta = typename Packed<T>::Meta;
    const uint4* wrow[R];
    int rows[R];
#pragma unroll
    for (int r = 0; r < R; ++r) {
        rows[r] = min(row0 + r, n - 1);  // a short last group re-reads its last row, never stores it
        wrow[r] = reinterpret_cast<const uint4*>(wq) + (size_t)rows[r] * nb * QV;
    }
    uint4 q[R][QV];
    Meta d[R];
    auto load = [&](int b) {
#pragma unroll
        for (int r = 0; r < R; ++r) {
#pragma unroll
            for (int v = 0; v < QV; ++v) q[r][v] = ld_stream(wrow[r] + (size_t)b * QV + v);
            d[r] = Packed<T>::load(meta, n, nb, rows[r], b);
        }
    };
    // Programmatic dependent launch: weights never depend on earlier kernels, so the first strip
    // is requested before waiting for the kernel that wrote x (and, accumulating, y).
    asm volatile("griddepcontrol.launch_dependents;\n" ::);
    int b = t;
    if (b < nb) load(b);
    asm volatile("griddepcontrol.wait;\n" ::: "memory");

    float acc[R];
#pragma unroll
    for (int r = 0; r < R; ++r) acc[r] = 0.0f;
    while (b < nb) {
        uint4 cq[R][QV];
        Meta cd[R];
#pragma unroll
        for (int r = 0; r < R; ++r) {
#pragma unroll
            for (int v = 0; v < QV; ++v) cq[r][v] = q[r][v];
            cd[r] = d[r];
        }
        const int next = b + nt;
        if (next < nb) load(next);  // the next strip is in flight while this one is multiplied
        const uint4* xb4 = reinterpret_cast<const uint4*>(xq + 32 * (size_t)b);
        const uint4 xa = __ldg(xb4), xb = __ldg(xb4 + 1);
        const float dx = __ldg(xd + b);
        const int sx = __ldg(xs + b);
#pragma unroll
        for (int r = 0; r < R; ++r) acc[r] += Packed<T>::block(cd[r], cq[r], xa, xb, dx, sx);
        b = next;
    }

    store_rows<R, kMaxThreads>(acc, y, row0, n, accumulate != 0);
}

template <DType T, int R>
void launch_rows(const PackedGemv* mats, int count, const Q8Activations& a, int nb, int threads, bool acc,
                 cudaStream_t s) {
    constexpr int QB = Packed<T>::kQuantBytes;
    PackedDev set{};
    int n[kMaxPackedGroup];
    for (int i = 0; i < count; ++i) {
        set.wq[i] = mats[i].packed;
        set.meta[i] = mats[i].packed + (size_t)mats[i].n * nb * QB;
        set.y[i] = mats[i].y;
        n[i] = mats[i].n;
    }
    const int ctas = plan_group_ctas(set.ctas, n, count, R);
    launch_pdl(gemv_packed_kernel<T, R>, dim3((unsigned)ctas), dim3(threads), 0, s, set, (const int8_t*)a.q,
               (const float*)a.d, (const int*)a.s, nb, acc ? 1 : 0);
    AKUNU_CUDA_LAUNCHED("gemv_packed_kernel");
}

template <DType T>
void launch_packed(const PackedGemv* mats, int count, const Q8Activations& a, int k, bool acc, cudaStream_t s) {
    const int nb = k / 32;
    const int strips = (nb + 31) / 32;
    const int threads = 32 * (strips < kMaxThreads / 32 ? strips : kMaxThreads / 32);
    int n = 0;
    for (int i = 0; i < count; ++i) n += mats[i].n;
    // Rows per CTA: the most that still leaves >= 512 CTAs (a few per SM to hide latency).
    constexpr int kMinCtas = 512;
    if (Packed<T>::kMaxRows >= 8 && n >= 8 * kMinCtas) {
        launch_rows<T, (Packed<T>::kMaxRows >= 8 ? 8 : 4)>(mats, count, a, nb, threads, acc, s);
    } else if (n >= 4 * kMinCtas) {
        launch_rows<T, 4>(mats, count, a, nb, threads, acc, s);
    } else if (n >= 2 * kMinCtas) {
        launch_rows<T, 2>(mats, count, a, nb, threads, acc, s);
    } else {
        launch_rows<T, 1>(mats, count, a, nb, threads, acc, s);
    }
}

}  // namespace

bool packed_gemv_type(DType type) {
    return type == DType::Q4_0 || type == DType::Q8_0 || type == DType::Q4_K || type == DType::Q6_K;
}

bool packed_gemv_eligible(DType type, int k, const uint8_t* w) {
    constexpr int kMaxK = 65536;  // the activation scratch the backend sizes per table (as the dp4a kernel)
    return packed_gemv_type(type) && k % 256 == 0 && k <= kMaxK && ((uintptr_t)w & 15u) == 0;
}

size_t packed_weight_bytes(DType type, int n, int k) {
    const size_t blocks = (size_t)n * (size_t)(k / 32);
    switch (type) {
        case DType::Q4_0: return blocks * (Packed<DType::Q4_0>::kQuantBytes + 2);
        case DType::Q8_0: return blocks * (Packed<DType::Q8_0>::kQuantBytes + 2);
        case DType::Q4_K: return blocks * (Packed<DType::Q4_K>::kQuantBytes + 2) + blocks / 8 * 4;
        case DType::Q6_K: return blocks * (Packed<DType::Q6_K>::kQuantBytes + 2) + blocks / 8 * 2;
        default: return 0;
    }
}

void launch_repack_weights(DType type, const uint8_t* src, uint8_t* dst, int n, int k, cudaStream_t s) {
    const size_t blocks = (size_t)n * (size_t)(k / 32);
    const unsigned grid = (unsigned)ceil_div(blocks, (size_t)256);
    switch (type) {
        case DType::Q4_0: repack_kernel<DType::Q4_0><<<grid, 256, 0, s>>>(src, dst, blocks); break;
        case DType::Q8_0: repack_kernel<DType::Q8_0><<<grid, 256, 0, s>>>(src, dst, blocks); break;
        case DType::Q4_K: {
            const size_t supers = blocks / 8;
            repack_q4k_kernel<<<(unsigned)ceil_div(supers, (size_t)128), 128, 0, s>>>(src, dst, supers);
            break;
        }
        case DType::Q6_K: {
            const size_t supers = blocks / 8;
            repack_q6k_kernel<<<(unsigned)ceil_div(supers, (size_t)128), 128, 0, s>>>(src, dst, supers);
            break;
        }
        default: return;
    }
    AKUNU_CUDA_LAUNCHED("repack_kernel");
}

bool launch_gemv_q_packed(DType type, const PackedGemv* mats, int count, const Q8Activations& a, int k,
                          bool accumulate, cudaStream_t s) {
    if (count < 1 || count > kMaxPackedGroup) return false;
    switch (type) {
        case DType::Q4_0: launch_packed<DType::Q4_0>(mats, count, a, k, accumulate, s); return true;
        case DType::Q8_0: launch_packed<DType::Q8_0>(mats, count, a, k, accumulate, s); return true;
        case DType::Q4_K: launch_packed<DType::Q4_K>(mats, count, a, k, accumulate, s); return true;
        case DType::Q6_K: launch_packed<DType::Q6_K>(mats, count, a, k, accumulate, s); return true;
        default: return false;
    }
}

}  // namespace akunu::cuda
