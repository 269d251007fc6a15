// WordPiece: the BERT basic split, greedy longest-match-first with continuations, [UNK], and
// the Hugging Face form of the vocabulary ("##" continuations) loaded from tokenizer.json.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "shared_tokenizers.h"
#include "tokenizer/bert_pre_tokenizer.h"
#include "tokenizer/hf_tokenizer_json.h"
#include "tokenizer/wordpiece_tokenizer.h"

namespace akunu {
namespace {

using Words = std::vector<std::string>;

TEST(BertWords, CleansSpacesOutCjkStripsAccentsLowercasesAndSplitsPunctuation) {
    const BertNormalization uncased;
    EXPECT_EQ(bert_words("  H\xC3\xA9llo,\tWORLD!\n", uncased), (Words{"hello", ",", "world", "!"}));
    // CJK ideographs stand alone; control characters (ZWJ U+200D, NUL) vanish; U+00A0 splits.
    EXPECT_EQ(bert_words("ab\xE4\xB8\xAD\xE6\x96\x87" "cd", uncased), (Words{"ab", "\xE4\xB8\xAD", "\xE6\x96\x87", "cd"}));
    const std::string with_nul("a\xE2\x80\x8D" "b\0c\xC2\xA0" "d", 10);
    EXPECT_EQ(bert_words(with_nul, uncased), (Words{"abc", "d"}));
    // $ + < = > ^ ` | ~ are ASCII punctuation for BERT although Unicode calls them symbols.
    EXPECT_EQ(bert_words("a$b~c", uncased), (Words{"a", "$", "b", "~", "c"}));
    // Ill-formed bytes count as U+FFFD, which cleaning drops.
    EXPECT_EQ(bert_words("ab\xFF" "cd\xC3", uncased), (Words{"abcd"}));
    BertNormalization cased{true, true, false, false};
    EXPECT_EQ(bert_words("H\xC3\xA9llo", cased), (Words{"H\xC3\xA9llo"}));
}

// A tiny BERT tokenizer.json in Hugging Face's form.
constexpr const char* kTinyBert = R"({
  "version": "1.0",
  "added_tokens": [
    {"id": 0, "content": "[PAD]", "special": true},
    {"id": 1, "content": "[UNK]", "special": true},
    {"id": 2, "content": "[CLS]", "special": true},
    {"id": 3, "content": "[SEP]", "special": true}
  ],
  "normalizer": {"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true,
                 "strip_accents": null, "lowercase": true},
  "pre_tokenizer": {"type": "BertPreTokenizer"},
  "post_processor": {"type": "TemplateProcessing",
    "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
               {"SpecialToken": {"id": "[SEP]", "type_id": 0}}]},
  "decoder": {"type": "WordPiece", "prefix": "##"},
  "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
            "max_input_chars_per_word": 100,
            "vocab": {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "un": 4, "##aff": 5, "##able": 6,
                      "world": 7, "##s": 8, ",": 9, "!": 10, "a": 11, "##a": 12, "unaff": 13}}
})";

TEST(WordPieceHf, GreedyLongestMatchWithContinuations) {
    auto tok = tokenizer_from_hf_json(kTinyBert, "", "tiny-bert");
    EXPECT_EQ(tok->vocab().model, "bert");
    EXPECT_EQ(tok->vocab().bos_id, 2);
    EXPECT_EQ(tok->vocab().eos_id, 3);
    EXPECT_EQ(tok->vocab().unk_id, 1);
    EXPECT_TRUE(tok->vocab().add_bos);
    EXPECT_TRUE(tok->vocab().add_eos);
    // "unaff" is the longest start, then "##able"; "worlds" = world ##s.
    EXPECT_EQ(tok->encode("Unaffable, WORLDS!", false, false), (std::vector<int32_t>{13, 6, 9, 7, 8, 10}));
    EXPECT_EQ(tok->encode("Unaffable", true, false), (std::vector<int32_t>{2, 13, 6, 3}));
    // A word with a part no token covers is one [UNK], whatever else it holds.
    EXPECT_EQ(tok->encode("unaffx world", false, false), (std::vector<int32_t>{1, 7}));
    // Pieces: a word start gets its space back, a continuation joins the word before it.
    EXPECT_EQ(tok->decode({13, 6, 9, 7, 8, 10}), " unaffable , worlds !");
    EXPECT_EQ(tok->token_to_piece(2), "");
    // [CLS] in text is a token only with parse_special.
    EXPECT_EQ(tok->encode("[CLS]", false, true), (std::vector<int32_t>{2}));
    EXPECT_NE(tok->encode("[CLS]", false, false), (std::vector<int32_t>{2}));
}

TEST(WordPieceHf, OverlongWordIsUnknownAtOnce) {
    auto tok = tokenizer_from_hf_json(kTinyBert, "", "tiny-bert");
    EXPECT_EQ(tok->encode(std::string(100, 'a'), false, false).size(), 100u);  // a ##a ##a ...
    EXPECT_EQ(tok->encode(std::string(101, 'a'), false, false), (std::vector<int32_t>{1}));
    EXPECT_EQ(tok->encode(std::string(100000, 'a'), false, false), (std::vector<int32_t>{1}));
}

// The GGUF form of the same idea: word starts carry U+2581, continuations are bare.
TEST(WordPieceGguf, BgeVocabularyPiecesAndStreaming) {
    const Tokenizer& tok = test::gguf_tokenizer("bert-bge");
    const std::vector<int32_t> ids = tok.encode("Hello, y'all! C\xE1\xBB\xAD" "a Vi\xE1\xBB\x87t \xE6\x88\x91\xE6\x83\xB3", false, false);
    // Lower-cased, accents stripped, punctuation split off; 想 is not in the vocabulary, and
    // [UNK] is a control token, which renders as nothing.
    EXPECT_EQ(tok.decode(ids), " hello , y ' all ! cua viet \xE6\x88\x91");
    EXPECT_EQ(ids.back(), 100);
    EXPECT_EQ(tok.token_to_piece(7592), " hello");
    EXPECT_EQ(tok.decode(tok.encode("discards", false, false)), " discards");
    StreamingDetokenizer s(tok);
    std::string streamed;
    for (int32_t id : ids) streamed += s.push(id);
    streamed += s.flush();
    EXPECT_EQ(streamed, tok.decode(ids));
}

}  // namespace
}  // namespace akunu
