// Chooses how a MatMul runs on the CPU: per weight type and kernel level (cpu_features.h), and
// whether activations may be quantized to 8 bits.
//
//   path        weight types                    activations             when
//   Integer     Q4_0, Q8_0 (Q8_32); Q4_K, Q6_K  int8 blocks, quantized  exact_activations == false
//               (Q8_K)                          once per command
//   Float       F32, F16, BF16                  f32, FMA                level avx2 / avx512
//   Dequant     every other type; the integer   f32: rows dequantized   level avx2 / avx512
//               types when exact                in blocks of 8, FMA
//   Reference   everything not above            f32 (cpu_matmul)        level scalar
//
// Within the Integer path the level's kernels pick their own shape: register tiles of up to 4 rows
// x 4 tokens (with software prefetch for one token), and at the avx512 level, from a few tokens
// up, a GEMM over 16 weight rows repacked into CpuScratch::pack (matmul_avx512.cpp).
// MatMuls that share their input may run as one group (run_group; CpuBackend finds the groups in
// matmul_group.cpp): one quantization of the activations, one pool dispatch over all their rows.
// Integer results differ from the f32 ones by the activation rounding (~1e-3 relative, like
// llama.cpp, which quantizes activations the same way); the other paths hold f32 accuracy.
#pragma once

#include <cstddef>
#include <cstdint>

#include "backend/cpu/cpu_features.h"
#include "backend/cpu/cpu_kernels.h"
#include "backend/cpu/matmul_kernels.h"
#include "format/dtype.h"

namespace akunu {

class ThreadPool;

enum class MatMulPath { Integer, Float, Dequant, Reference };
const char* matmul_path_name(MatMulPath p);

// The kernel table of a level (the scalar twin for Scalar). Throws Unsupported if the level is
// not compiled into this build.
const MatMulKernels& matmul_kernels(CpuIsa isa);

// One MatMul of a group that shares its input (run_group).
struct MatMulPart {
    const uint8_t* w = nullptr;
    float* y = nullptr;  // [m][n]
    int64_t n = 0;
};

class MatMulDispatch {
public:
    MatMulDispatch(CpuIsa isa, bool exact_activations);

    CpuIsa isa() const { return isa_; }
    bool exact_activations() const { return exact_; }
    MatMulPath path(DType type) const;

    // Bytes of quantized-activation scratch for m tokens of width k (0 unless the Integer path).
    size_t qact_bytes(DType type, int64_t k, int32_t m) const;
    // Bytes of per-thread weight-packing scratch (CpuScratch::pack) for m tokens of width k (0 for
    // one token or a non-integer path). Without it the kernels run unpacked (slower prefill).
    size_t pack_bytes(DType type, int64_t k, int32_t m) const;

    // y[m][n] (+)= x[m][k] W[n][k]^T. scratch.rows must hold kMatMulRowBlock * k floats per thread;
    // scratch.qact at least one token's quantized row (more tokens than fit are done in chunks);
    // scratch.pack is used where its stride holds pack_bytes().
    void run(const uint8_t* w, DType type, const float* x, float* y, int32_t m, int64_t n, int64_t k,
             bool accumulate, ThreadPool& pool, const CpuScratch& scratch) const;

    // Whether MatMuls of this type and width can run as one group (run_group): the Integer path,
    // n a multiple of the row grain (so no pool range straddles two parts unaligned).
    bool groupable(DType type, int64_t n) const;

    // Several MatMuls with the same type, input x [m][k] and accumulate flag, as one: the
    // activations are quantized once and the rows of all parts are split across the pool in one
    // dispatch (Q, K and V of a layer; FFN gate and up). Each part must be groupable().
    void run_group(const MatMulPart* parts, int count, DType type, const float* x, int32_t m, int64_t k,
                   bool accumulate, ThreadPool& pool, const CpuScratch& scratch) const;

private:
    void run_integer(const MatMulPart* parts, int count, DType type, const float* x, int32_t m, int64_t k,
                     bool accumulate, ThreadPool& pool, const CpuScratch& scratch) const;

    CpuIsa isa_;
    bool exact_;
    const MatMulKernels* kernels_;
};

}  // namespace akunu
