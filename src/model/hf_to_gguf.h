// A Hugging Face model (config.json + safetensors) as the GGUF metadata and tensors llama.cpp's
// converter writes for it: names, shapes, layouts (LLaMA's q/k rows permuted for interleaved
// RoPE, Gemma's norms stored as 1 + w, Phi-3's fused qkv and gate_up kept), Llama 3's RoPE
// scaling as a rope_freqs.weight tensor, tied embeddings as no output.weight. The tokenizer keys
// are added by the caller (runtime/hf_folder.h), which owns the tokenizer.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "format/dtype.h"
#include "model/hf_checkpoint.h"
#include "model/hf_config.h"

namespace akunu {

class GgufWriter;

struct HfWeightOptions {
    // The type of the 2-D weights; unset keeps each as stored (F32, F16 or BF16). 1-D tensors
    // (norms, biases) stay F32, as llama.cpp writes them. A row length the type's block does
    // not divide falls back (K-quants to Q5_0, then F16).
    std::optional<DType> weight_type;
};

// Throws InvalidArgument when `type` has no quantizer in the registry.
void check_hf_weight_type(DType type);

// Adds general.* and {arch}.* keys and every tensor to `out`. Tensor bytes are made lazily (one
// tensor at a time, when `out` is written) and keep `checkpoint` alive. `vocab_size` is the
// tokenizer's (Gemma 3's embedding rows beyond it are dropped, as llama.cpp does); `name` goes to
// general.name. Throws Format/Unsupported naming the file and tensor on anything we cannot map.
void add_hf_model(const HfConfig& config, std::shared_ptr<const HfCheckpoint> checkpoint,
                  const HfWeightOptions& options, uint32_t vocab_size, const std::string& name, GgufWriter& out);

}  // namespace akunu
