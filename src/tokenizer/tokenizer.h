// Text <-> token ids. One interface over SentencePiece (spm_tokenizer.h), byte-level BPE
// (bpe_tokenizer.h) and WordPiece (wordpiece_tokenizer.h); GGUF files and Hugging Face
// tokenizer.json (hf_tokenizer_json.h) both lead here.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/vocab.h"

namespace akunu {

class GgufFile;

class Tokenizer {
public:
    virtual ~Tokenizer() = default;

    // Builds the tokenizer named by tokenizer.ggml.model; throws Unsupported naming the model otherwise.
    static std::unique_ptr<Tokenizer> from_gguf(const GgufFile& file);

    // add_bos: prepend BOS (callers usually pass vocab().add_bos).
    // parse_special: text that spells a control token becomes that token. User-defined tokens
    // (Hugging Face's non-special added tokens) are matched in text either way.
    virtual std::vector<int32_t> encode(std::string_view text, bool add_bos, bool parse_special) const = 0;

    // The bytes a token stands for, control tokens -> "". SPM: U+2581 -> space, <0xNN> -> that
    // byte. BPE: each character mapped back to its byte (possibly part of a UTF-8 character).
    // WordPiece: a word start gets a leading space, a continuation none.
    virtual std::string token_to_piece(int32_t id) const = 0;

    // Concatenated pieces (no leading-space stripping).
    std::string decode(const std::vector<int32_t>& ids) const;

    const Vocab& vocab() const { return vocab_; }

protected:
    explicit Tokenizer(Vocab vocab) : vocab_(std::move(vocab)) {}
    Vocab vocab_;
};

// Streaming detokenization: returns only complete UTF-8 characters, holding back a partial
// multi-byte sequence until the token that completes it arrives.
class StreamingDetokenizer {
public:
    explicit StreamingDetokenizer(const Tokenizer& tokenizer) : tok_(tokenizer) {}
    std::string push(int32_t id);  // text now safe to show
    std::string flush();           // whatever is held back (invalid bytes become U+FFFD)
    void reset() { pending_.clear(); }

private:
    const Tokenizer& tok_;
    std::string pending_;
};

}  // namespace akunu
