// The fast prefill MatMul's resources (gemm_cublas.cu): a cuBLAS handle and f16 scratch for the
// dequantized weight and the rounded activations, sized by the backend in prepare(). Plain data so
// that cuda_backend.h stays free of CUDA headers.
#pragma once

#include <cstddef>
#include <cstdint>

namespace akunu::cuda {

struct CublasGemm {
    void* handle = nullptr;  // cublasHandle_t; null: the fast prefill path is off
    uint8_t* w16 = nullptr;
    size_t w16_bytes = 0;
    uint8_t* x16 = nullptr;
    size_t x16_bytes = 0;
};

}  // namespace akunu::cuda
