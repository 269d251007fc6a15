// Byte-level BPE on small hand-built vocabularies: merge order, ties, byte coverage, added
// tokens, and the errors for broken merges.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/error.h"
#include "tokenizer/bpe_presets.h"
#include "tokenizer/bpe_tokenizer.h"
#include "tokenizer/byte_unicode.h"

namespace akunu {
namespace {

// Ids 0..255: the 256 byte characters in byte order; then `extra` in order.
Vocab byte_vocab(const std::vector<std::string>& extra, const std::vector<std::string>& merges) {
    Vocab v;
    v.model = "gpt2";
    v.source = "hand-built";
    for (int b = 0; b < 256; ++b) v.tokens.push_back(byte_unicode::char_of((uint8_t)b));
    for (const std::string& t : extra) v.tokens.push_back(t);
    v.merges = merges;
    return v;
}

int32_t id_of(const Tokenizer& t, const std::string& text) { return t.vocab().token_to_id.at(text); }

std::vector<int32_t> merged(const BpeTokenizer& t, std::string_view bytes) {
    std::vector<int32_t> out;
    t.encode_piece(bytes, out);
    return out;
}

TEST(BpeMerge, LowestRankFirstWhereverItIs) {
    // "b c" outranks "a b", so "abc" becomes a + bc, never ab + c.
    BpeTokenizer t(byte_vocab({"ab", "bc", "abc"}, {"b c", "a b", "ab c"}), bpe_options_for_pre("gpt-2", "test"));
    EXPECT_EQ(merged(t, "abc"), (std::vector<int32_t>{'a', id_of(t, "bc")}));
    EXPECT_EQ(merged(t, "ab"), (std::vector<int32_t>{id_of(t, "ab")}));
    EXPECT_EQ(merged(t, "abx"), (std::vector<int32_t>{id_of(t, "ab"), 'x'}));
}

TEST(BpeMerge, TiesGoToTheLeftmostPairAndStaleCandidatesAreSkipped) {
    BpeTokenizer t(byte_vocab({"aa", "aaaa"}, {"a a", "aa aa"}), bpe_options_for_pre("gpt-2", "test"));
    const int32_t aa = id_of(t, "aa"), aaaa = id_of(t, "aaaa");
    EXPECT_EQ(merged(t, "aaa"), (std::vector<int32_t>{aa, 'a'}));
    EXPECT_EQ(merged(t, "aaaa"), (std::vector<int32_t>{aaaa}));
    EXPECT_EQ(merged(t, "aaaaa"), (std::vector<int32_t>{aaaa, 'a'}));
    EXPECT_EQ(merged(t, "aaaaaa"), (std::vector<int32_t>{aaaa, aa}));
}

// Every byte has a token, so any byte string -- ill-formed UTF-8 included -- comes back whole.
TEST(BpeMerge, EveryByteSurvivesTheRoundTrip) {
    BpeTokenizer t(byte_vocab({"ab"}, {"a b"}), bpe_options_for_pre("gpt-2", "test"));
    std::string all;
    for (int b = 0; b < 256; ++b) all.push_back((char)b);
    for (const std::string& s : {all, std::string("\xFF\xFE" "ab\xC3"), std::string("\xE2\x82"), std::string("a\x80" "b")}) {
        EXPECT_EQ(t.decode(t.encode(s, false, false)), s);
    }
    EXPECT_EQ(t.token_to_piece(' '), " ");     // stored as U+0120
    EXPECT_EQ(t.token_to_piece(0xFF), "\xFF");  // a lone byte, not a character
}

// A byte whose character is not in the vocabulary becomes UNK, or nothing without one.
TEST(BpeMerge, ByteWithoutTokenIsUnknownOrDropped) {
    Vocab v;
    v.source = "tiny";
    v.tokens = {"a", "b", "<unk>"};
    v.types = {TokenType::Normal, TokenType::Normal, TokenType::Unknown};
    BpeTokenizer dropping(v, bpe_options_for_pre("gpt-2", "test"));
    EXPECT_EQ(dropping.encode("abc", false, false), (std::vector<int32_t>{0, 1}));
    v.unk_id = 2;
    BpeTokenizer with_unk(v, bpe_options_for_pre("gpt-2", "test"));
    EXPECT_EQ(with_unk.encode("abc", false, false), (std::vector<int32_t>{0, 1, 2}));
}

// Llama 3's ignore_merges: a piece that is a token is taken whole even where the merges would
// not build it.
TEST(BpeMerge, IgnoreMergesTakesWholePieces) {
    Vocab v = byte_vocab({"xyz"}, {});
    BpeOptions plain = bpe_options_for_pre("gpt-2", "test");
    BpeOptions whole = bpe_options_for_pre("gpt-2", "test");
    whole.ignore_merges = true;
    BpeTokenizer a(v, std::move(plain)), b(v, std::move(whole));
    EXPECT_EQ(a.encode("xyz", false, false), (std::vector<int32_t>{'x', 'y', 'z'}));
    EXPECT_EQ(b.encode("xyz", false, false), (std::vector<int32_t>{id_of(b, "xyz")}));
}

TEST(BpeMerge, BadMergesNameTheMerge) {
    auto expect_format = [](const std::vector<std::string>& merges, const std::string& needle) {
        try {
            BpeTokenizer t(byte_vocab({"ab"}, merges), bpe_options_for_pre("gpt-2", "test"));
            ADD_FAILURE() << "no error for " << needle;
        } catch (const Error& e) {
            EXPECT_EQ(e.kind(), ErrorKind::Format);
            EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
            EXPECT_NE(std::string(e.what()).find("hand-built"), std::string::npos) << e.what();
        }
    };
    expect_format({"a b", "a q"}, "merge 1 'a q' needs 'aq'");
    expect_format({"a zz"}, "needs 'zz'");
    expect_format({"ab"}, "is not two tokens separated by one space");
    expect_format({""}, "is not two tokens");
}

// Added tokens: control ones only with parse_special; user-defined ones always; lstrip/rstrip
// swallow the spaces beside them.
TEST(BpeAddedTokens, ControlOnlyOnRequestUserDefinedAlways) {
    Vocab v = byte_vocab({"<|ctl|>", "<ud>", "<|ctl|>x"}, {});
    v.types.assign(v.tokens.size(), TokenType::Normal);
    v.types[256] = TokenType::Control;
    v.types[257] = TokenType::UserDefined;
    v.types[258] = TokenType::Control;
    BpeTokenizer t(v, bpe_options_for_pre("gpt-2", "test"));
    EXPECT_EQ(t.encode("a<|ctl|>b", false, true), (std::vector<int32_t>{'a', 256, 'b'}));
    EXPECT_EQ(t.encode("a<|ctl|>xb", false, true), (std::vector<int32_t>{'a', 258, 'b'}));  // the longest wins
    const std::vector<int32_t> plain = t.encode("a<|ctl|>b", false, false);
    for (int32_t id : plain) EXPECT_LT(id, 256);
    EXPECT_EQ(t.decode(plain), "a<|ctl|>b");
    EXPECT_EQ(t.encode("a<ud>b", false, false), (std::vector<int32_t>{'a', 257, 'b'}));
    EXPECT_EQ(t.encode("a<ud>b", false, true), (std::vector<int32_t>{'a', 257, 'b'}));
    EXPECT_EQ(t.token_to_piece(256), "");  // control tokens render as nothing
    EXPECT_EQ(t.token_to_piece(257), "<ud>");
}

TEST(BpeAddedTokens, StripFlagsSwallowSpaces) {
    Vocab v = byte_vocab({"<L>", "<R>"}, {});
    v.types.assign(v.tokens.size(), TokenType::Normal);
    v.types[256] = v.types[257] = TokenType::Control;
    v.strip.assign(v.tokens.size(), 0);
    v.strip[256] = Vocab::kStripLeft;
    v.strip[257] = Vocab::kStripRight;
    BpeTokenizer t(v, bpe_options_for_pre("gpt-2", "test"));
    EXPECT_EQ(t.encode("a  <L>  b", false, true), (std::vector<int32_t>{'a', 256, ' ', ' ', 'b'}));
    EXPECT_EQ(t.encode("a  <R>  b", false, true), (std::vector<int32_t>{'a', ' ', ' ', 257, 'b'}));
}

TEST(BpeAddedTokens, BosAndEosFollowTheVocab) {
    Vocab v = byte_vocab({"<s>", "</s>"}, {});
    v.types.assign(v.tokens.size(), TokenType::Normal);
    v.types[256] = v.types[257] = TokenType::Control;
    v.bos_id = 256;
    v.eos_id = 257;
    v.add_eos = true;
    BpeTokenizer t(v, bpe_options_for_pre("gpt-2", "test"));
    EXPECT_EQ(t.encode("a", true, false), (std::vector<int32_t>{256, 'a', 257}));
    EXPECT_EQ(t.encode("a", false, false), (std::vector<int32_t>{'a'}));
    EXPECT_EQ(t.encode("", true, false), (std::vector<int32_t>{256, 257}));
}

TEST(BpePresets, EveryNameBuildsAndUnknownNamesAreRefused) {
    for (const std::string& name : supported_bpe_pres()) {
        BpeOptions o = bpe_options_for_pre(name, "test");
        EXPECT_FALSE(o.pre_tokenizer.empty()) << name;
    }
    try {
        bpe_options_for_pre("nope", "x.gguf");
        ADD_FAILURE() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Unsupported);
        EXPECT_NE(std::string(e.what()).find("x.gguf"), std::string::npos);
        EXPECT_NE(std::string(e.what()).find("'nope'"), std::string::npos);
    }
}

}  // namespace
}  // namespace akunu
