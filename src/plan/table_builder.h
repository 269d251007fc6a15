// Builds the forward pass of a model as a dispatch table, once, at load time.
// Reads ModelConfig (which carries the ArchSpec's choices) and DeviceConfig; never an arch name.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "backend/device_config.h"
#include "model/model_config.h"
#include "model/model_weights.h"
#include "plan/dispatch_table.h"

namespace akunu {

// Activation buffers, each sized for `max_tokens` rows of its width (f32 unless noted).
struct ActivationBuffers {
    BufferId tokens = kNoBuffer;     // i32 [max_tokens]; Argmax writes element 0
    BufferId x = kNoBuffer;          // residual stream [dim]
    BufferId xn = kNoBuffer;         // normed input of a block [dim]
    BufferId q = kNoBuffer;          // [q_dim]
    BufferId k = kNoBuffer;          // [kv_dim]
    BufferId v = kNoBuffer;          // [kv_dim]
    BufferId attn = kNoBuffer;       // attention output [q_dim]
    BufferId gate = kNoBuffer;       // [ffn_dim]
    BufferId up = kNoBuffer;         // [ffn_dim]
    BufferId tmp = kNoBuffer;        // [dim], for the unfused residual path
    BufferId logits = kNoBuffer;     // [vocab], one row
    BufferId chain_out = kNoBuffer;  // i32 [chain capacity]
};

struct KvCacheLayout {
    std::vector<BufferId> k;  // per layer, dtype [n_kv_heads][max_ctx][head_dim]
    std::vector<BufferId> v;
    uint32_t max_ctx = 0;
    DType dtype = DType::F32;  // F32 or F16; KvStore and Attention carry it as their wtype
};

struct TableInputs {
    const ModelConfig* config = nullptr;
    const ModelWeights* weights = nullptr;
    const std::unordered_map<const void*, BufferId>* weight_buffers = nullptr;  // tensor data -> buffer
    const ActivationBuffers* act = nullptr;
    const KvCacheLayout* kv = nullptr;
    const DeviceConfig* device = nullptr;
    uint32_t max_tokens = 1;  // 1: the decode table (GEMV); >1: a prefill table (GEMM)
};

DispatchTable build_forward_table(const TableInputs& in);

}  // namespace akunu
