// WordPiece as BERT defines it: each word is cut into the longest vocabulary token that starts
// it, then the longest continuation token that starts the rest, and so on; a word with any
// part that no token covers becomes one [UNK]. Candidates never exceed the longest token, so a
// word costs O(length x longest token) lookups.
#include "tokenizer/wordpiece_tokenizer.h"

#include <algorithm>

#include "core/error.h"
#include "core/utf8.h"

namespace akunu {

WordPieceOptions WordPieceOptions::for_gguf() {
    WordPieceOptions o;
    o.word_start_prefix = "\xE2\x96\x81";  // U+2581
    o.continuation_prefix = "";
    return o;
}

WordPieceTokenizer::WordPieceTokenizer(Vocab vocab, WordPieceOptions options)
    : Tokenizer(Vocab::completed(std::move(vocab))), options_(std::move(options)), specials_(vocab_) {
    const std::string& word_start = options_.word_start_prefix;
    const std::string& continuation = options_.continuation_prefix;
    pieces_.resize(vocab_.tokens.size());
    for (size_t i = 0; i < vocab_.tokens.size(); ++i) {
        const std::string& text = vocab_.tokens[i];
        max_token_bytes_ = std::max(max_token_bytes_, text.size());
        switch (vocab_.types[i]) {
            case TokenType::Control:
            case TokenType::Unused:
            case TokenType::Undefined: break;
            case TokenType::Normal:
            case TokenType::Byte: {
                auto starts_with = [&](const std::string& prefix) {
                    return !prefix.empty() && text.compare(0, prefix.size(), prefix) == 0;
                };
                std::string& piece = pieces_[i];
                if (starts_with(continuation)) {
                    piece.assign(text, continuation.size());
                } else if (word_start.empty() || starts_with(word_start)) {
                    piece.assign(1, ' ');
                    piece.append(text, word_start.size());
                } else {
                    piece = text;  // GGUF form: a bare token is a continuation
                }
                break;
            }
            case TokenType::Unknown:
            case TokenType::UserDefined: pieces_[i] = text; break;
        }
    }
}

int32_t WordPieceTokenizer::lookup(const std::string& prefix, std::string_view text) const {
    std::string key;
    key.reserve(prefix.size() + text.size());
    key.append(prefix).append(text);
    auto it = vocab_.token_to_id.find(key);
    return it == vocab_.token_to_id.end() ? -1 : it->second;
}

void WordPieceTokenizer::encode_word(std::string_view word, std::vector<int32_t>& out) const {
    // Character boundaries: a token never ends inside a character.
    std::vector<size_t> bounds;
    for (size_t i = 0; i < word.size();) {
        bounds.push_back(i);
        const size_t len = utf8::sequence_length(word, i);
        i += len == 0 ? 1 : len;
    }
    bounds.push_back(word.size());
    const size_t n_chars = bounds.size() - 1;
    auto unknown = [&] {
        if (vocab_.unk_id >= 0) out.push_back(vocab_.unk_id);
    };
    if (n_chars == 0) return;
    if (n_chars > options_.max_chars_per_word) {
        unknown();
        return;
    }

    const size_t mark = out.size();
    size_t start = 0;  // index into bounds
    while (start < n_chars) {
        const std::string& prefix = start == 0 ? options_.word_start_prefix : options_.continuation_prefix;
        int32_t found = -1;
        size_t end = n_chars;
        while (end > start) {
            const size_t bytes = bounds[end] - bounds[start];
            if (bytes + prefix.size() <= max_token_bytes_) {
                found = lookup(prefix, word.substr(bounds[start], bytes));
                if (found >= 0) break;
            }
            --end;
        }
        if (found < 0) {
            out.resize(mark);
            unknown();
            return;
        }
        out.push_back(found);
        start = end;
    }
}

std::vector<int32_t> WordPieceTokenizer::encode(std::string_view text, bool add_bos, bool parse_special) const {
    std::vector<int32_t> out;
    if (add_bos && vocab_.bos_id >= 0) out.push_back(vocab_.bos_id);
    for (const SpecialTokenSplitter::Fragment& f : specials_.split(text, parse_special)) {
        if (f.token >= 0) {
            out.push_back(f.token);
            continue;
        }
        for (const std::string& word : bert_words(text.substr(f.offset, f.length), options_.normalization)) {
            encode_word(word, out);
        }
    }
    if (add_bos && vocab_.add_eos && vocab_.eos_id >= 0) out.push_back(vocab_.eos_id);
    return out;
}

std::string WordPieceTokenizer::token_to_piece(int32_t id) const {
    if (id < 0 || id >= (int32_t)pieces_.size()) {
        fail(ErrorKind::InvalidArgument, "tokenizer",
             "token id " + std::to_string(id) + " is outside the vocab of " + std::to_string(pieces_.size()) +
                 " tokens");
    }
    return pieces_[(size_t)id];
}

}  // namespace akunu
