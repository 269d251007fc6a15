// Unicode normalization applied to text before it is split (Hugging Face's "normalizer"):
// NFC/NFD/NFKC/NFKD, lower-casing and accent stripping, in the order given. The character
// data comes from utf8proc.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace akunu {

class TextNormalizer {
public:
    enum class Op { NFC, NFD, NFKC, NFKD, Lowercase, StripAccents };

    void add(Op op) { ops_.push_back(op); }
    bool empty() const { return ops_.empty(); }
    const std::vector<Op>& ops() const { return ops_; }

    // Applies every op in order. Only well-formed UTF-8 is transformed: an ill-formed byte is
    // kept as it is, so byte-level BPE still encodes it and nothing is lost.
    std::string apply(std::string_view text) const;

    // The single ops, also used by the BERT pre-tokenizer.
    static std::string normalize(std::string_view text, Op form);  // NFC/NFD/NFKC/NFKD
    static std::string lowercase(std::string_view text);
    // NFD, then every nonspacing mark (Mn) dropped.
    static std::string strip_accents(std::string_view text);

private:
    std::vector<Op> ops_;
};

}  // namespace akunu
