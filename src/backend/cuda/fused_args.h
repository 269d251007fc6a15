// Arguments of the kernels that replace a run of table commands (qk_rope_store.cu), resolved once in
// prepare(). Plain data so that cuda_backend.h stays free of CUDA headers.
#pragma once

#include <cstdint>

#include "format/dtype.h"

namespace akunu::cuda {

// [RmsNorm q][RmsNorm k] (QK-norm, optional) + Rope q + Rope k + KvStore.
struct QkRopeStore {
    float* q = nullptr;  // [m][heads][head_dim], normalized and rotated in place
    float* k = nullptr;  // [m][kv_heads][head_dim], likewise, then stored
    const float* v = nullptr;
    const float* q_norm = nullptr;  // null: no QK-norm
    const float* k_norm = nullptr;
    float eps = 0.0f;
    void* k_cache = nullptr;  // [kv_heads][max_ctx][head_dim] of kv_type
    void* v_cache = nullptr;
    DType kv_type = DType::F32;  // F32 or F16 (KvStore's wtype)
    int heads = 0, kv_heads = 0, head_dim = 0, rope_dim = 0, style = 0, max_ctx = 0;
    float theta = 0.0f;
    const float* freq_factors = nullptr;  // Rope's in0 (rope_freqs), shared by q and k; null: none
};

}  // namespace akunu::cuda
