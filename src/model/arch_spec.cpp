#include "model/arch_spec.h"

namespace akunu {
namespace {

// LLaMA 1/2/3, Mistral, TinyLlama and llama2.c exports all store interleaved-pair RoPE in GGUF
// (the converter permutes Q/K rows); the other families keep HF's split-half (NeoX) layout.
// Llama 3.1's RoPE scaling travels as the rope_freqs.weight tensor, not as a row here.
//  name      rope                  activation                 qk_norm key_len tied   qkv_b  f_qkv  f_gu   post   emb    swa
const ArchSpec kArchSpecs[] = {
    {"llama", RopeStyle::Interleaved, Activation::SiluGated, false, true, true, false, false, false, false, false, 0},
    {"qwen2", RopeStyle::NeoX, Activation::SiluGated, false, true, true, true, false, false, false, false, 0},
    {"qwen3", RopeStyle::NeoX, Activation::SiluGated, true, true, true, false, false, false, false, false, 0},
    {"gemma2", RopeStyle::NeoX, Activation::GeluTanhGated, false, true, true, false, false, false, true, true, 2},
    {"gemma3", RopeStyle::NeoX, Activation::GeluTanhGated, true, true, true, false, false, false, true, true, 6},
    {"phi3", RopeStyle::NeoX, Activation::SiluGated, false, true, true, false, true, true, false, false, 1},
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

const char* activation_name(Activation activation) {
    return activation == Activation::GeluTanhGated ? "GeGLU" : "SwiGLU";
}

}  // namespace akunu
