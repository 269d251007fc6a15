// A Hugging Face folder's tokenizer (tokenizer.json + tokenizer_config.json) as the GGUF keys
// llama.cpp's converter writes: tokenizer.ggml.{model, pre, tokens, token_type, merges, *_token_id,
// add_*_token} and tokenizer.chat_template.
#pragma once

#include <memory>
#include <string>

#include "tokenizer/tokenizer.h"

namespace akunu {

class GgufWriter;

// GGUF names the pre-tokenizer (tokenizer.ggml.pre) instead of storing it. Like llama.cpp, which
// recognises a tokenizer by the ids it gives for a fixed text, this picks the first preset
// ("default" first) whose tokenizer encodes a probe text exactly as `hf` does. Throws
// Unsupported naming `source` when none does.
std::string detect_bpe_pre(const Tokenizer& hf, const std::string& source);

struct HfTokenizer {
    std::unique_ptr<Tokenizer> tokenizer;
    std::string source;         // tokenizer.json's path
    std::string chat_template;  // empty if none
};

// Reads dir/tokenizer.json (required) and dir/tokenizer_config.json (optional). Throws
// Io/Format/Unsupported naming the file; only byte-level BPE is converted.
HfTokenizer read_hf_tokenizer(const std::string& dir);

void add_hf_tokenizer_keys(const HfTokenizer& tokenizer, GgufWriter& out);

}  // namespace akunu
