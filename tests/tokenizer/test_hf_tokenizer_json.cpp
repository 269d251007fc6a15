// Hugging Face tokenizer.json loading: the Qwen3 and Llama 3 tokenizers of shared/ against the
// ids the `tokenizers` library gives (tests.out), then the same vocabularies written as GGUF
// metadata and read back through the GGUF path.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "format/gguf_file.h"
#include "format/gguf_writer.h"
#include "shared_tokenizers.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer_test_util.h"

namespace akunu {
namespace {

std::string ids_to_string(const std::vector<int32_t>& ids) {
    std::string s;
    for (int32_t id : ids) s.append(" ").append(std::to_string(id));
    return s;
}

struct Vectors {
    std::vector<std::string> inputs;
    std::vector<std::vector<int32_t>> expected;
};

Vectors read_vectors(const std::string& name) {
    const std::string dir = test::shared_path("testdata/tokenizers/" + name + "/");
    bool ok_in = false, ok_out = false;
    Vectors v;
    v.inputs = test::split_vocab_inputs(test::read_file(dir + "tests.inp", &ok_in));
    v.expected = test::split_vocab_outputs(test::read_file(dir + "tests.out", &ok_out));
    EXPECT_TRUE(ok_in && ok_out) << dir;
    EXPECT_EQ(v.inputs.size(), 46u);
    EXPECT_EQ(v.expected.size(), v.inputs.size());
    return v;
}

// tests.out was made with add_special_tokens=False and Hugging Face's default of matching
// added tokens in raw text, so parse_special is on.
int count_matches(const Tokenizer& tok, const Vectors& v, const std::string& label) {
    int passed = 0;
    for (size_t i = 0; i < v.inputs.size() && i < v.expected.size(); ++i) {
        const std::vector<int32_t> got = tok.encode(v.inputs[i], /*add_bos=*/false, /*parse_special=*/true);
        if (got == v.expected[i]) {
            ++passed;
        } else {
            ADD_FAILURE() << label << " case " << i << " input '" << v.inputs[i] << "'\n  expected"
                          << ids_to_string(v.expected[i]) << "\n  got     " << ids_to_string(got);
        }
    }
    std::printf("[vectors] %s: %d/%zu\n", label.c_str(), passed, v.inputs.size());
    return passed;
}

class HfTokenizers : public ::testing::TestWithParam<const char*> {};

TEST_P(HfTokenizers, TokenizerJsonMatchesAllVectors) {
    const Tokenizer& tok = test::hf_tokenizer(GetParam());
    EXPECT_EQ(tok.vocab().model, "gpt2");
    EXPECT_EQ(count_matches(tok, read_vectors(GetParam()), std::string(GetParam()) + "/tokenizer.json"), 46);
}

// The vocabulary as a converter writes it into GGUF: tokens, token types, merges, the pre name
// and the special ids, through GgufWriter and GgufFile like a real file.
std::unique_ptr<GgufFile> as_gguf(const Vocab& v, const std::string& pre) {
    GgufWriter w;
    w.set_string("general.architecture", "llama");
    w.set_string("tokenizer.ggml.model", "gpt2");
    w.set_string("tokenizer.ggml.pre", pre);
    w.set_string_array("tokenizer.ggml.tokens", v.tokens);
    std::vector<int32_t> types;
    for (TokenType t : v.types) types.push_back((int32_t)t);
    w.set_i32_array("tokenizer.ggml.token_type", types);
    w.set_string_array("tokenizer.ggml.merges", v.merges);
    if (v.bos_id >= 0) w.set_u32("tokenizer.ggml.bos_token_id", (uint32_t)v.bos_id);
    if (v.eos_id >= 0) w.set_u32("tokenizer.ggml.eos_token_id", (uint32_t)v.eos_id);
    w.set_bool("tokenizer.ggml.add_bos_token", v.add_bos);
    const std::vector<uint8_t> bytes = w.to_bytes();
    return GgufFile::from_memory(bytes.data(), bytes.size(), "converted-" + pre + ".gguf");
}

TEST_P(HfTokenizers, SameVocabularyThroughGgufMatchesAllVectors) {
    const Tokenizer& hf = test::hf_tokenizer(GetParam());
    const std::string pre = std::string(GetParam()) == "qwen3" ? "qwen2" : "llama-bpe";
    auto file = as_gguf(hf.vocab(), pre);
    auto tok = Tokenizer::from_gguf(*file);
    EXPECT_EQ(tok->vocab().size(), hf.vocab().size());
    EXPECT_EQ(tok->vocab().bos_id, hf.vocab().bos_id);
    EXPECT_EQ(tok->vocab().eos_id, hf.vocab().eos_id);
    EXPECT_EQ(tok->vocab().eot_id, hf.vocab().eot_id);
    EXPECT_EQ(count_matches(*tok, read_vectors(GetParam()), file->name()), 46);
}

INSTANTIATE_TEST_SUITE_P(Shared, HfTokenizers, ::testing::Values("qwen3", "llama3"));

TEST(HfTokenizerJson, Llama3SpecialTokensAndFraming) {
    const Tokenizer& tok = test::hf_tokenizer("llama3");
    const Vocab& v = tok.vocab();
    EXPECT_EQ(v.size(), 128256);
    EXPECT_EQ(v.bos_id, 128000);  // <|begin_of_text|>, from tokenizer_config.json
    EXPECT_EQ(v.eos_id, 128001);  // <|end_of_text|>
    EXPECT_EQ(v.eot_id, 128009);  // <|eot_id|>, found by its text
    // This tokenizer.json's post-processor adds nothing and the config has no add_bos_token.
    EXPECT_FALSE(v.add_bos);
    EXPECT_TRUE(v.is_control(128000));

    const std::string chat = "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>";
    const std::vector<int32_t> parsed = tok.encode(chat, false, true);
    EXPECT_EQ(parsed.front(), 128006);
    EXPECT_EQ(parsed.back(), 128009);
    // Without parse_special the same text is ordinary text: no control token appears.
    for (int32_t id : tok.encode(chat, false, false)) EXPECT_FALSE(v.is_control(id)) << id;
    EXPECT_EQ(tok.decode(tok.encode(chat, false, false)), chat);
    // Control tokens render as nothing.
    EXPECT_EQ(tok.decode(parsed), "user\n\nHi");
    EXPECT_EQ(tok.encode("Hi", true, false), (std::vector<int32_t>{128000, 13347}));
}

TEST(HfTokenizerJson, Qwen3AddedTokens) {
    const Tokenizer& tok = test::hf_tokenizer("qwen3");
    const Vocab& v = tok.vocab();
    EXPECT_EQ(v.size(), 151669);
    EXPECT_EQ(v.bos_id, -1);      // bos_token: null
    EXPECT_EQ(v.eos_id, 151645);  // <|im_end|>
    EXPECT_EQ(v.pad_id, 151643);  // <|endoftext|>
    EXPECT_FALSE(v.add_bos);
    // <think> is an added token that is not special: UserDefined, matched either way.
    const int32_t think = v.token_to_id.at("<think>");
    EXPECT_EQ(v.types[(size_t)think], TokenType::UserDefined);
    EXPECT_EQ(tok.encode("<think>", false, false), (std::vector<int32_t>{think}));
    EXPECT_EQ(tok.token_to_piece(think), "<think>");
    // <|im_start|> is special: a token only with parse_special.
    const int32_t im_start = v.token_to_id.at("<|im_start|>");
    EXPECT_EQ(tok.encode("<|im_start|>user", false, true).front(), im_start);
    EXPECT_NE(tok.encode("<|im_start|>user", false, false).front(), im_start);
}

// NFC: a decomposed character is tokenized as its composed form (Qwen's normalizer).
TEST(HfTokenizerJson, Qwen3NormalizesToNfc) {
    const Tokenizer& tok = test::hf_tokenizer("qwen3");
    EXPECT_EQ(tok.encode("Cu\xCC\x9B\xCC\x89" "a", false, true), tok.encode("C\xE1\xBB\xAD" "a", false, true));
}

}  // namespace
}  // namespace akunu
