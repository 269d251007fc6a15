// BERT's basic tokenization, the step before WordPiece (Hugging Face's BertNormalizer followed
// by BertPreTokenizer): clean the text, space out CJK ideographs, strip accents, lower-case,
// then split into words on whitespace and around every punctuation character.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace akunu {

struct BertNormalization {
    bool clean_text = true;            // drop NUL, U+FFFD and control characters; whitespace -> ' '
    bool handle_chinese_chars = true;  // a CJK ideograph becomes a word of its own
    bool strip_accents = true;         // NFD, then nonspacing marks dropped
    bool lowercase = true;
};

// The words of `text`, in order. Ill-formed UTF-8 bytes count as U+FFFD, which cleaning drops.
std::vector<std::string> bert_words(std::string_view text, const BertNormalization& norm);

}  // namespace akunu
