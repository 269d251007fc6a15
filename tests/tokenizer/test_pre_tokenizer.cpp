// Pre-tokenizer machinery: the split behaviours, Unicode classes from PCRE2, the byte table,
// text normalization, and what happens to ill-formed UTF-8.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/error.h"
#include "tokenizer/bpe_presets.h"
#include "tokenizer/byte_unicode.h"
#include "tokenizer/pre_tokenizer.h"
#include "tokenizer/text_normalizer.h"

namespace akunu {
namespace {

using Pieces = std::vector<std::string>;

Pieces split_with(const char* pattern, SplitBehavior behavior, std::string_view text, bool invert = false) {
    Pieces out;
    split_piece(SplitRegex(pattern), behavior, invert, text, out);
    return out;
}

// Hugging Face's documented example for its five behaviours.
TEST(SplitBehaviors, TheFinalCountdown) {
    const std::string text = "the-final--countdown";
    EXPECT_EQ(split_with("-", SplitBehavior::Removed, text), (Pieces{"the", "final", "countdown"}));
    EXPECT_EQ(split_with("-", SplitBehavior::Isolated, text), (Pieces{"the", "-", "final", "-", "-", "countdown"}));
    EXPECT_EQ(split_with("-", SplitBehavior::MergedWithPrevious, text), (Pieces{"the-", "final-", "-", "countdown"}));
    EXPECT_EQ(split_with("-", SplitBehavior::MergedWithNext, text), (Pieces{"the", "-final", "-", "-countdown"}));
    EXPECT_EQ(split_with("-", SplitBehavior::Contiguous, text), (Pieces{"the", "-", "final", "--", "countdown"}));
    // Inverted: the words are the matches, so Removed keeps only the dashes.
    EXPECT_EQ(split_with("[a-z]+", SplitBehavior::Removed, text, true), (Pieces{"the", "final", "countdown"}));
    EXPECT_EQ(split_with("[a-z]+", SplitBehavior::Removed, text), (Pieces{"-", "--"}));
}

TEST(SplitRegexTest, UnicodeClassesComeFromPcre2) {
    // Cyrillic letters are \p{L}; U+00BD is \p{N} (No); U+3000 is \s.
    EXPECT_EQ(split_with(R"(\p{L}+)", SplitBehavior::Isolated, "\xD0\xBD\xD0\xB5 4\xC2\xBD"),
              (Pieces{"\xD0\xBD\xD0\xB5", " 4\xC2\xBD"}));
    EXPECT_EQ(split_with(R"(\p{N}+)", SplitBehavior::Removed, "a4\xC2\xBD" "b"), (Pieces{"a", "b"}));
    EXPECT_EQ(split_with(R"(\s+)", SplitBehavior::Removed, "a\xE3\x80\x80" "b"), (Pieces{"a", "b"}));
}

TEST(SplitRegexTest, BadPatternIsAnInvalidArgumentNamingIt) {
    try {
        SplitRegex r("(unclosed");
        ADD_FAILURE() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
        EXPECT_NE(std::string(e.what()).find("(unclosed"), std::string::npos) << e.what();
    }
}

TEST(SplitRegexTest, IllFormedBytesNeverMatch) {
    // The bad byte is left between matches, so it becomes a piece of its own.
    EXPECT_EQ(split_with(R"(\p{L}+)", SplitBehavior::Isolated, "ab\xFF" "cd\xC3"), (Pieces{"ab", "\xFF", "cd", "\xC3"}));
    // An empty-matching pattern makes no empty pieces and terminates.
    EXPECT_EQ(split_with("x*", SplitBehavior::Isolated, "abxxc"), (Pieces{"ab", "xx", "c"}));
}

TEST(Gpt2Pattern, SplitsAsPublished) {
    PreTokenizer p;
    p.add_byte_level(false, true);
    EXPECT_EQ(p.split("Hello world's  end\n\n 42!!"),
              (Pieces{"Hello", " world", "'s", " ", " end", "\n\n", " 42", "!!"}));
    // Pieces come back as raw bytes, not byte-table characters.
    EXPECT_EQ(p.split(" \xC3\xA9t\xC3\xA9"), (Pieces{" \xC3\xA9t\xC3\xA9"}));
}

TEST(Llama3Pattern, GroupsDigitsByThreeAndContractionsInAnyCase) {
    BpeOptions o = bpe_options_for_pre("llama-bpe", "test");
    EXPECT_EQ(o.pre_tokenizer.split("1234567 I'M x\r\n\r\n  y"),
              (Pieces{"123", "456", "7", " I", "'M", " x", "\r\n\r\n", " ", " y"}));
}

TEST(ByteUnicode, TableIsAReversibleBijection) {
    std::string all;
    for (int b = 0; b < 256; ++b) all.push_back((char)b);
    const std::string mapped = byte_unicode::encode(all);
    std::string back;
    ASSERT_TRUE(byte_unicode::decode(mapped, back));
    EXPECT_EQ(back, all);
    EXPECT_EQ(byte_unicode::char_of(' '), "\xC4\xA0");    // U+0120 'Ġ'
    EXPECT_EQ(byte_unicode::char_of('\n'), "\xC4\x8A");   // U+010A 'Ċ'
    EXPECT_EQ(byte_unicode::char_of('a'), "a");
    EXPECT_EQ(byte_unicode::byte_of(0x120), ' ');
    EXPECT_EQ(byte_unicode::byte_of(0x144), -1);  // past the 68 remapped bytes
    EXPECT_FALSE(byte_unicode::decode("\xE4\xB8\xAD", back));  // a character outside the table
    EXPECT_FALSE(byte_unicode::decode("\xC4", back));          // ill-formed
}

TEST(TextNormalizerTest, FormsCaseAndAccents) {
    const std::string decomposed = "Cu\xCC\x9B\xCC\x89" "a";  // u + horn + hook above
    const std::string composed = "C\xE1\xBB\xAD" "a";         // U+1EED
    EXPECT_EQ(TextNormalizer::normalize(decomposed, TextNormalizer::Op::NFC), composed);
    EXPECT_EQ(TextNormalizer::normalize(composed, TextNormalizer::Op::NFD), decomposed);
    EXPECT_EQ(TextNormalizer::normalize("\xEF\xAC\x81", TextNormalizer::Op::NFKC), "fi");  // the fi ligature
    EXPECT_EQ(TextNormalizer::strip_accents("\xC3\x84pfel Vi\xE1\xBB\x87t"), "Apfel Viet");
    EXPECT_EQ(TextNormalizer::lowercase("\xC3\x84PFEL \xD0\x91"), "\xC3\xA4pfel \xD0\xB1");
    EXPECT_EQ(TextNormalizer::lowercase("\xC4\xB0"), "i\xCC\x87");  // U+0130: full mapping
    // Ill-formed bytes pass through untouched, around normalized text.
    EXPECT_EQ(TextNormalizer::normalize("\xFF" + decomposed + "\xC3", TextNormalizer::Op::NFC), "\xFF" + composed + "\xC3");
    TextNormalizer n;
    n.add(TextNormalizer::Op::NFD);
    n.add(TextNormalizer::Op::Lowercase);
    EXPECT_EQ(n.apply(composed), "cu\xCC\x9B\xCC\x89" "a");
}

}  // namespace
}  // namespace akunu
