// Vocab::from_gguf validation and the Tokenizer factory, on GGUF images built byte by byte
// (independent of the GGUF writer, so these tests pin the file format too).
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "core/error.h"
#include "format/gguf_file.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer_test_util.h"

namespace akunu {
namespace {

// A GGUF v3 image with metadata only (no tensors), little-endian.
class RawGguf {
public:
    void str(const std::string& key, const std::string& v) {
        kv_header(key, 8);
        put_str(v);
    }
    void u32(const std::string& key, uint32_t v) {
        kv_header(key, 4);
        put(v);
    }
    void i32(const std::string& key, int32_t v) {
        kv_header(key, 5);
        put(v);
    }
    void boolean(const std::string& key, bool v) {
        kv_header(key, 7);
        body_.push_back(v ? 1 : 0);
    }
    void str_array(const std::string& key, const std::vector<std::string>& v) {
        array_header(key, 8, v.size());
        for (const auto& s : v) put_str(s);
    }
    void f32_array(const std::string& key, const std::vector<float>& v) {
        array_header(key, 6, v.size());
        for (float f : v) put(f);
    }
    void i32_array(const std::string& key, const std::vector<int32_t>& v) {
        array_header(key, 5, v.size());
        for (int32_t x : v) put(x);
    }
    std::vector<uint8_t> bytes() const {
        std::vector<uint8_t> out;
        auto put_raw = [&](const void* p, size_t n) {
            const uint8_t* b = (const uint8_t*)p;
            out.insert(out.end(), b, b + n);
        };
        put_raw("GGUF", 4);
        uint32_t version = 3;
        uint64_t n_tensors = 0, n_kv = n_kv_;
        put_raw(&version, 4);
        put_raw(&n_tensors, 8);
        put_raw(&n_kv, 8);
        out.insert(out.end(), body_.begin(), body_.end());
        while (out.size() % 32) out.push_back(0);  // the (empty) data section starts aligned
        return out;
    }

private:
    template <typename T>
    void put(T v) {
        uint8_t b[sizeof(T)];
        std::memcpy(b, &v, sizeof(T));
        body_.insert(body_.end(), b, b + sizeof(T));
    }
    void put_str(const std::string& s) {
        put((uint64_t)s.size());
        body_.insert(body_.end(), s.begin(), s.end());
    }
    void kv_header(const std::string& key, uint32_t type) {
        ++n_kv_;
        put_str(key);
        put(type);
    }
    void array_header(const std::string& key, uint32_t elem_type, size_t n) {
        kv_header(key, 9);
        put(elem_type);
        put((uint64_t)n);
    }
    std::vector<uint8_t> body_;
    uint64_t n_kv_ = 0;
};

// A tiny but complete SPM vocab: <unk> <s> </s> ▁ ▁a a.
RawGguf tiny_spm(size_t n_scores = 6, size_t n_types = 6) {
    RawGguf g;
    g.str("general.architecture", "llama");
    g.str("tokenizer.ggml.model", "llama");
    g.str_array("tokenizer.ggml.tokens", {"<unk>", "<s>", "</s>", "\xE2\x96\x81", "\xE2\x96\x81" "a", "a"});
    std::vector<float> scores = {0, 0, 0, -3, -1, -2};
    scores.resize(n_scores, 0.0f);
    g.f32_array("tokenizer.ggml.scores", scores);
    std::vector<int32_t> types = {2, 3, 3, 1, 1, 1};
    types.resize(n_types, 1);
    g.i32_array("tokenizer.ggml.token_type", types);
    return g;
}

std::unique_ptr<GgufFile> open_image(const RawGguf& g, const std::string& name) {
    std::vector<uint8_t> b = g.bytes();
    return GgufFile::from_memory(b.data(), b.size(), name);
}

// Runs `fn`, expecting an akunu::Error of `kind` whose message contains every one of `parts`.
template <typename Fn>
void expect_error(Fn&& fn, ErrorKind kind, const std::vector<std::string>& parts) {
    try {
        fn();
        ADD_FAILURE() << "no error thrown";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), kind) << e.what();
        for (const auto& p : parts) EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << e.what();
    }
}

