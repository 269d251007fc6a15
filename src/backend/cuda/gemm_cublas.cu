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

// One thread per 32 consecutive elements of a row: dequantize (registry-exact) and store as f16.
template <DType T>
__global__ void dequant_f16_kernel(const uint8_t* __restrict__ w, size_t row_bytes, __half* __restrict__ out,
                                   int n, int k) {
    const int units = k / 32;
    const size_t idx = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (idx >= (size_t)n * units) return;
    const int r = (int)(idx / units), u = (int)(idx % units);
    const uint8_t* row = w + (size_t)r * row_bytes;
    float v[32];
    if constexpr (kIsDense<T>) {
#pragma unroll
        for (int i = 0; i < 32; ++i) v[i] = dense_elem<T>(row, 32 * u + i);
    } else {
        deq32<T>(row, u, v);
    }
    __half2 h[16];
#pragma unroll
    for (int i = 0; i < 16; ++i) h[i] = __floats2half2_rn(v[2 * i], v[2 * i + 1]);
    uint4* dst = reinterpret_cast<uint4*>(out + (size_t)r * k + 32 * u);
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
    const bool ok = dispatch_dtype(type, [&]<DType T>() {
        const size_t row_bytes = (size_t)(k / TypeInfo<T>::kBlock) * TypeInfo<T>::kBytes;
        const size_t units = (size_t)n * (k / 32);
        dequant_f16_kernel<T><<<ceil_div(units, (size_t)kThreads), kThreads, 0, s>>>(w, row_bytes, w16, n, k);
        AKUNU_CUDA_LAUNCHED("dequant_f16_kernel");
    });
    if (!ok) return false;
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
