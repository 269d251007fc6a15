// Byte-level BPE (tokenizer.ggml.model = "gpt2", or a Hugging Face tokenizer.json whose model is
// BPE over ByteLevel): GPT-2, Llama 3, Qwen2/3, Falcon, MPT, StarCoder, Refact, DeepSeek.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tokenizer/pre_tokenizer.h"
#include "tokenizer/special_token_splitter.h"
#include "tokenizer/text_normalizer.h"
#include "tokenizer/tokenizer.h"

namespace akunu {

struct BpeOptions {
    TextNormalizer normalizer;
    PreTokenizer pre_tokenizer;
    // A piece that is itself a token is emitted whole, without merging (Llama 3 sets this;
    // it differs from merging only for tokens the merges cannot build).
    bool ignore_merges = false;
};

class BpeTokenizer final : public Tokenizer {
public:
    // Throws Format when a merge is not two tokens separated by one space, or names a token (or
    // a concatenation) that is not in the vocabulary.
    BpeTokenizer(Vocab vocab, BpeOptions options);
    BpeTokenizer(const BpeTokenizer&) = delete;
    BpeTokenizer& operator=(const BpeTokenizer&) = delete;

    // Cuts out added tokens, then normalizes and pre-tokenizes each text fragment, and merges
    // within each piece. Ill-formed UTF-8 is kept: each bad byte is encoded as its byte token.
    std::vector<int32_t> encode(std::string_view text, bool add_bos, bool parse_special) const override;
    // The bytes of the token: its characters mapped back through the byte table (a token with a
    // character outside the table, like MPT's runs of spaces, is its text); control -> "".
    std::string token_to_piece(int32_t id) const override;

    // The merge step alone, on one piece of raw bytes. Appends to `out`.
    void encode_piece(std::string_view bytes, std::vector<int32_t>& out) const;

private:
    struct MergeResult {
        int32_t rank;
        int32_t id;
    };
    static uint64_t pair_key(int32_t left, int32_t right) { return ((uint64_t)(uint32_t)left << 32) | (uint32_t)right; }
    void build_merges();

    BpeOptions options_;
    std::unordered_map<uint64_t, MergeResult> merges_;  // (left id, right id) -> rank, merged id
    std::array<int32_t, 256> byte_token_;               // token of each byte's character, -1 if none
    std::vector<std::string> pieces_;                   // token_to_piece, computed once
    SpecialTokenSplitter specials_;
};

}  // namespace akunu
