// The llama.cpp tokenizer vectors for the SPM vocabs (llama-spm, phi-3), plus round trips.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "format/gguf_file.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer_test_util.h"

namespace akunu {
namespace {

struct VocabCase {
    std::unique_ptr<GgufFile> file;
    std::unique_ptr<Tokenizer> tok;
    std::vector<std::string> inputs;
    std::vector<std::vector<int32_t>> expected;
};

VocabCase load_case(const std::string& name) {
    VocabCase c;
    const std::string base = test::shared_path("testdata/vocab/" + name);
    c.file = GgufFile::open(base);
    c.tok = Tokenizer::from_gguf(*c.file);
    bool ok_in = false, ok_out = false;
    c.inputs = test::split_vocab_inputs(test::read_file(base + ".inp", &ok_in));
    c.expected = test::split_vocab_outputs(test::read_file(base + ".out", &ok_out));
    EXPECT_TRUE(ok_in && ok_out) << base;
    return c;
}

std::string ids_to_string(const std::vector<int32_t>& ids) {
    std::string s;
    for (int32_t id : ids) s.append(" ").append(std::to_string(id));
    return s;
}

class SpmVectors : public ::testing::TestWithParam<const char*> {};

TEST_P(SpmVectors, MatchesAllVectors) {
    VocabCase c = load_case(GetParam());
    ASSERT_EQ(c.inputs.size(), 46u);
    ASSERT_EQ(c.expected.size(), c.inputs.size());
    EXPECT_EQ(c.tok->vocab().model, "llama");
    int passed = 0;
    for (size_t i = 0; i < c.inputs.size(); ++i) {
        std::vector<int32_t> got = c.tok->encode(c.inputs[i], /*add_bos=*/false, /*parse_special=*/false);
        if (got == c.expected[i]) {
            ++passed;
        } else {
            ADD_FAILURE() << GetParam() << " case " << i << " input '" << c.inputs[i] << "'\n  expected"
                          << ids_to_string(c.expected[i]) << "\n  got     " << ids_to_string(got);
        }
    }
    EXPECT_EQ(passed, 46) << GetParam();
    std::printf("[vectors] %s: %d/%zu\n", GetParam(), passed, c.inputs.size());
}

// SPM prefixes one space to non-empty text and decode never strips it, so the round trip of
// any text (valid UTF-8, no U+2581, no special-token spelling) is " " + text, and "" for "".
TEST_P(SpmVectors, DecodeOfEncodeIsTextWithSpacePrefix) {
    VocabCase c = load_case(GetParam());
    ASSERT_TRUE(c.tok->vocab().add_space_prefix);
    for (const std::string& x : c.inputs) {
        ASSERT_TRUE(test::is_valid_utf8(x));
        const std::string want = x.empty() ? std::string() : std::string(" ").append(x);
        EXPECT_EQ(c.tok->decode(c.tok->encode(x, false, false)), want) << "input '" << x << "'";
        // With BOS the text is the same: BOS renders as nothing.
        EXPECT_EQ(c.tok->decode(c.tok->encode(x, true, false)), want) << "input '" << x << "'";
    }
}

INSTANTIATE_TEST_SUITE_P(Vocab, SpmVectors,
                         ::testing::Values("ggml-vocab-llama-spm.gguf", "ggml-vocab-phi-3.gguf"));

// Every Normal token's piece, encoded as text, decodes back to itself (with the prefix).
TEST(SpmRoundTrip, EveryNormalTokenPiece) {
    VocabCase c = load_case("ggml-vocab-llama-spm.gguf");
    const Vocab& v = c.tok->vocab();
    int checked = 0;
    for (int32_t id = 0; id < v.size(); ++id) {
        if (v.types[(size_t)id] != TokenType::Normal) continue;
        const std::string piece = c.tok->token_to_piece(id);
        ASSERT_FALSE(piece.empty()) << id;
        std::vector<int32_t> ids = c.tok->encode(piece, false, false);
        ASSERT_EQ(c.tok->decode(ids), std::string(" ").append(piece)) << "token " << id << " '" << v.tokens[(size_t)id] << "'";
        ++checked;
    }
    EXPECT_EQ(checked, 31741);
}

// A piece that starts with U+2581 is reached by encoding its text without the leading space
// (the prefix supplies it) for the common words; spot-check a few known ids.
TEST(SpmRoundTrip, KnownWords) {
    VocabCase c = load_case("ggml-vocab-llama-spm.gguf");
    EXPECT_EQ(c.tok->encode("Hello world", false, false), (std::vector<int32_t>{15043, 3186}));
    EXPECT_EQ(c.tok->encode(" Hello world", false, false), (std::vector<int32_t>{29871, 15043, 3186}));
    EXPECT_EQ(c.tok->encode(" ", false, false), (std::vector<int32_t>{259}));
    EXPECT_EQ(c.tok->encode("\n", false, false), (std::vector<int32_t>{29871, 13}));
    EXPECT_EQ(c.tok->encode("Hello world", true, false), (std::vector<int32_t>{1, 15043, 3186}));
    EXPECT_EQ(c.tok->encode("", true, false), (std::vector<int32_t>{1}));
    EXPECT_TRUE(c.tok->encode("", false, false).empty());
}

// Byte fallback keeps every byte, so the round trip also holds for random mixes of pieces,
// characters the vocab lacks, stray continuation bytes, and a truncated character at the end.
// (Not for a truncated lead byte followed by a space: the lenient character split lets the
// lead swallow bytes of the U+2581 that replaced the space, which then decode as raw bytes.
// llama.cpp behaves the same.)
TEST(SpmRoundTrip, RandomText) {
    VocabCase c = load_case("ggml-vocab-llama-spm.gguf");
    const std::vector<std::string> alphabet = {
        "a", "e", "th", " ", "  ", "\n", "\t", "0", "9", ".", "'", "<", "s", ">", "/", "\x80", "\xBF",
        "\xC3\xA9", "\xE4\xB8\xAD", "\xF0\x9F\xA6\x99", "\xD0\xB6", "\xE1\x9E\x80", "\xF0\x90\x8D\x88",
    };
    const std::vector<std::string> tails = {"", "\xC3", "\xE2\x96", "\xF4\x90", "\xF0\x9F\xA6"};
    uint64_t state = 0x9E3779B97F4A7C15ull;
    auto next = [&] {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return state;
    };
    for (int iter = 0; iter < 3000; ++iter) {
        std::string x;
        const size_t n = next() % 24;
        for (size_t k = 0; k < n; ++k) x += alphabet[next() % alphabet.size()];
        x += tails[next() % tails.size()];
        const std::string want = x.empty() ? std::string() : std::string(" ").append(x);
        ASSERT_EQ(c.tok->decode(c.tok->encode(x, false, false)), want) << "iteration " << iter;
    }
}

}  // namespace
}  // namespace akunu
