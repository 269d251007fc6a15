// The op-test reference: a plain scalar, double-precision implementation of every Op, written from
// the conventions documented in plan/command.h (not from any backend's kernels), and an interpreter
// that runs a DispatchTable on host memory with it.
//
// Weights are dequantized with the dtype registry (format/dtype.h), so the reference sees exactly
// the values a backend's dequantizer must produce; everything after that is accumulated in double.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "format/dtype.h"
#include "plan/command.h"
#include "plan/dispatch_table.h"

namespace akunu::optest {

// ---------------------------------------------------------------- scalar ops on plain arrays
// Row-major, element strides as in command.h. None of these allocate shared state; in/out may not
// alias (the interpreter below copies its inputs first, which is how it handles in-place commands).

// out[t][0..k) = dequantized row tokens[t] of table [vocab][k] (type).
void ref_embed_lookup(const int32_t* tokens, int64_t m, const uint8_t* table, DType type, int64_t k, double* out);
// y[r] = x[r] / sqrt(mean(x[r]^2) + eps) * w, for each of `rows` rows of width k.
void ref_rmsnorm(const double* x, const double* w, double* y, int64_t rows, int64_t k, double eps);
// y[t][j] (+)= sum_i W[j][i] x[t][i]; W is [n][k] of `type`, dequantized row by row with the registry.
// term_norm (optional, [m][n]): the L2 norm of the terms summed into each output (y's old value
// included when accumulating), the size a sum of random-sign terms has before cancellation.
void ref_matmul(const uint8_t* w, DType type, int64_t n, int64_t k, const double* x, int64_t m, double* y,
                bool accumulate, double* term_norm = nullptr);
// In place on x [m][heads][head_dim]; token t is at position pos0 + t. Pair i < rope_dim/2 turns by
// angle pos * theta^(-2i/rope_dim); style 0 pairs (2i, 2i+1) (interleaved, GPT-J / LLaMA GGUF),
// style 1 pairs (i, i + rope_dim/2) (NeoX). Elements from rope_dim on are left alone. freq_factors
// (optional, rope_dim/2 values) divide each pair's angle.
void ref_rope(double* x, int64_t m, int64_t pos0, int64_t heads, int64_t head_dim, int64_t rope_dim, int style,
              double theta, const double* freq_factors = nullptr);
// Causal attention of m tokens (token t at position pos0 + t sees positions 0..pos0+t) over a
// head-major cache [n_kv][max_ctx][head_dim]; query head h reads kv head h / (n_heads / n_kv).
// term_norm (optional, like out): L2 norm of the softmax-weighted values summed into each output.
// window > 0: position p sees only positions p-window+1..p; softcap > 0: scores (after the scale)
// become softcap * tanh(score / softcap).
void ref_attention(const double* q, const double* k_cache, const double* v_cache, double* out, int64_t m,
                   int64_t pos0, int64_t n_heads, int64_t n_kv, int64_t head_dim, int64_t max_ctx, double scale,
                   double* term_norm = nullptr, int64_t window = 0, double softcap = 0);
double ref_silu(double x);
// GELU, tanh approximation: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
double ref_gelu_tanh(double x);
// First index of the largest value; *margin (optional) = largest minus second largest (0 on a tie).
int64_t ref_argmax(const double* x, int64_t n, double* margin);

// ---------------------------------------------------------------- host memory and interpreter

enum class Elem : uint8_t {
    F32,  // activations, caches, norm weights: held as doubles (a float per element on the backend)
    I32,  // tokens, chain output
    Raw,  // weight matrices of some DType: exact bytes, read through the registry's dequantizer
};

const char* elem_name(Elem e);

struct RefTensor {
    Elem elem = Elem::F32;
    std::vector<uint8_t> bytes;    // I32 / Raw: the content; F32: the initial content (floats)
    std::vector<double> f;         // F32: current values (one per float)
    std::vector<double> term_norm; // F32: for outputs of sums (MatMul, Attention), the L2 norm of the
                                   // terms (see ref_matmul); 0 elsewhere. The harness normalizes
                                   // errors by max(|value|, term_norm) per element, so one output
                                   // whose terms cancel does not read as a large relative error.
    std::vector<uint8_t> written;  // F32 / I32: 1 where some command wrote the element
    size_t elements() const { return elem == Elem::Raw ? bytes.size() : bytes.size() / 4; }
};

// One RefTensor per BufferId of the table being interpreted (BufRef.buf indexes `tensors`).
struct RefMemory {
    std::vector<RefTensor> tensors;
    // Adds a tensor with the given initial bytes (F32 bytes are floats, I32 int32s).
    uint32_t add(Elem elem, std::vector<uint8_t> bytes);
};

struct RefStats {
    // Smallest (top-1 minus top-2) / max|logit| any Argmax saw. Where the logits were computed by
    // earlier commands, a backend can only be held to the reference's token if this is well above
    // the tolerance (the harness checks it for cases that ask).
    double min_argmax_margin = std::numeric_limits<double>::infinity();
};

// Runs one command / a table / a chain (as Backend::run_chain defines it: step i at pos first.pos+i,
// step first.step+i). Throws std::logic_error on a malformed command (a bug in the test case):
// out-of-range references, shapes the op does not define, flags the op does not take.
void ref_execute(const Command& c, const RunState& s, RefMemory& mem, RefStats* stats = nullptr);
void ref_run(const DispatchTable& table, const RunState& s, RefMemory& mem, RefStats* stats = nullptr);
void ref_run_chain(const DispatchTable& table, const RunState& first, int32_t n_steps, RefMemory& mem,
                   RefStats* stats = nullptr);

}  // namespace akunu::optest
