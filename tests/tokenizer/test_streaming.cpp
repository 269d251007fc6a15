// StreamingDetokenizer: only whole UTF-8 characters leave it; nothing is held forever.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "format/gguf_file.h"
#include "tokenizer/spm_tokenizer.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer_test_util.h"

namespace akunu {
namespace {

constexpr const char* kReplacement = "\xEF\xBF\xBD";

// <unk> <s> </s>, 256 byte tokens (id 3 + byte), then "a" and "▁ok".
std::unique_ptr<SpmTokenizer> byte_vocab_tokenizer() {
    Vocab v;
    v.model = "llama";
    auto add = [&](const std::string& t, TokenType type) {
        v.token_to_id.emplace(t, v.size());
        v.tokens.push_back(t);
        v.types.push_back(type);
        v.scores.push_back(0);
    };
    add("<unk>", TokenType::Unknown);
    add("<s>", TokenType::Control);
    add("</s>", TokenType::Control);
    for (int b = 0; b < 256; ++b) {
        char name[8];
        std::snprintf(name, sizeof name, "<0x%02X>", b);
        add(name, TokenType::Byte);
    }
    add("a", TokenType::Normal);  // id 259
    v.unk_id = 0;
    v.bos_id = 1;
    v.eos_id = 2;
    return std::make_unique<SpmTokenizer>(std::move(v));
}

int32_t byte_id(unsigned b) { return 3 + (int32_t)b; }
constexpr int32_t kA = 259;

TEST(Streaming, MultiByteCharacterWaitsForItsLastByte) {
    auto tok = byte_vocab_tokenizer();
    StreamingDetokenizer s(*tok);
    EXPECT_EQ(s.push(kA), "a");
    EXPECT_EQ(s.push(byte_id(0xF0)), "");
    EXPECT_EQ(s.push(byte_id(0x9F)), "");
    EXPECT_EQ(s.push(byte_id(0xA6)), "");
    EXPECT_EQ(s.push(byte_id(0x99)), "\xF0\x9F\xA6\x99");
    EXPECT_EQ(s.push(byte_id(0xC3)), "");
    EXPECT_EQ(s.push(byte_id(0xA9)), "\xC3\xA9");
    EXPECT_EQ(s.flush(), "");
}

TEST(Streaming, BrokenSequenceBecomesReplacementCharacter) {
    auto tok = byte_vocab_tokenizer();
    StreamingDetokenizer s(*tok);
    EXPECT_EQ(s.push(byte_id(0xE4)), "");
    EXPECT_EQ(s.push(byte_id(0xB8)), "");
    // 'a' cannot continue the sequence: the two held bytes become one U+FFFD, then 'a'.
    EXPECT_EQ(s.push(kA), std::string(kReplacement) + "a");
    // A stray continuation byte and a byte that never starts UTF-8.
    EXPECT_EQ(s.push(byte_id(0x80)), kReplacement);
    EXPECT_EQ(s.push(byte_id(0xFF)), kReplacement);
    // Overlong lead C0 and a surrogate (ED A0 ..) are ill-formed too.
    EXPECT_EQ(s.push(byte_id(0xC0)), kReplacement);
    EXPECT_EQ(s.push(byte_id(0xED)), "");
    EXPECT_EQ(s.push(byte_id(0xA0)), std::string(kReplacement) + kReplacement);
    EXPECT_EQ(s.flush(), "");
}

TEST(Streaming, FlushReleasesAnIncompleteTail) {
    auto tok = byte_vocab_tokenizer();
    StreamingDetokenizer s(*tok);
    EXPECT_EQ(s.push(byte_id(0xE2)), "");
    EXPECT_EQ(s.push(byte_id(0x82)), "");
    EXPECT_EQ(s.flush(), kReplacement);
    EXPECT_EQ(s.flush(), "");
    EXPECT_EQ(s.push(kA), "a");

    EXPECT_EQ(s.push(byte_id(0xE2)), "");
    s.reset();
    EXPECT_EQ(s.push(kA), "a");
}

// The llama-spm vocab has no pieces for most emoji and many CJK characters, so they arrive
// as <0xNN> byte tokens, one byte per push.
TEST(Streaming, LlamaSpmEmojiAndChineseOneTokenAtATime) {
    auto file = GgufFile::open(test::shared_path("testdata/vocab/ggml-vocab-llama-spm.gguf"));
    auto tok = Tokenizer::from_gguf(*file);
    const std::string text =
        "Hello \xF0\x9F\xA6\x99 llama, \xE6\x88\x91\xE6\x83\xB3\xE5\x9C\xA8" "apple\xE5\xB7\xA5\xE4\xBD\x9C "
        "\xF0\x9F\x98\x81 \xE2\x9C\x85 \xF0\x9F\x98\xB6\xE2\x80\x8D\xF0\x9F\x8C\xAB\xEF\xB8\x8F "
        "\xD0\xBD\xD0\xB5\xD1\x89\xD0\xBE \xF0\x9D\x84\x9E";
    std::vector<int32_t> ids = tok->encode(text, true, false);

    int byte_tokens = 0;
    for (int32_t id : ids) byte_tokens += tok->vocab().types[(size_t)id] == TokenType::Byte;
    EXPECT_GE(byte_tokens, 8) << "the test needs byte-fallback tokens to mean anything";

    StreamingDetokenizer s(*tok);
    std::string streamed;
    int empty_pushes = 0;
    for (int32_t id : ids) {
        std::string part = s.push(id);
        EXPECT_TRUE(test::is_valid_utf8(part)) << "push(" << id << ") returned a partial character";
        empty_pushes += part.empty();
        streamed += part;
    }
    streamed += s.flush();
    EXPECT_EQ(streamed, tok->decode(ids));
    EXPECT_EQ(streamed, " " + text);
    EXPECT_GT(empty_pushes, 0);
}

}  // namespace
}  // namespace akunu
