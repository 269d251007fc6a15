// Random-weight models with the exact tensor shapes of real ones, written as GGUF (llama.cpp loads
// them too). Speed does not depend on weight values, so these stand in for downloads in benchmarks
// and tests. Weights are scaled so activations stay finite through every layer.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "format/dtype.h"
#include "model/model_config.h"

namespace akunu {

class GgufWriter;

struct SyntheticSpec {
    std::string preset;          // "qwen3-0.6b"
    DType type = DType::F32;     // type of every 2-D weight whose rows allow it (else F32)
    uint64_t seed = 1234;
};

// "PRESET" or "PRESET:TYPE" (type names as parse_dtype takes them). Throws InvalidArgument naming
// the presets or types on a bad spec.
SyntheticSpec parse_synthetic_spec(const std::string& spec);

std::vector<std::string> synthetic_preset_names();

// The config a preset describes (shapes, rope, eps, tying).
ModelConfig synthetic_config(const std::string& preset);

// Fills the writer with metadata, a SentencePiece-style vocabulary of the real size, and weights.
void build_synthetic_gguf(const SyntheticSpec& spec, GgufWriter& writer);

// The same for any config (tests use odd shapes: head_dim 48, 3 KV heads, ffn 200 ...).
// The config's architecture must have an ArchSpec; its rope style and QK-norm come from there.
void build_synthetic_gguf(const ModelConfig& config, DType type, uint64_t seed, GgufWriter& writer);

}  // namespace akunu