TEST(VocabLoad, TinySpmDefaultsAndEncoding) {
    auto file = open_image(tiny_spm(), "tiny.gguf");
    Vocab v = Vocab::from_gguf(*file);
    EXPECT_EQ(v.size(), 6);
    EXPECT_EQ(v.bos_id, 1);  // SPM defaults when the id keys are absent
    EXPECT_EQ(v.eos_id, 2);
    EXPECT_EQ(v.unk_id, 0);
    EXPECT_EQ(v.pad_id, -1);
    EXPECT_TRUE(v.add_bos);
    EXPECT_FALSE(v.add_eos);
    EXPECT_TRUE(v.add_space_prefix);
    EXPECT_EQ(v.types[3], TokenType::Normal);
    EXPECT_FLOAT_EQ(v.scores[4], -1.0f);
    auto tok = Tokenizer::from_gguf(*file);
    EXPECT_EQ(tok->encode("a a", true, false), (std::vector<int32_t>{1, 4, 4}));
}

TEST(VocabLoad, ScoresLengthMismatchNamesFileAndKey) {
    auto file = open_image(tiny_spm(/*n_scores=*/5), "bad-scores.gguf");
    expect_error([&] { Vocab::from_gguf(*file); }, ErrorKind::Format,
                 {"[tokenizer]", "bad-scores.gguf", "tokenizer.ggml.scores", "5", "6"});
    expect_error([&] { Tokenizer::from_gguf(*file); }, ErrorKind::Format, {"tokenizer.ggml.scores"});
}

TEST(VocabLoad, TokenTypeLengthMismatchNamesKey) {
    auto file = open_image(tiny_spm(6, /*n_types=*/7), "bad-types.gguf");
    expect_error([&] { Vocab::from_gguf(*file); }, ErrorKind::Format,
                 {"bad-types.gguf", "tokenizer.ggml.token_type"});
}

TEST(VocabLoad, SpecialIdsOutOfRangeOrNone) {
    RawGguf bad = tiny_spm();
    bad.u32("tokenizer.ggml.bos_token_id", 6);
    expect_error([&] { Vocab::from_gguf(*open_image(bad, "bad-bos.gguf")); }, ErrorKind::Format,
                 {"bad-bos.gguf", "tokenizer.ggml.bos_token_id", "6"});

    RawGguf neg = tiny_spm();
    neg.i32("tokenizer.ggml.eos_token_id", -7);
    expect_error([&] { Vocab::from_gguf(*open_image(neg, "bad-eos.gguf")); }, ErrorKind::Format,
                 {"tokenizer.ggml.eos_token_id"});

    RawGguf none = tiny_spm();
    none.u32("tokenizer.ggml.padding_token_id", 0xFFFFFFFFu);
    none.u32("tokenizer.ggml.eot_token_id", 0xFFFFFFFFu);
    none.u32("tokenizer.ggml.unknown_token_id", 0xFFFFFFFFu);
    none.boolean("tokenizer.ggml.add_bos_token", false);
    none.boolean("tokenizer.ggml.add_space_prefix", false);
    Vocab v = Vocab::from_gguf(*open_image(none, "none.gguf"));
    EXPECT_EQ(v.pad_id, -1);
    EXPECT_EQ(v.eot_id, -1);
    EXPECT_EQ(v.unk_id, -1);
    EXPECT_FALSE(v.add_bos);
    EXPECT_FALSE(v.add_space_prefix);
}

TEST(VocabLoad, WrongArrayTypeNamesKey) {
    RawGguf g;
    g.str("tokenizer.ggml.model", "llama");
    g.str_array("tokenizer.ggml.tokens", {"a", "b"});
    g.str_array("tokenizer.ggml.scores", {"x", "y"});
    expect_error([&] { Vocab::from_gguf(*open_image(g, "bad-type.gguf")); }, ErrorKind::Format,
                 {"bad-type.gguf", "tokenizer.ggml.scores"});
}

TEST(VocabLoad, MissingTokensNamesKey) {
    RawGguf g;
    g.str("tokenizer.ggml.model", "llama");
    expect_error([&] { Vocab::from_gguf(*open_image(g, "no-tokens.gguf")); }, ErrorKind::Format,
                 {"no-tokens.gguf", "tokenizer.ggml.tokens"});
}

TEST(VocabLoad, EndOfTurnDetectedByText) {
    RawGguf g;
    g.str("tokenizer.ggml.model", "llama");
    g.str_array("tokenizer.ggml.tokens", {"<unk>", "<s>", "<|endoftext|>", "<|end|>"});
    g.i32_array("tokenizer.ggml.token_type", {2, 3, 3, 3});
    g.u32("tokenizer.ggml.eos_token_id", 2);
    Vocab v = Vocab::from_gguf(*open_image(g, "eot.gguf"));
    EXPECT_EQ(v.eos_id, 2);
    EXPECT_EQ(v.eot_id, 3);
    EXPECT_TRUE(v.is_end_of_generation(2));
    EXPECT_TRUE(v.is_end_of_generation(3));
}

