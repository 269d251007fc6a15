// The tokens that end an assistant turn: the vocabulary's EOS and EOT, plus the control token the
// chat template itself writes after an assistant message (Qwen's <|im_end|>, Llama 3's <|eot_id|>,
// Gemma's <end_of_turn>), which some GGUF files do not mark as EOS or EOT.
#pragma once

#include <cstdint>
#include <vector>

#include "chat/chat_template.h"

namespace akunu {

class Tokenizer;

// `base` carries the special tokens (bos/eos) the template expects. Sorted, without duplicates.
std::vector<int32_t> chat_end_tokens(const Tokenizer& tokenizer, const chat::ChatTemplate& tmpl,
                                     const chat::RenderContext& base);

}  // namespace akunu
