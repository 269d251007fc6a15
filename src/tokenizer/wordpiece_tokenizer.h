// WordPiece (tokenizer.ggml.model = "bert", or a Hugging Face tokenizer.json with a WordPiece
// model): BERT and the embedding models built on it (BGE, MiniLM, ...).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/bert_pre_tokenizer.h"
#include "tokenizer/special_token_splitter.h"
#include "tokenizer/tokenizer.h"

namespace akunu {

struct WordPieceOptions {
    BertNormalization normalization;
    // How the vocabulary marks where a token sits in a word. Hugging Face: a continuation starts
    // with "##", a word start is bare. GGUF (as converted by llama.cpp): a word start carries
    // U+2581, a continuation is bare.
    std::string word_start_prefix;
    std::string continuation_prefix = "##";
    size_t max_chars_per_word = 100;  // a longer word is [UNK] outright

    // GGUF stores no casing flag; the converted BERT vocabularies are uncased.
    static WordPieceOptions for_gguf();
};

class WordPieceTokenizer final : public Tokenizer {
public:
    WordPieceTokenizer(Vocab vocab, WordPieceOptions options);
    WordPieceTokenizer(const WordPieceTokenizer&) = delete;
    WordPieceTokenizer& operator=(const WordPieceTokenizer&) = delete;

    // add_bos wraps the ids in the vocab's BOS/EOS ([CLS] ... [SEP]) as far as it asks for them.
    std::vector<int32_t> encode(std::string_view text, bool add_bos, bool parse_special) const override;
    // A word-start token renders with a leading space, a continuation without; control -> "".
    std::string token_to_piece(int32_t id) const override;

    // Greedy longest-match-first over one (already normalized) word. Appends to `out`.
    void encode_word(std::string_view word, std::vector<int32_t>& out) const;

private:
    int32_t lookup(const std::string& prefix, std::string_view text) const;

    WordPieceOptions options_;
    std::vector<std::string> pieces_;
    size_t max_token_bytes_ = 0;  // no candidate longer than the longest token can match
    SpecialTokenSplitter specials_;
};

}  // namespace akunu