TEST(TokenizerFactory, UnsupportedModelIsNamed) {
    RawGguf g;
    g.str("tokenizer.ggml.model", "t5");
    g.str_array("tokenizer.ggml.tokens", {"a", "b"});
    expect_error([&] { Tokenizer::from_gguf(*open_image(g, "file.gguf")); }, ErrorKind::Unsupported,
                 {"[tokenizer] file.gguf: tokenizer model 't5' is not supported (supported: llama, gpt2, bert)"});
}

TEST(TokenizerFactory, MissingModelKey) {
    RawGguf g;
    g.str_array("tokenizer.ggml.tokens", {"a", "b"});
    expect_error([&] { Tokenizer::from_gguf(*open_image(g, "no-model.gguf")); }, ErrorKind::Format,
                 {"tokenizer.ggml.model"});
}

TEST(TokenizerFactory, UnknownBpePreTokenizerIsNamed) {
    RawGguf g;
    g.str("tokenizer.ggml.model", "gpt2");
    g.str("tokenizer.ggml.pre", "chameleon-9000");
    g.str_array("tokenizer.ggml.tokens", {"a", "b"});
    expect_error([&] { Tokenizer::from_gguf(*open_image(g, "pre.gguf")); }, ErrorKind::Unsupported,
                 {"pre.gguf", "'chameleon-9000' is not supported", "llama-bpe", "qwen2", "deepseek-llm"});
}

// A merge must join two tokens into a third; anything else is a broken file, named as such.
TEST(TokenizerFactory, BadBpeMergesAreFormatErrors) {
    struct Case {
        std::vector<std::string> merges;
        std::vector<std::string> needles;
    };
    const std::vector<Case> cases = {
        {{"a b", "a x"}, {"bad-merge.gguf", "merge 1 'a x'", "needs 'x'"}},
        {{"b a"}, {"merge 0 'b a'", "needs 'ba'"}},
        {{"ab"}, {"merge 0 'ab'", "is not two tokens separated by one space"}},
        {{"a b c"}, {"merge 0 'a b c'", "is not two tokens"}},
        {{" a"}, {"is not two tokens"}},
    };
    for (const Case& c : cases) {
        RawGguf g;
        g.str("tokenizer.ggml.model", "gpt2");
        g.str("tokenizer.ggml.pre", "gpt-2");
        g.str_array("tokenizer.ggml.tokens", {"a", "b", "ab"});
        g.str_array("tokenizer.ggml.merges", c.merges);
        expect_error([&] { Tokenizer::from_gguf(*open_image(g, "bad-merge.gguf")); }, ErrorKind::Format, c.needles);
    }
}

// BERT files name [CLS]/[SEP]; they become BOS/EOS, added around a sequence by default.
TEST(TokenizerFactory, BertClsAndSepFrameTheSequence) {
    auto file = GgufFile::open(test::shared_path("testdata/vocab/ggml-vocab-bert-bge.gguf"));
    auto tok = Tokenizer::from_gguf(*file);
    const Vocab& v = tok->vocab();
    EXPECT_EQ(v.bos_id, 101);
    EXPECT_EQ(v.eos_id, 102);
    EXPECT_EQ(v.unk_id, 100);
    EXPECT_TRUE(v.add_bos);
    EXPECT_TRUE(v.add_eos);
    EXPECT_EQ(tok->encode("Hello world", true, false), (std::vector<int32_t>{101, 7592, 2088, 102}));
    EXPECT_EQ(tok->encode("Hello world", false, false), (std::vector<int32_t>{7592, 2088}));
}

TEST(TokenizerFactory, PhiThreeSpecialTokens) {
    auto file = GgufFile::open(test::shared_path("testdata/vocab/ggml-vocab-phi-3.gguf"));
    auto tok = Tokenizer::from_gguf(*file);
    const Vocab& v = tok->vocab();
    EXPECT_EQ(v.eos_id, 32000);
    EXPECT_EQ(v.eot_id, 32007);  // <|end|>, found by its text
    EXPECT_TRUE(v.is_end_of_generation(32007));
    // <|user|> swallows the newline after it (rstrip), as Phi-3's Hugging Face tokenizer does.
    std::vector<int32_t> ids = tok->encode("<|user|>\nHello<|end|>\n<|assistant|>", true, true);
    std::vector<int32_t> want = {1, 32010};
    std::vector<int32_t> hello = tok->encode("Hello", false, false);
    want.insert(want.end(), hello.begin(), hello.end());
    want.push_back(32007);
    want.push_back(32001);
    EXPECT_EQ(ids, want);
}

}  // namespace
}  // namespace akunu
