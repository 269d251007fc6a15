// Prefill MatMul on tensor cores (fast path, BackendOptions::exact_activations = false): the weight
// is dequantized to f16 into a scratch matrix (bit-exact values rounded once to f16), the
// activations are rounded to f16, and cuBLAS multiplies them with f32 accumulation and an f32
// output (beta = 1 for the fused residual add).
//
// Why cuBLAS and not our own mma kernel: at prefill sizes (512 x 4096 x 14336) cuBLAS's f16 GEMM
// runs at several hundred TFLOP/s on an H100 while the SIMT tiled kernel reaches a few; the
// dequantization pass (read 0.56-1.06 B/weight, write 2 B/weight) costs ~1/3 of the GEMM at
// m = 512 and is amortized over the whole chunk.
//
// Prediction (H100, llama-3-8B Q4_0, pp512): per layer ~0.45 GB of f16 writes + reads (~0.2 ms)
// and 0.22 TFLOP (~0.35 ms at ~650 TFLOP/s): ~18 ms per 512-token chunk with attention -> ~25k
// tok/s, against 1.4k with the tiled kernel.
#include <cublas_v2.h>
#include <cuda_fp16.h>

#include <string>

#include "backend/cuda/cuda_check.h"
#include "backend/cuda/cuda_common.cuh"
#include "backend/cuda/cuda_ops.h"
#include "backend/cuda/dequant.cuh"
#include "core/error.h"

namespace akunu::cuda {
namespace {

void check_blas(cublasStatus_t st, const char* what) {
    if (st != CUBLAS_STATUS_SUCCESS) {
        fail(ErrorKind::Internal, "cuda", std::string(what) + " failed: cuBLAS status " + std::to_string((int)st));
    }
}

// One thread per 32 consecutive elements (a unit): dequantize (registry-exact) and store as f16.
// Rows are contiguous and whole blocks, so the weight is read as one long row of n * k elements.
// Through shared memory on both sides, because a thread's own block is 18-34 bytes at a 2-byte
// alignment and its output 64 bytes: direct, a warp issued ~9 narrow loads and 4 stores each at a
// 64-byte stride (every 16-byte store a partial sector); staged, a warp reads its 32 units' bytes
// with contiguous 4-byte loads and writes its 2 KB of f16 with 512-byte contiguous stores. The
// dequantization (read 0.56-1.06 B, write 2 B per weight) is the part of a prefill chunk that is
// pure memory traffic: ~20 GB for llama-3-8B per chunk.
constexpr int kDeqWarps = 8;
constexpr int kDeqInBytes = 1088;  // 32 units of the widest block per unit (Q8_0: 34 bytes)

template <DType T>
__global__ void __launch_bounds__(kDeqWarps * 32)
    dequant_f16_kernel(const uint8_t* __restrict__ w, __half* __restrict__ out, size_t units) {
    constexpr int kUnitsPerBlock = TypeInfo<T>::kBlock / 32;  // 1, or 8 for the K-quants
    constexpr int kWarpBytes = 32 / kUnitsPerBlock * TypeInfo<T>::kBytes;
    static_assert(kWarpBytes <= kDeqInBytes && kWarpBytes % 4 == 0, "a warp's blocks fit the staging area");
    __shared__ __align__(16) uint8_t in_s[kDeqWarps][kDeqInBytes];
    __shared__ uint4 out_s[kDeqWarps][32 * 4];
    const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    const size_t u0 = ((size_t)blockIdx.x * kDeqWarps + warp) * 32;
    if (u0 >= units) return;
    const int n_units = (int)min((size_t)32, units - u0);
    // The warp's bytes: blocks u0 / kUnitsPerBlock .. (a partial last warp reads only its blocks).
    const uint8_t* src = w + u0 / kUnitsPerBlock * TypeInfo<T>::kBytes;
    const int bytes = (n_units + kUnitsPerBlock - 1) / kUnitsPerBlock * TypeInfo<T>::kBytes;
    for (int i = 4 * lane; i < bytes; i += 128) {
        *reinterpret_cast<uint32_t*>(&in_s[warp][i]) = __ldg(reinterpret_cast<const uint32_t*>(src + i));
    }
    __syncwarp();
    if (lane < n_units) {
        float v[32];
        deq32<T>(in_s[warp], lane, v);
        __half2 h[16];
#pragma unroll
        for (int i = 0; i < 16; ++i) h[i] = __floats2half2_rn(v[2 * i], v[2 * i + 1]);
        // Chunk i of unit `lane` at slot 4 lane + (i ^ swz(lane)): the 8 lanes of a 16-byte store
        // phase then hit 8 different 4-bank groups (unswizzled, 64-byte strides: 4-way conflicts).
#pragma unroll
        for (int i = 0; i < 4; ++i) out_s[warp][4 * lane + (i ^ ((lane >> 1) & 3))] = reinterpret_cast<const uint4*>(h)[i];
    }
    __syncwarp();
    uint4* dst = reinterpret_cast<uint4*>(out + 32 * u0);
    for (int i = lane; i < 4 * n_units; i += 32) dst[i] = out_s[warp][(i & ~3) | ((i & 3) ^ ((i >> 3) & 3))];
}

// F32 / BF16 weights: one thread per 32 elements, rounded to f16 (F16 itself is used in place).
template <DType T>
__global__ void dense_f16_kernel(const uint8_t* __restrict__ w, __half* __restrict__ out, size_t units) {
    const size_t u = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (u >= units) return;
    const uint8_t* src = w + 32 * u * (T == DType::F32 ? 4 : 2);
    __half2 h[16];
#pragma unroll
    for (int i = 0; i < 16; ++i) h[i] = __floats2half2_rn(dense_elem<T>(src, 2 * i), dense_elem<T>(src, 2 * i + 1));
    uint4* dst = reinterpret_cast<uint4*>(out + 32 * u);
#pragma unroll
    for (int i = 0; i < 4; ++i) dst[i] = reinterpret_cast<const uint4*>(h)[i];
}

__global__ void f32_to_f16_kernel(const float* __restrict__ x, __half* __restrict__ out, size_t count) {
    const size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < count) out[i] = __float2half_rn(x[i]);
}

}  // namespace

