// `akunu convert HF_DIR OUT.gguf [--type T]` through the command line: the file it writes loads
// with exactly the logits of loading the folder itself (F32, and Q8_0 against a folder quantized
// at load), bad arguments fail with the C API's message, and `akunu run` takes a folder.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "akunu/akunu.h"
#include "api/api_test_util.h"
#include "api/gguf_image.h"
#include "format/gguf_file.h"
#include "runtime/hf_fixtures.h"

using namespace gguf_image;
using namespace api_test;

namespace {

std::string akunu_bin() { return std::string(AKUNU_TOOLS_DIR) + "/akunu"; }

struct CliResult {
    int status = -1;
    std::string err;
};

class CliConvert : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_EQ(access(akunu_bin().c_str(), X_OK), 0) << akunu_bin() << " is not built (target akunu)";
    }

    // Arguments are fixture and temporary paths without quotes or spaces.
    CliResult run(const std::string& args) {
        const std::string err = dir_.file("stderr.txt");
        const std::string cmd = akunu_bin() + " " + args + " </dev/null >" + dir_.file("stdout.txt") + " 2>" + err;
        const int rc = std::system(cmd.c_str());
        CliResult r;
        if (rc != -1 && WIFEXITED(rc)) r.status = WEXITSTATUS(rc);
        r.err = read_text(err);
        return r;
    }

    TempDir dir_;
};

// Logits after the reference prompt and each of the first three greedy tokens, on the exact CPU path.
std::vector<std::vector<float>> logits_of(const std::string& path, const char* weight_type) {
    akunu_load_params p = akunu_default_load_params();
    p.backend = AKUNU_BACKEND_CPU;
    p.exact_activations = true;
    p.weight_type = weight_type;
    akunu_model* raw = nullptr;
    if (akunu_load_model(path.c_str(), &p, &raw) != AKUNU_OK) {
        ADD_FAILURE() << "cannot load " << path << ": " << akunu_last_error();
        return {};
    }
    Model m(raw);
    akunu_model_info info;
    akunu_get_model_info(m, &info);
    const hf_fixtures::Reference ref = hf_fixtures::reference("mistral");
    std::vector<std::vector<float>> out;
    int32_t next = 0;
    EXPECT_EQ(akunu_prefill(m, ref.prompt.data(), (int32_t)ref.prompt.size(), &next), AKUNU_OK);
    for (int step = 0; step < 4; ++step) {
        std::vector<float> l(info.vocab_size);
        EXPECT_EQ(akunu_get_logits(m, l.data(), (int32_t)l.size()), AKUNU_OK);
        out.push_back(std::move(l));
        EXPECT_EQ(akunu_decode_step(m, ref.greedy[(size_t)step], &next), AKUNU_OK);
    }
    return out;
}

TEST_F(CliConvert, F32FileLoadsWithTheFoldersLogits) {
    const std::string folder = hf_fixtures::dir("mistral"), out = dir_.file("mistral.gguf");
    const CliResult r = run("convert " + folder + " " + out);
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.err.find("wrote " + out), std::string::npos) << r.err;
    const auto file = akunu::GgufFile::open(out);
    EXPECT_EQ(file->get_string("general.architecture"), "llama");
    EXPECT_EQ(file->tensor("blk.0.attn_q.weight").type, akunu::DType::F32);

    const auto from_file = logits_of(out, nullptr), from_folder = logits_of(folder, nullptr);
    ASSERT_EQ(from_file.size(), 4u);
    ASSERT_EQ(from_folder.size(), 4u);
    for (size_t i = 0; i < from_file.size(); ++i) EXPECT_EQ(from_file[i], from_folder[i]) << "step " << i;
}

TEST_F(CliConvert, Q8_0FileMatchesAFolderQuantizedAtLoad) {
    const std::string folder = hf_fixtures::dir("mistral"), out = dir_.file("mistral-q8_0.gguf");
    const CliResult r = run("convert " + folder + " " + out + " --type q8_0");
    ASSERT_EQ(r.status, 0) << r.err;
    const auto file = akunu::GgufFile::open(out);
    EXPECT_EQ(file->tensor("blk.1.ffn_down.weight").type, akunu::DType::Q8_0);
    EXPECT_EQ(file->tensor("blk.1.ffn_norm.weight").type, akunu::DType::F32);
    EXPECT_EQ(file->get_u32("general.file_type"), 7u);

    const auto from_file = logits_of(out, nullptr), from_folder = logits_of(folder, "q8_0");
    ASSERT_EQ(from_file.size(), 4u);
    ASSERT_EQ(from_folder.size(), 4u);
    for (size_t i = 0; i < from_file.size(); ++i) EXPECT_EQ(from_file[i], from_folder[i]) << "step " << i;
}

TEST_F(CliConvert, BadArgumentsFailWithTheApisMessage) {
    const std::string out = dir_.file("never.gguf");
    CliResult r = run("convert " + hf_fixtures::dir("qwen3") + " " + out + " --type q9_9");
    EXPECT_NE(r.status, 0);
    EXPECT_NE(r.err.find("unknown weight type 'q9_9'"), std::string::npos) << r.err;

    r = run("convert /nonexistent/hf-folder " + out);
    EXPECT_NE(r.status, 0);
    EXPECT_NE(r.err.find("/nonexistent/hf-folder"), std::string::npos) << r.err;
    EXPECT_EQ(akunu_convert_model("/nonexistent/hf-folder", out.c_str(), nullptr), AKUNU_ERR_IO);

    r = run("convert " + hf_fixtures::dir("qwen3"));
    EXPECT_NE(r.status, 0);  // the output path is required
    EXPECT_NE(access(out.c_str(), F_OK), 0) << "a failed conversion left " << out;
}

TEST_F(CliConvert, QuantizeIsForFoldersOnly) {
    CliResult r = run("run " + stories_path() + " --quantize q8_0 -n 1");
    EXPECT_NE(r.status, 0);
    EXPECT_NE(r.err.find("Hugging Face folders only"), std::string::npos) << r.err;
    r = run("run --synthetic stories260k --quantize q8_0 -n 1");
    EXPECT_NE(r.status, 0);
    EXPECT_NE(r.err.find("PRESET:TYPE"), std::string::npos) << r.err;
}

TEST_F(CliConvert, RunTakesAFolderAndQuantizesIt) {
    const CliResult r = run("run " + hf_fixtures::dir("qwen3") + " --quantize q8_0 -p hi -n 3 -t 2");
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.err.find("Q8_0"), std::string::npos) << r.err;  // the model line names the weight type
}

}  // namespace
