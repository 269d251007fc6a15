// The llama.cpp tokenizer vectors for the byte-level BPE and WordPiece vocabularies: every one of
// the 46 strings must give exactly the reference ids (Hugging Face's, add_special_tokens=False;
// special-token text is plain text, so parse_special is off).
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "format/gguf_file.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer_test_util.h"

namespace akunu {
namespace {

std::string ids_to_string(const std::vector<int32_t>& ids) {
    std::string s;
    for (int32_t id : ids) s.append(" ").append(std::to_string(id));
    return s;
}

struct VectorCase {
    const char* file;
    const char* model;
};

class GgufVectors : public ::testing::TestWithParam<VectorCase> {};

TEST_P(GgufVectors, MatchesAllVectors) {
    const std::string base = test::shared_path(std::string("testdata/vocab/") + GetParam().file);
    auto file = GgufFile::open(base);
    auto tok = Tokenizer::from_gguf(*file);
    EXPECT_EQ(tok->vocab().model, GetParam().model);
    bool ok_in = false, ok_out = false;
    const auto inputs = test::split_vocab_inputs(test::read_file(base + ".inp", &ok_in));
    const auto expected = test::split_vocab_outputs(test::read_file(base + ".out", &ok_out));
    ASSERT_TRUE(ok_in && ok_out) << base;
    ASSERT_EQ(inputs.size(), 46u);
    ASSERT_EQ(expected.size(), inputs.size());
    int passed = 0;
    for (size_t i = 0; i < inputs.size(); ++i) {
        const std::vector<int32_t> got = tok->encode(inputs[i], /*add_bos=*/false, /*parse_special=*/false);
        if (got == expected[i]) {
            ++passed;
        } else {
            ADD_FAILURE() << GetParam().file << " case " << i << " input '" << inputs[i] << "'\n  expected"
                          << ids_to_string(expected[i]) << "\n  got     " << ids_to_string(got);
        }
    }
    EXPECT_EQ(passed, 46);
    std::printf("[vectors] %s: %d/%zu\n", GetParam().file, passed, inputs.size());
}

INSTANTIATE_TEST_SUITE_P(Vocab, GgufVectors,
                         ::testing::Values(VectorCase{"ggml-vocab-gpt-2.gguf", "gpt2"},
                                           VectorCase{"ggml-vocab-falcon.gguf", "gpt2"},
                                           VectorCase{"ggml-vocab-mpt.gguf", "gpt2"},
                                           VectorCase{"ggml-vocab-starcoder.gguf", "gpt2"},
                                           VectorCase{"ggml-vocab-refact.gguf", "gpt2"},
                                           VectorCase{"ggml-vocab-deepseek-llm.gguf", "gpt2"},
                                           VectorCase{"ggml-vocab-deepseek-coder.gguf", "gpt2"},
                                           VectorCase{"ggml-vocab-bert-bge.gguf", "bert"}),
                         [](const auto& info) {
                             std::string name = info.param.file;
                             name = name.substr(11, name.size() - 16);  // between "ggml-vocab-" and ".gguf"
                             for (char& c : name) c = std::isalnum((unsigned char)c) ? c : '_';
                             return name;
                         });

}  // namespace
}  // namespace akunu
