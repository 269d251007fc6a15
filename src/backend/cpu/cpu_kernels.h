// CPU kernels, one function per op. These are the reference the other backends are tested
// against: plain C++, f32 activations, f32 accumulation (f64 for norms), threads over rows/heads.
#pragma once

#include <cstddef>
#include <cstdint>

#include "format/dtype.h"
#include "plan/command.h"

namespace akunu {

class ThreadPool;

// Per-thread scratch the kernels may use; sized by the backend in prepare().
struct CpuScratch {
    float* rows = nullptr;      // kMatMulRowBlock * max_k floats per thread
    float* scores = nullptr;    // per thread: attention scratch (AttentionDispatch::scratch_floats)
    size_t rows_stride = 0;     // floats between two threads' `rows`
    size_t scores_stride = 0;
    uint8_t* qact = nullptr;    // quantized activations of one MatMul (shared, 64-byte aligned)
    size_t qact_bytes = 0;
    uint8_t* pack = nullptr;    // per thread: repacked weight rows of the prefill GEMM (64-byte aligned)
    size_t pack_stride = 0;     // bytes between two threads' `pack` (multiple of 64)
};

constexpr int kMatMulRowBlock = 8;  // weight rows dequantized together, reused across all M tokens

// SIMD where the CPU has it (process-wide level: AKUNU_ISA or the best; kernel_matmul.cpp).
float dot_f32(const float* a, const float* b, int64_t k);

void cpu_embed_lookup(const int32_t* tokens, int32_t m, const uint8_t* table, DType type, int64_t k, float* out);
void cpu_rmsnorm(const float* x, const float* w, float* y, int64_t rows, int64_t k, float eps);
void cpu_matmul(const uint8_t* w, DType type, const float* x, float* y, int32_t m, int64_t n, int64_t k,
                bool accumulate, ThreadPool& pool, const CpuScratch& scratch);
// freq_factors (optional, rope_dim / 2 floats): pair i turns by pos * theta^(-2i/rope_dim) / freq_factors[i].
void cpu_rope(float* x, int32_t m, int32_t pos0, int32_t heads, int32_t head_dim, int32_t rope_dim, int32_t style,
              float theta, float* cs, const float* freq_factors = nullptr);
// The two halves of cpu_rope, for callers that share one position's cos/sin between commands
// (rope_table.h): cos_t, sin_t of rope_dim / 2 frequencies; the rotation of one token's heads.
void rope_cos_sin(int32_t pos, int32_t rope_dim, float theta, float* cos_t, float* sin_t,
                  const float* freq_factors = nullptr);
void rope_rotate(float* x, int32_t heads, int32_t head_dim, int32_t rope_dim, int32_t style, const float* cos_t,
                 const float* sin_t);
void cpu_kv_store(const float* k, const float* v, float* k_cache, float* v_cache, int32_t m, int32_t pos0,
                  int32_t kv_heads, int32_t head_dim, int32_t max_ctx);
// An f16 cache: each value rounded to nearest even (core/half.h), as the CUDA KvStore does.
void cpu_kv_store(const float* k, const float* v, uint16_t* k_cache, uint16_t* v_cache, int32_t m, int32_t pos0,
                  int32_t kv_heads, int32_t head_dim, int32_t max_ctx);
// window > 0: position p sees keys p - window + 1 .. p only; softcap > 0: each scaled score s becomes
// softcap * tanh(s / softcap) before the softmax.
void cpu_attention(const float* q, const float* k_cache, const float* v_cache, float* out, int32_t m, int32_t pos0,
                   int32_t n_heads, int32_t n_kv_heads, int32_t head_dim, int32_t max_ctx, float scale,
                   int32_t window, float softcap, ThreadPool& pool, const CpuScratch& scratch);
// The same over f16 caches (each element widened to f32 as it is read; scratch.scores must also
// hold one head_dim row per thread after the max_ctx scores).
void cpu_attention(const float* q, const uint16_t* k_cache, const uint16_t* v_cache, float* out, int32_t m,
                   int32_t pos0, int32_t n_heads, int32_t n_kv_heads, int32_t head_dim, int32_t max_ctx, float scale,
                   int32_t window, float softcap, ThreadPool& pool, const CpuScratch& scratch);
void cpu_add(const float* a, const float* b, float* y, int64_t count);
void cpu_swiglu(const float* gate, const float* up, float* y, int64_t count);
// y = gelu(gate) * up with GELU's tanh approximation: 0.5 g (1 + tanh(sqrt(2/pi) (g + 0.044715 g^3))).
// (Computed in the equivalent sigmoid form; see kernel_elementwise.cpp.)
void cpu_geglu(const float* gate, const float* up, float* y, int64_t count);
// y[r][i] = x[r][i] + bias[i] for rows of n (in place allowed).
void cpu_add_bias(const float* x, const float* bias, float* y, int64_t rows, int64_t n);
void cpu_scale(const float* x, float* y, int64_t count, float s);
// y = cap * tanh(x / cap).
void cpu_softcap(const float* x, float* y, int64_t count, float cap);
int32_t cpu_argmax(const float* x, int64_t n);

}  // namespace akunu
