// Round trips through the real byte-level BPE vocabularies: every regular token's text, random
// byte strings (ill-formed UTF-8 included), and streaming detokenization of tokens that end
// inside a character.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "shared_tokenizers.h"
#include "tokenizer/text_normalizer.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer_test_util.h"

namespace akunu {
namespace {

struct RoundTripCase {
    const char* name;
    bool hf;    // shared/testdata/tokenizers/<name> rather than shared/testdata/vocab
    bool nfc;   // the tokenizer normalizes to NFC, so text comes back composed
    int32_t normal_tokens;
};

const Tokenizer& load(const RoundTripCase& c) { return c.hf ? test::hf_tokenizer(c.name) : test::gguf_tokenizer(c.name); }

class FullVocabulary : public ::testing::TestWithParam<RoundTripCase> {};

// decode(encode(decode([id]))) == decode([id]) for every Normal token: whatever ids the text
// comes back as, it is the same text. (With NFC the text comes back normalized.)
TEST_P(FullVocabulary, EveryTokenTextSurvivesEncodeDecode) {
    const Tokenizer& tok = load(GetParam());
    const Vocab& v = tok.vocab();
    int32_t checked = 0, same_id = 0, changed_by_nfc = 0;
    for (int32_t id = 0; id < v.size(); ++id) {
        if (v.types[(size_t)id] != TokenType::Normal) continue;
        const std::string text = tok.token_to_piece(id);
        ASSERT_FALSE(text.empty()) << id;
        const std::vector<int32_t> ids = tok.encode(text, false, false);
        std::string want = text;
        if (GetParam().nfc) {
            want = TextNormalizer::normalize(text, TextNormalizer::Op::NFC);
            changed_by_nfc += want != text;
        }
        ASSERT_EQ(tok.decode(ids), want) << GetParam().name << " token " << id << " '" << v.tokens[(size_t)id] << "'";
        same_id += ids.size() == 1 && ids[0] == id;
        ++checked;
    }
    EXPECT_EQ(checked, GetParam().normal_tokens);
    std::printf("[round trip] %s: %d tokens, %d encode back to themselves alone, %d changed by NFC\n",
                GetParam().name, checked, same_id, changed_by_nfc);
}

INSTANTIATE_TEST_SUITE_P(Shared, FullVocabulary,
                         ::testing::Values(RoundTripCase{"gpt-2", false, false, 50256},
                                           RoundTripCase{"qwen3", true, true, 151643},
                                           RoundTripCase{"llama3", true, false, 128000}),
                         [](const auto& info) {
                             std::string n = info.param.name;
                             for (char& c : n) c = std::isalnum((unsigned char)c) ? c : '_';
                             return n;
                         });

// Random byte strings: byte-level BPE loses nothing, not even bytes that are not UTF-8, in a
// vocabulary with a token for each of the 256 bytes (not all have: see the next test).
TEST(BpeRoundTrip, RandomBytesComeBackExactly) {
    const std::vector<std::string> alphabet = {
        "a", "e", "th", " ", "  ", "\n", "\t", "\r\n", "0", "123", ".", "'s", "'LL", "<", "|", ">", "\x80", "\xBF",
        "\xFF", "\xC0\xAF", "\xC3\xA9", "\xE4\xB8\xAD", "\xF0\x9F\xA6\x99", "\xD0\xB6", "\xE1\x9E\x80", "\xED\xA0\x80",
        "\xC2\xA0", "\xE3\x80\x80", "\xC2\xBD",
    };
    for (const char* name : {"gpt-2", "deepseek-llm", "deepseek-coder"}) {
        const Tokenizer& tok = test::gguf_tokenizer(name);
        uint64_t state = 0x9E3779B97F4A7C15ull;
        auto next = [&] {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            return state;
        };
        for (int iter = 0; iter < 1500; ++iter) {
            std::string x;
            const size_t n = next() % 24;
            for (size_t k = 0; k < n; ++k) x += alphabet[next() % alphabet.size()];
            ASSERT_EQ(tok.decode(tok.encode(x, false, false)), x) << name << " iteration " << iter;
        }
    }
    // Through the Hugging Face path too (llama3 does not normalize).
    const Tokenizer& llama3 = test::hf_tokenizer("llama3");
    const std::string bad = "ok \xFF\xFE then \xC3 and \xED\xA0\x80 end \xF0\x9F\xA6";
    EXPECT_EQ(llama3.decode(llama3.encode(bad, false, true)), bad);
}

// Falcon's vocabulary has no token for some bytes (0x03, 0xC0, 0xFF, ...; MPT and StarCoder lack
// bytes that never occur in UTF-8): like Hugging Face without an unk_token, those bytes are
// dropped, and the rest comes through.
TEST(BpeRoundTrip, BytesWithoutATokenAreDroppedAsHuggingFaceDoes) {
    const Tokenizer& falcon = test::gguf_tokenizer("falcon");
    EXPECT_TRUE(falcon.encode("\xFF", false, false).empty());
    EXPECT_EQ(falcon.decode(falcon.encode("ab\xFFx\x03y", false, false)), "abxy");
}

// A 4-byte emoji that gpt-2 spells with byte tokens: the stream holds the bytes back until the
// character is complete, and never shows a partial character.
TEST(BpeStreaming, PartialCharactersWaitForTheirLastByte) {
    for (const char* name : {"gpt-2", "llama3"}) {
        const Tokenizer& tok = std::string(name) == "llama3" ? test::hf_tokenizer(name) : test::gguf_tokenizer(name);
        const std::string text = "Hi \xF0\x9F\xA6\x99 llama \xF0\x9F\x98\xB6\xE2\x80\x8D\xF0\x9F\x8C\xAB\xEF\xB8\x8F "
                                 "\xE6\x88\x91\xE6\x83\xB3\xE5\x9C\xA8 \xE1\x9E\x80\xE1\x9E\xB6";
        const std::vector<int32_t> ids = tok.encode(text, false, false);
        int partial_tokens = 0;
        for (int32_t id : ids) partial_tokens += !test::is_valid_utf8(tok.token_to_piece(id));
        EXPECT_GT(partial_tokens, 0) << name << ": the test needs tokens that end inside a character";
        StreamingDetokenizer s(tok);
        std::string streamed;
        int held = 0;
        for (int32_t id : ids) {
            const std::string part = s.push(id);
            EXPECT_TRUE(test::is_valid_utf8(part)) << name << " push(" << id << ")";
            held += part.empty();
            streamed += part;
        }
        streamed += s.flush();
        EXPECT_EQ(streamed, text) << name;
        EXPECT_GT(held, 0) << name;
    }
}

}  // namespace
}  // namespace akunu
