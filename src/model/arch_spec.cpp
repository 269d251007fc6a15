#include "model/arch_spec.h"

namespace akunu {
namespace {

// LLaMA 1/2/3, Mistral, TinyLlama and llama2.c exports all store interleaved-pair RoPE in GGUF
// (the converter permutes Q/K rows); Qwen3 keeps HF's split-half layout and adds QK-norm.
const ArchSpec kArchSpecs[] = {
    {"llama", RopeStyle::Interleaved, Activation::SiluGated, false, true, true},
    {"qwen3", RopeStyle::NeoX, Activation::SiluGated, true, true, true},
};

}  // namespace

const ArchSpec* find_arch_spec(std::string_view name) {
    for (const ArchSpec& spec : kArchSpecs) {
        if (name == spec.name) return &spec;
    }
    return nullptr;
}

std::string supported_arch_names() {
    std::string out;
    for (const ArchSpec& spec : kArchSpecs) {
        if (!out.empty()) out += ", ";
        out += spec.name;
    }
    return out;
}

const char* rope_style_name(RopeStyle style) {
    return style == RopeStyle::NeoX ? "neox" : "interleaved";
}

}  // namespace akunu
