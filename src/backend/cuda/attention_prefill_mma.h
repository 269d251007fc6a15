// Prefill attention on tensor cores (attention_prefill_mma.cu).
#pragma once

#include "backend/cuda/cuda_ops.h"

namespace akunu::cuda {

// Runs the Attention command of a prefill (l.m >= 2) with f16 mma.sync when the fast path is on
// (l.exact_activations == false) and the shape fits (head_dim a multiple of 16, at most 128, 16-byte
// aligned caches); returns false, having launched nothing, otherwise.
bool launch_attention_prefill_mma(const OpLaunch& l);

}  // namespace akunu::cuda
