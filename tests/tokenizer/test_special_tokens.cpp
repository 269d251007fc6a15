// parse_special on the real llama-spm vocab.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "format/gguf_file.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer_test_util.h"

namespace akunu {
namespace {

class LlamaSpm : public ::testing::Test {
protected:
    void SetUp() override {
        file_ = GgufFile::open(test::shared_path("testdata/vocab/ggml-vocab-llama-spm.gguf"));
        tok_ = Tokenizer::from_gguf(*file_);
    }
    std::unique_ptr<GgufFile> file_;
    std::unique_ptr<Tokenizer> tok_;
};

TEST_F(LlamaSpm, BosSpelledInTextWithParseSpecial) {
    // "▁Hello" is 15043: the fragment after a special token gets the space prefix.
    EXPECT_EQ(tok_->encode("<s>Hello", false, true), (std::vector<int32_t>{1, 15043}));
    EXPECT_EQ(tok_->encode("<s>Hello", true, true), (std::vector<int32_t>{1, 1, 15043}));
    EXPECT_EQ(tok_->encode("Hello</s>", false, true), (std::vector<int32_t>{15043, 2}));
    EXPECT_EQ(tok_->encode("Hello<s> world", false, true), (std::vector<int32_t>{15043, 1, 29871, 3186}));
}

TEST_F(LlamaSpm, BosSpelledInTextWithoutParseSpecialIsPlainText) {
    std::vector<int32_t> ids = tok_->encode("<s>Hello", false, false);
    ASSERT_GE(ids.size(), 2u);
    for (int32_t id : ids) {
        EXPECT_NE(id, 1);
        EXPECT_FALSE(tok_->vocab().is_control(id));
    }
    EXPECT_EQ(tok_->decode(ids), " <s>Hello");
    // The characters are tokenized as if no special token existed.
    EXPECT_EQ(ids, tok_->encode("<s>Hello", false, false));
}

TEST_F(LlamaSpm, PiecesOfSpecialTokens) {
    EXPECT_EQ(tok_->token_to_piece(1), "");
    EXPECT_EQ(tok_->token_to_piece(2), "");
    EXPECT_EQ(tok_->token_to_piece(0), "\xE2\x96\x85");
    EXPECT_EQ(tok_->token_to_piece(13), "\n");  // <0x0A>
    EXPECT_EQ(tok_->token_to_piece(15043), " Hello");
}

}  // namespace
}  // namespace akunu
