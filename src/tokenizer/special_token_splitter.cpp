#include "tokenizer/special_token_splitter.h"

#include <algorithm>

namespace akunu {

namespace {

bool is_ascii_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

bool is_added(TokenType t) {
    return t == TokenType::Control || t == TokenType::UserDefined || t == TokenType::Unknown;
}

}  // namespace

SpecialTokenSplitter::SpecialTokenSplitter(const Vocab& vocab) : vocab_(vocab) {
    for (int32_t id = 0; id < vocab.size(); ++id) {
        const std::string& text = vocab.tokens[(size_t)id];
        if (!text.empty() && is_added(vocab.types[(size_t)id])) {
            by_first_byte_[(unsigned char)text[0]].push_back(id);
        }
    }
    for (auto& ids : by_first_byte_) {
        std::stable_sort(ids.begin(), ids.end(), [&](int32_t a, int32_t b) {
            return vocab.tokens[(size_t)a].size() > vocab.tokens[(size_t)b].size();
        });
    }
}

std::vector<SpecialTokenSplitter::Fragment> SpecialTokenSplitter::split(std::string_view text,
                                                                        bool parse_special) const {
    std::vector<Fragment> out;
    size_t text_start = 0;  // start of the text not yet emitted
    size_t i = 0;
    while (i < text.size()) {
        int32_t found = -1;
        for (int32_t id : by_first_byte_[(unsigned char)text[i]]) {
            const TokenType type = vocab_.types[(size_t)id];
            if (!parse_special && type != TokenType::UserDefined) continue;
            const std::string& tok = vocab_.tokens[(size_t)id];
            if (text.compare(i, tok.size(), tok) == 0) {
                found = id;
                break;
            }
        }
        if (found < 0) {
            ++i;
            continue;
        }
        const uint8_t strip = vocab_.strip.empty() ? 0 : vocab_.strip[(size_t)found];
        size_t left_end = i;
        if (strip & Vocab::kStripLeft) {
            while (left_end > text_start && is_ascii_space(text[left_end - 1])) --left_end;
        }
        if (left_end > text_start) out.push_back(Fragment{-1, text_start, left_end - text_start});
        out.push_back(Fragment{found, i, vocab_.tokens[(size_t)found].size()});
        i += vocab_.tokens[(size_t)found].size();
        if (strip & Vocab::kStripRight) {
            while (i < text.size() && is_ascii_space(text[i])) ++i;
        }
        text_start = i;
    }
    if (text_start < text.size()) out.push_back(Fragment{-1, text_start, text.size() - text_start});
    return out;
}

}  // namespace akunu
