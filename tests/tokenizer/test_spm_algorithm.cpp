// The SPM merge, fallback, special-token and piece rules on small vocabs built in memory.
#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <vector>

#include "core/error.h"
#include "tokenizer/spm_tokenizer.h"

namespace akunu {
namespace {

constexpr const char* kSpace = "\xE2\x96\x81";  // U+2581

// <unk> 0, <s> 1, </s> 2, then (optionally) the 256 byte tokens, then `extra`.
struct VocabBuilder {
    Vocab v;
    explicit VocabBuilder(bool byte_tokens = true) {
        add("<unk>", 0, TokenType::Unknown);
        add("<s>", 0, TokenType::Control);
        add("</s>", 0, TokenType::Control);
        if (byte_tokens) {
            for (int b = 0; b < 256; ++b) {
                char name[8];
                std::snprintf(name, sizeof name, "<0x%02X>", b);
                add(name, 0, TokenType::Byte);
            }
        }
        v.model = "llama";
        v.unk_id = 0;
        v.bos_id = 1;
        v.eos_id = 2;
        v.add_bos = true;
    }
    int32_t add(const std::string& text, float score, TokenType type = TokenType::Normal) {
        int32_t id = v.size();
        v.tokens.push_back(text);
        v.scores.push_back(score);
        v.types.push_back(type);
        v.token_to_id.emplace(text, id);
        return id;
    }
    int32_t id(const std::string& text) const { return v.token_to_id.at(text); }
    static int32_t byte(int b) { return 3 + b; }
};

std::vector<int32_t> merge_only(const SpmTokenizer& tok, const std::string& escaped) {
    std::vector<int32_t> out;
    tok.encode_escaped(escaped, out);
    return out;
}

TEST(SpmMerge, HighestScoringPairMergesFirst) {
    VocabBuilder b;
    b.add("a", -10);
    b.add("b", -10);
    b.add("c", -10);
    int32_t ab = b.add("ab", -2), bc = b.add("bc", -1);
    SpmTokenizer tok(b.v);
    EXPECT_EQ(merge_only(tok, "abc"), (std::vector<int32_t>{b.id("a"), bc}));

    VocabBuilder b2;
    b2.add("a", -10);
    b2.add("b", -10);
    b2.add("c", -10);
    int32_t ab2 = b2.add("ab", -1);
    b2.add("bc", -2);
    SpmTokenizer tok2(b2.v);
    EXPECT_EQ(merge_only(tok2, "abc"), (std::vector<int32_t>{ab2, b2.id("c")}));
    (void)ab;
}

TEST(SpmMerge, MergedSymbolsKeepMerging) {
    VocabBuilder b;
    b.add("a", -10);
    b.add("b", -10);
    b.add("c", -10);
    b.add("bc", -1);
    int32_t abc = b.add("abc", -3);
    SpmTokenizer tok(b.v);
    EXPECT_EQ(merge_only(tok, "abc"), (std::vector<int32_t>{abc}));
}

TEST(SpmMerge, EqualScoresMergeLeftmostFirst) {
    VocabBuilder b;
    int32_t a = b.add("a", -10), aa = b.add("aa", -1);
    SpmTokenizer tok(b.v);
    EXPECT_EQ(merge_only(tok, "aaa"), (std::vector<int32_t>{aa, a}));
    EXPECT_EQ(merge_only(tok, "aaaa"), (std::vector<int32_t>{aa, aa}));
    EXPECT_EQ(merge_only(tok, "aaaaa"), (std::vector<int32_t>{aa, aa, a}));
}

TEST(SpmMerge, UnknownCharactersFallBackToBytes) {
    VocabBuilder b;
    int32_t a = b.add("a", -1);
    SpmTokenizer tok(b.v);
    // é = C3 A9, 🦙 = F0 9F A6 99
    EXPECT_EQ(merge_only(tok, "a\xC3\xA9"), (std::vector<int32_t>{a, VocabBuilder::byte(0xC3), VocabBuilder::byte(0xA9)}));
    EXPECT_EQ(merge_only(tok, "\xF0\x9F\xA6\x99"),
              (std::vector<int32_t>{VocabBuilder::byte(0xF0), VocabBuilder::byte(0x9F), VocabBuilder::byte(0xA6),
                                    VocabBuilder::byte(0x99)}));
}

TEST(SpmMerge, WithoutByteTokensEachByteIsUnknown) {
    VocabBuilder b(/*byte_tokens=*/false);
    int32_t a = b.add("a", -1);
    SpmTokenizer tok(b.v);
    EXPECT_EQ(merge_only(tok, "a\xC3\xA9"), (std::vector<int32_t>{a, 0, 0}));
}

TEST(SpmMerge, MalformedUtf8IsSplitByLeadByteAndFallsBack) {
    VocabBuilder b;
    SpmTokenizer tok(b.v);
    // A lone continuation byte, then a lead byte cut off by the end of the text.
    EXPECT_EQ(merge_only(tok, "\x80\xE2\x96"),
              (std::vector<int32_t>{VocabBuilder::byte(0x80), VocabBuilder::byte(0xE2), VocabBuilder::byte(0x96)}));
}

TEST(SpmMerge, LongInputIsFast) {
    VocabBuilder b;
    b.add("a", -10);
    int32_t aa = b.add("aa", -1);
    int32_t aaaa = b.add("aaaa", -0.5f);
    SpmTokenizer tok(b.v);
    std::vector<int32_t> out = merge_only(tok, std::string(200000, 'a'));
    ASSERT_EQ(out.size(), 50000u);
    for (int32_t id : out) ASSERT_EQ(id, aaaa);
    (void)aa;
}

TEST(SpmEncode, SpacePrefixAndEscaping) {
    VocabBuilder b;
    int32_t sa = b.add(std::string(kSpace) + "a", -1), sb = b.add(std::string(kSpace) + "b", -1);
    b.add(kSpace, -5);
    b.add("a", -5);
    b.add("b", -5);
    SpmTokenizer tok(b.v);
    EXPECT_EQ(tok.encode("a b", false, false), (std::vector<int32_t>{sa, sb}));
    EXPECT_EQ(tok.encode("a b", true, false), (std::vector<int32_t>{1, sa, sb}));
    EXPECT_TRUE(tok.encode("", false, false).empty());
    EXPECT_EQ(tok.encode("", true, false), (std::vector<int32_t>{1}));

    VocabBuilder nb;
    nb.add(std::string(kSpace) + "a", -1);
    int32_t a = nb.add("a", -5);
    nb.v.add_space_prefix = false;
    SpmTokenizer no_prefix(nb.v);
    EXPECT_EQ(no_prefix.encode("a", false, false), (std::vector<int32_t>{a}));
}

TEST(SpmEncode, AddEosOnlyWithSpecialTokens) {
    VocabBuilder b;
    int32_t a = b.add(std::string(kSpace) + "a", -1);
    b.v.add_eos = true;
    SpmTokenizer tok(b.v);
    EXPECT_EQ(tok.encode("a", true, false), (std::vector<int32_t>{1, a, 2}));
    EXPECT_EQ(tok.encode("a", false, false), (std::vector<int32_t>{a}));
}

TEST(SpmSpecial, ControlTokensOnlyWithParseSpecial) {
    VocabBuilder b;
    int32_t sh = b.add(std::string(kSpace) + "H", -1);
    b.add(kSpace, -5);  // without it the escaped space would fall back to the bytes of U+2581
    SpmTokenizer tok(b.v);
    EXPECT_EQ(tok.encode("<s>H", false, true), (std::vector<int32_t>{1, sh}));
    std::vector<int32_t> plain = tok.encode("<s>H", false, false);
    ASSERT_FALSE(plain.empty());
    EXPECT_NE(plain[0], 1);
    EXPECT_EQ(tok.decode(plain), " <s>H");
    // UNK is split out only when parsing specials, too.
    EXPECT_EQ(tok.encode("<unk>", false, true), (std::vector<int32_t>{0}));
    EXPECT_NE(tok.encode("<unk>", false, false), (std::vector<int32_t>{0}));
}

TEST(SpmSpecial, UserDefinedTokensAreAlwaysSplitOut) {
    VocabBuilder b;
    int32_t ud = b.add("<tool>", 0, TokenType::UserDefined);
    int32_t sx = b.add(std::string(kSpace) + "x", -1);
    SpmTokenizer tok(b.v);
    EXPECT_EQ(tok.encode("<tool>x", false, false), (std::vector<int32_t>{ud, sx}));
    EXPECT_EQ(tok.encode("<tool>x", false, true), (std::vector<int32_t>{ud, sx}));
    EXPECT_EQ(tok.token_to_piece(ud), "<tool>");
}

// Each text fragment at the start or right after a special token gets the space prefix.
TEST(SpmSpecial, SpacePrefixAfterEverySpecialToken) {
    VocabBuilder b;
    int32_t sa = b.add(std::string(kSpace) + "a", -1), sb = b.add(std::string(kSpace) + "b", -1);
    b.add("a", -5);
    int32_t plain_b = b.add("b", -5);
    SpmTokenizer tok(b.v);
    EXPECT_EQ(tok.encode("a</s>b", false, true), (std::vector<int32_t>{sa, 2, sb}));
    EXPECT_EQ(tok.encode("</s>b", false, true), (std::vector<int32_t>{2, sb}));
    EXPECT_EQ(tok.encode("<s></s>b", true, true), (std::vector<int32_t>{1, 1, 2, sb}));
    (void)plain_b;
}

TEST(SpmSpecial, LongestSpecialTokenWins) {
    VocabBuilder b;
    int32_t x = b.add("<x>", 0, TokenType::Control);
    int32_t xy = b.add("<x><y>", 0, TokenType::Control);
    SpmTokenizer tok(b.v);
    EXPECT_EQ(tok.encode("<x><y><x>", false, true), (std::vector<int32_t>{xy, x}));
}

TEST(SpmSpecial, RightStripSwallowsFollowingWhitespace) {
    VocabBuilder b;
    int32_t user = b.add("<|user|>", 0, TokenType::Control);
    int32_t shi = b.add(std::string(kSpace) + "hi", -1);
    b.add("hi", -5);  // the merge path to "▁hi"
    b.v.strip.assign((size_t)b.v.size(), 0);
    b.v.strip[(size_t)user] = Vocab::kStripRight;
    SpmTokenizer tok(b.v);
    EXPECT_EQ(tok.encode("<|user|>\n  hi", false, true), (std::vector<int32_t>{user, shi}));
    EXPECT_EQ(tok.encode("<|user|>\n", false, true), (std::vector<int32_t>{user}));
}

TEST(SpmPieces, ByType) {
    VocabBuilder b;
    int32_t word = b.add(std::string(kSpace) + "the" + kSpace + "end", -1);
    int32_t ud = b.add("<user>", 0, TokenType::UserDefined);
    int32_t unused = b.add("<unused0>", 0, TokenType::Unused);
    SpmTokenizer tok(b.v);
    EXPECT_EQ(tok.token_to_piece(word), " the end");
    EXPECT_EQ(tok.token_to_piece(VocabBuilder::byte(0x0A)), "\n");
    EXPECT_EQ(tok.token_to_piece(VocabBuilder::byte(0xFF)), "\xFF");
    EXPECT_EQ(tok.token_to_piece(1), "");
    EXPECT_EQ(tok.token_to_piece(2), "");
    EXPECT_EQ(tok.token_to_piece(0), "\xE2\x96\x85");  // UNK shows as U+2585
    EXPECT_EQ(tok.token_to_piece(ud), "<user>");
    EXPECT_EQ(tok.token_to_piece(unused), "");
    EXPECT_EQ(tok.decode({1, word, VocabBuilder::byte('!'), 2}), " the end!");
}

TEST(SpmPieces, OutOfRangeIdIsInvalidArgument) {
    VocabBuilder b;
    SpmTokenizer tok(b.v);
    try {
        tok.token_to_piece(b.v.size());
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
        EXPECT_NE(std::string(e.what()).find("[tokenizer]"), std::string::npos);
    }
    EXPECT_THROW(tok.token_to_piece(-1), Error);
}

TEST(SpmVocab, EndOfGeneration) {
    VocabBuilder b;
    int32_t eot = b.add("<|end|>", 0, TokenType::Control);
    b.v.eot_id = eot;
    EXPECT_TRUE(b.v.is_end_of_generation(2));
    EXPECT_TRUE(b.v.is_end_of_generation(eot));
    EXPECT_FALSE(b.v.is_end_of_generation(1));
    EXPECT_FALSE(b.v.is_end_of_generation(-1));
    EXPECT_TRUE(b.v.is_control(1));
    EXPECT_FALSE(b.v.is_control(0));
    EXPECT_FALSE(b.v.is_control(100000));
}

TEST(SpmVocab, HandBuiltVocabNeedsOnlyTokensAndScores) {
    Vocab v;
    v.model = "llama";
    v.tokens = {"\xE2\x96\x81", "h", "i", "\xE2\x96\x81h", "\xE2\x96\x81hi"};
    v.scores = {-5, -5, -5, -2, -1};
    SpmTokenizer tok(v);
    EXPECT_EQ(tok.encode("hi", false, false), (std::vector<int32_t>{4}));
    EXPECT_EQ(tok.token_to_piece(4), " hi");
}

}  // namespace
}  // namespace akunu
