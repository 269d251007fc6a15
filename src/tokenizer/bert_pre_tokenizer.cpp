// Character classes follow BERT's reference tokenizer (and Hugging Face's port of it), with the
// categories from utf8proc:
//   control     any category C* except \t \n \r (which count as whitespace)
//   whitespace  \t \n \r, and Unicode White_Space outside C* (Zs, U+2028, U+2029)
//   punctuation ASCII 33-47, 58-64, 91-96, 123-126 (so $ + < = > ^ ` | ~ too) and category P*
//   CJK         the CJK Unified Ideographs blocks and extensions, and the compatibility blocks
#include "tokenizer/bert_pre_tokenizer.h"

#include <utf8proc.h>

#include "tokenizer/text_normalizer.h"
#include "core/utf8.h"

namespace akunu {

namespace {

constexpr uint32_t kReplacementChar = 0xFFFD;

utf8proc_category_t category(uint32_t cp) { return utf8proc_category((utf8proc_int32_t)cp); }

bool is_other_category(uint32_t cp) {
    switch (category(cp)) {
        case UTF8PROC_CATEGORY_CC:
        case UTF8PROC_CATEGORY_CF:
        case UTF8PROC_CATEGORY_CN:
        case UTF8PROC_CATEGORY_CO:
        case UTF8PROC_CATEGORY_CS: return true;
        default: return false;
    }
}

bool is_control(uint32_t cp) { return cp != '\t' && cp != '\n' && cp != '\r' && is_other_category(cp); }

bool is_separator(uint32_t cp) {
    const utf8proc_category_t c = category(cp);
    return c == UTF8PROC_CATEGORY_ZS || c == UTF8PROC_CATEGORY_ZL || c == UTF8PROC_CATEGORY_ZP;
}

// Cleaning maps these to ' '.
bool is_clean_whitespace(uint32_t cp) { return cp == '\t' || cp == '\n' || cp == '\r' || is_separator(cp); }

// Words split on these (Unicode White_Space).
bool is_white_space(uint32_t cp) { return (cp >= 0x09 && cp <= 0x0D) || cp == 0x85 || is_separator(cp); }

bool is_punctuation(uint32_t cp) {
    if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126)) {
        return true;
    }
    switch (category(cp)) {
        case UTF8PROC_CATEGORY_PC:
        case UTF8PROC_CATEGORY_PD:
        case UTF8PROC_CATEGORY_PS:
        case UTF8PROC_CATEGORY_PE:
        case UTF8PROC_CATEGORY_PI:
        case UTF8PROC_CATEGORY_PF:
        case UTF8PROC_CATEGORY_PO: return true;
        default: return false;
    }
}

bool is_cjk_ideograph(uint32_t cp) {
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF) ||
           (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B820 && cp <= 0x2CEAF) ||
           (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
}

// Calls fn(code point) for each character; an ill-formed byte is U+FFFD.
template <typename Fn>
void for_each_char(std::string_view s, Fn&& fn) {
    for (size_t i = 0; i < s.size();) {
        const size_t len = utf8::sequence_length(s, i);
        if (len == 0) {
            fn(kReplacementChar);
            ++i;
        } else {
            fn(utf8::decode(s, i, len));
            i += len;
        }
    }
}

std::string clean(std::string_view text, const BertNormalization& norm) {
    std::string out;
    out.reserve(text.size());
    for_each_char(text, [&](uint32_t cp) {
        if (norm.clean_text) {
            if (cp == 0 || cp == kReplacementChar || is_control(cp)) return;
            if (is_clean_whitespace(cp)) cp = ' ';
        } else if (cp == kReplacementChar) {
            return;  // an ill-formed byte: there is no character to keep
        }
        const bool spaced = norm.handle_chinese_chars && is_cjk_ideograph(cp);
        if (spaced) out.push_back(' ');
        utf8::append(out, cp);
        if (spaced) out.push_back(' ');
    });
    return out;
}

}  // namespace

std::vector<std::string> bert_words(std::string_view text, const BertNormalization& norm) {
    std::string s = clean(text, norm);
    if (norm.strip_accents) s = TextNormalizer::strip_accents(s);
    if (norm.lowercase) s = TextNormalizer::lowercase(s);

    std::vector<std::string> words;
    std::string word;
    auto end_word = [&] {
        if (!word.empty()) words.push_back(std::move(word));
        word.clear();
    };
    for_each_char(s, [&](uint32_t cp) {
        if (is_white_space(cp)) {
            end_word();
        } else if (is_punctuation(cp)) {
            end_word();
            utf8::append(word, cp);
            end_word();
        } else {
            utf8::append(word, cp);
        }
    });
    end_word();
    return words;
}

}  // namespace akunu