size_t gemm_cublas_weight_scratch(int n, int k) { return (size_t)n * k * sizeof(__half); }
size_t gemm_cublas_act_scratch(int m, int k) { return (size_t)m * k * sizeof(__half); }

bool launch_gemm_cublas(const CublasGemm& g, DType type, const uint8_t* w, const float* x, float* y, int m, int n,
                        int k, bool accumulate, cudaStream_t s) {
    if (!g.handle || k % 32 != 0 || k % 8 != 0) return false;
    if (gemm_cublas_weight_scratch(n, k) > g.w16_bytes || gemm_cublas_act_scratch(m, k) > g.x16_bytes) return false;
    __half* w16 = reinterpret_cast<__half*>(g.w16);
    __half* x16 = reinterpret_cast<__half*>(g.x16);
    constexpr int kThreads = 256;
    // F16 weights are multiplied where they lie (cuBLAS wants 16-byte aligned rows: k % 8 == 0).
    const bool direct = type == DType::F16 && aligned16(w);
    if (direct) {
        w16 = reinterpret_cast<__half*>(const_cast<uint8_t*>(w));
    } else {
        const bool ok = dispatch_dtype(type, [&]<DType T>() {
            const size_t units = (size_t)n * (k / 32);
            if constexpr (kIsDense<T>) {
                dense_f16_kernel<T><<<ceil_div(units, (size_t)kThreads), kThreads, 0, s>>>(w, w16, units);
            } else {
                dequant_f16_kernel<T><<<ceil_div(units, (size_t)(kDeqWarps * 32)), kDeqWarps * 32, 0, s>>>(w, w16, units);
            }
            AKUNU_CUDA_LAUNCHED("dequant_f16_kernel");
        });
        if (!ok) return false;
    }
    const size_t count = (size_t)m * k;
    f32_to_f16_kernel<<<ceil_div(count, (size_t)kThreads), kThreads, 0, s>>>(x, x16, count);
    AKUNU_CUDA_LAUNCHED("f32_to_f16_kernel");
    cublasHandle_t h = static_cast<cublasHandle_t>(g.handle);
    check_blas(cublasSetStream(h, s), "cublasSetStream");
    const float alpha = 1.0f, beta = accumulate ? 1.0f : 0.0f;
    // Row-major Y[m][n] = X[m][k] W[n][k]^T is column-major Y^T (n x m) = W^T' X': W is a k x n
    // column-major matrix (lda = k) used transposed, X a k x m one (ldb = k).
    check_blas(cublasGemmEx(h, CUBLAS_OP_T, CUBLAS_OP_N, n, m, k, &alpha, w16, CUDA_R_16F, k, x16, CUDA_R_16F, k, &beta,
                            y, CUDA_R_32F, n, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT),
               "cublasGemmEx");
    return true;
}

void* create_cublas_handle() {
    cublasHandle_t h = nullptr;
    check_blas(cublasCreate(&h), "cublasCreate");
    return h;
}

void destroy_cublas_handle(void* handle) {
    if (handle) cublasDestroy(static_cast<cublasHandle_t>(handle));
}

}  // namespace akunu::cuda
