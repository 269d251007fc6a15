// One command of the dispatch table: flat POD, replayed per token without allocation.
// Buffers are referenced by id + byte offset; the backend resolves ids once (prepare()).
#pragma once

#include <cstdint>
#include <type_traits>

#include "format/dtype.h"

namespace akunu {

using BufferId = uint32_t;
constexpr BufferId kNoBuffer = 0xffffffffu;

struct BufRef {
    BufferId buf = kNoBuffer;
    uint32_t reserved = 0;
    uint64_t offset = 0;  // bytes
};

enum class Op : uint8_t {
    EmbedLookup,  // in0 tokens (i32) · in1 table [vocab][k] wtype → out0 [M][k] f32
    RmsNorm,      // in0 [M·p0][k] · in1 weight f32[k] → out0; eps f0 (in place allowed)
    MatMul,       // in0 weight [n][k] wtype · in1 [M][k] f32 → out0 [M][n] f32 (+= when kAccumulate)
    Rope,         // in place on out0 [M][p0 heads][p1 head_dim]; p2 rope_dim, p3 style; theta f0;
                  // in0 (optional) f32[p2 / 2] frequency divisors (Llama 3.1 rope_freqs): pair i turns by
                  // pos * theta^(-2i/p2) / in0[i]
    KvStore,      // in0 k [M][p0·p1] · in1 v → out0 K cache, out1 V cache [p0][p2 max_ctx][p1] of wtype
                  // (F32: a copy; F16: rounded to nearest even)
    Attention,    // in0 q [M][p0·p2] · in1 K cache · in2 V cache → out0 [M][p0·p2]; p1 kv heads, p3 max_ctx, scale f0;
                  // k: sliding window (position p sees keys p-k+1..p; 0: all of 0..p); f1: logit soft-cap
                  // (score = f1·tanh(score / f1) after the scale; 0: none); wtype: the caches' element type
    Add,          // out0 = in0 + in1, M·n elements
    SwiGlu,       // out0 = silu(in0) · in1, M·n elements
    Argmax,       // in0 logits f32[n] → out0 token (i32, read by the next EmbedLookup), out1 chain_out[step]
    AddBias,      // out0[M][n] = in0[M][n] + in1 f32[n] (in place allowed): Q/K/V projection biases
    GeluGlu,      // out0 = gelu_tanh(in0) · in1, M·n elements (GeGLU with the tanh approximation of GELU)
    Scale,        // out0 = in0 · f0, M·n elements (in place allowed): Gemma's embedding scale
    SoftCap,      // out0 = f0 · tanh(in0 / f0), M·n elements (in place allowed): final logit soft-capping
    Count,
};

const char* op_name(Op op);

enum CommandFlags : uint16_t {
    kAccumulate = 1u << 0,  // MatMul adds into out0 (fused residual add)
    kLastRowOnly = 1u << 1, // read the last token's row(s) only, write row 0 (final norm in prefill)
    kSingleRow = 1u << 2,   // run with M = 1 on row 0 (the logits projection after a kLastRowOnly norm)
};

// Per-run values that differ from token to token. The table itself never changes; a backend hands
// these to the kernels (CPU: arguments; CUDA: a small device buffer the captured graph reads).
struct RunState {
    int32_t pos = 0;       // position of the first token of this run
    int32_t n_tokens = 1;  // M: tokens in this run (1 for decode)
    int32_t step = 0;      // index within a chain (where Argmax records its token)
};

struct Command {
    Op op = Op::Count;
    DType wtype = DType::F32;  // weight type for EmbedLookup / MatMul; KV cache type for KvStore / Attention
    uint16_t flags = 0;
    BufRef in[3];
    BufRef out[2];
    uint32_t n = 0, k = 0;  // output width, input width
    uint32_t p[4] = {0, 0, 0, 0};
    float f0 = 0.0f;
    float f1 = 0.0f;
};

static_assert(std::is_trivially_copyable_v<Command>, "commands are replayed as plain bytes");

}  // namespace akunu
