// Split-context (flash-decoding) attention for one token: what the two decode kernels share. Each
// writes per-chunk softmax partials (max, sum, unnormalised output) into one scratch area and the
// last block of a group to finish (an atomic counter) combines them and resets its counter, so a
// captured CUDA graph replays the kernel without host help.
//   attention_decode.cu       one block per (query head, chunk), block-wide tiles (any shape)
//   attention_decode_gqa.cu   one block per (KV head, chunk) serving the whole GQA group from one
//                             pass over K/V, warp-local online softmax, 16-byte loads
// Scratch layout: partials (split_partial_floats), 16-byte aligned, then one counter per query
// head (both kernels index counters below n_heads).
#pragma once

#include <cstddef>
#include <cstdint>

#include "backend/cuda/cuda_ops.h"

namespace akunu::cuda {

struct SplitScratch {
    float* part = nullptr;
    unsigned* counters = nullptr;
};

// Partial floats enough for either kernel at this shape.
size_t split_partial_floats(int n_heads, int head_dim, int max_ctx);
SplitScratch split_scratch(uint8_t* base, int n_heads, int head_dim, int max_ctx);

// Multiprocessors of the current device (one device per process), read once.
int device_sm_count();

// Chunks of the GQA kernel's grid for a context of max_ctx and `blocks_per_chunk` (KV head, query
// subgroup) blocks: about two blocks (of 4 warps) per SM at full context, never more than
// max_ctx / 64 chunks or kMaxSplitChunks.
constexpr int kMaxSplitChunks = 256;
int gqa_chunks(int blocks_per_chunk, int max_ctx);

// The GQA kernel for an Attention command with m = 1. Returns false, launching nothing, for a
// shape or alignment it does not take (head_dim not a multiple of 16 bytes of the cache type or
// over 64 of them, pointers not 16-byte aligned); the caller then runs the per-head kernel.
bool launch_attention_decode_gqa(const OpLaunch& l, const SplitScratch& s);

}  // namespace akunu::cuda
