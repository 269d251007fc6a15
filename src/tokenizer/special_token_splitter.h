// Cuts added tokens (control and user-defined tokens) out of raw text before the text is
// normalized and split, as Hugging Face's added-vocabulary pass does: scanning left to right,
// the longest token that starts at a position wins.
//   * Control and Unknown tokens are recognised only when the caller asks (parse_special);
//   * UserDefined tokens (Hugging Face's added tokens that are not special) always are: they
//     are ordinary vocabulary that the model saw as single tokens (MPT's runs of spaces).
// lstrip/rstrip (Vocab::strip) swallow ASCII whitespace beside a token. The SPM tokenizer keeps
// its own pass (longest token first over the whole text, as its reference does); the two orders
// differ only for special tokens that overlap in the text.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "tokenizer/vocab.h"

namespace akunu {

class SpecialTokenSplitter {
public:
    struct Fragment {
        int32_t token;  // -1: a slice of text to tokenize
        size_t offset;
        size_t length;
    };

    explicit SpecialTokenSplitter(const Vocab& vocab);

    std::vector<Fragment> split(std::string_view text, bool parse_special) const;

private:
    const Vocab& vocab_;
    // Candidate ids by their first byte, longest text first.
    std::array<std::vector<int32_t>, 256> by_first_byte_;
};

}  // namespace akunu
