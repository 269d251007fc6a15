// SentencePiece-style BPE over scores (tokenizer.ggml.model = "llama"): Llama 1/2, Phi-3,
// Baichuan, stories260K.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/tokenizer.h"

namespace akunu {

class SpmTokenizer final : public Tokenizer {
public:
    explicit SpmTokenizer(Vocab vocab);

    // Splits out special tokens, then for each text fragment: optional leading space, spaces
    // become U+2581, and the fragment is merged pairwise by score (see spm_tokenizer.cpp).
    std::vector<int32_t> encode(std::string_view text, bool add_bos, bool parse_special) const override;
    std::string token_to_piece(int32_t id) const override;

    // The merge step alone, on text that is already escaped (spaces as U+2581, prefix added).
    // Appends to `out`. Exposed for tests.
    void encode_escaped(std::string_view text, std::vector<int32_t>& out) const;

private:
    struct Fragment {
        int32_t token;  // -1: text
        size_t offset;  // text: a slice of the input
        size_t length;
    };
    std::vector<Fragment> split_special(std::string_view text, bool parse_special) const;
    void emit_bytes(std::string_view bytes, std::vector<int32_t>& out) const;

    std::vector<std::string> pieces_;     // token_to_piece, computed once
    std::vector<int32_t> special_;        // Control / UserDefined / Unknown ids, longest text first
    std::array<int32_t, 256> byte_token_;  // byte -> <0xNN> token (or fallback), -1 if none
};

}  // namespace akunu
