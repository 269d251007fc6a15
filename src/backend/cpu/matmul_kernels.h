// The MatMul kernels of one ISA level, as a table of plain functions. Each level's table lives in
// its own translation unit compiled with that level's flags (matmul_avx2.cpp: -mavx2 -mfma -mf16c;
// matmul_avx512.cpp: -mavx512*), so the rest of the library stays baseline x86-64 and one binary
// runs everywhere; matmul_dispatch.cpp picks the table at run time (cpu_features.h).
//
// Only POD types and declarations here: a header with inline functions included by a -mavx512 TU
// could hand the linker an AVX-512 copy of a function that baseline code then calls.
//
// Every kernel computes y[t*ldy + j] (= or +=) dot(W row j, x row t) for rows j in [j0, j1) and all
// m tokens t, single-threaded; the dispatcher splits rows across the thread pool.
#pragma once

#include <cstddef>
#include <cstdint>

#include "backend/cpu/quantize_activations.h"

namespace akunu {

// Integer paths: weights (Q4_0, Q8_0 with Q8_32 activations; Q4_K, Q6_K with Q8_K activations).
struct QMatMulArgs {
    const uint8_t* w = nullptr;  // row j at w + j * w_row_bytes
    size_t w_row_bytes = 0;
    const uint8_t* xq = nullptr;  // quantized activations, row t at xq + t * xl.row_bytes
    QActLayout xl;
    int32_t m = 0;
    float* y = nullptr;
    int64_t ldy = 0;
    bool accumulate = false;
};
// `pack`: this thread's scratch for repacked weight rows (kPackBytesPerK * k bytes, 64-byte
// aligned; nullptr when the caller has none, which a kernel must accept by not packing).
using QMatMulFn = void (*)(const QMatMulArgs& a, int64_t j0, int64_t j1, uint8_t* pack);
constexpr size_t kPackBytesPerK = 20;  // 16 rows x (1 byte + 2 floats / 32) per column: 16 * 40 / 32
using QuantizeActFn = void (*)(const float* x, int64_t k, uint8_t* row, const QActLayout& l);

// Float paths: f32 activations against F32 / F16 / BF16 weights (and against dequantized f32 rows
// in exact mode), f32 accumulation with FMA.
struct FMatMulArgs {
    const uint8_t* w = nullptr;
    size_t w_row_bytes = 0;
    int64_t k = 0;
    const float* x = nullptr;  // row t at x + t * ldx
    int64_t ldx = 0;
    int32_t m = 0;
    float* y = nullptr;
    int64_t ldy = 0;
    bool accumulate = false;
};
using FMatMulFn = void (*)(const FMatMulArgs& a, int64_t j0, int64_t j1);
using DequantRowFn = void (*)(const void* src, float* dst, int64_t n);

struct MatMulKernels {
    const char* name;
    QuantizeActFn quantize_q8_32;
    QuantizeActFn quantize_q8_k;
    QMatMulFn q4_0;
    QMatMulFn q8_0;
    QMatMulFn q4_k;
    QMatMulFn q6_k;
    FMatMulFn f32;  // nullptr at the scalar level (cpu_matmul takes float weights there)
    FMatMulFn f16;
    FMatMulFn bf16;
    // Row dequantizers for exact mode (same values as the registry's); nullptr: use the registry's.
    DequantRowFn dequant_q4_0;
    DequantRowFn dequant_q8_0;
    DequantRowFn dequant_q4_k;
    DequantRowFn dequant_q6_k;
    // f32 dot product (dot_f32 in cpu_kernels.h dispatches to the best level's); nullptr: scalar.
    float (*dot)(const float* a, const float* b, int64_t k);
};

// The scalar twin: the same integer arithmetic as the SIMD kernels (exact integer block sums, f32
// scaling), written plainly. It is the oracle the SIMD integer kernels are tested against, and the
// kernels of the "scalar" level.
const MatMulKernels& matmul_kernels_scalar();
// nullptr where the level is not compiled in (non-x86 builds).
const MatMulKernels* matmul_kernels_avx2();
const MatMulKernels* matmul_kernels_avx512();

}  // namespace akunu
