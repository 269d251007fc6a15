// The pre-tokenizer (and normalizer) of each byte-level BPE family, by the name a GGUF file
// stores in tokenizer.ggml.pre. Each preset restates, step for step, the pre_tokenizer and
// normalizer of that family's Hugging Face tokenizer.json, which produced the reference ids.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/bpe_tokenizer.h"

namespace akunu {

// Throws Unsupported naming `source` (the file, for the message), `pre` and the supported names
// when there is no preset for it.
// An empty name (no tokenizer.ggml.pre, as in older GPT-NeoX files) and "default" get the
// GPT-2 ByteLevel pre-tokenizer, which is what a Hugging Face ByteLevel BPE uses by default.
BpeOptions bpe_options_for_pre(std::string_view pre, const std::string& source);

std::vector<std::string> supported_bpe_pres();

}  // namespace akunu
