// Acceptance of the `akunu` command line on bad input: it exits non-zero and prints on stderr the
// same message the C API gives (akunu_last_error) for that file, or its usage.
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

using namespace gguf_image;
using namespace api_test;

namespace {

std::string quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'') {
            out += "'\\''";
        } else {
            out += c;
        }
    }
    return out + "'";
}

std::string akunu_bin() { return std::string(AKUNU_TOOLS_DIR) + "/akunu"; }

struct CliResult {
    int status = -1;  // the exit status; 128 + signal if killed
    std::string out;
    std::string err;
};

class Cli : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_EQ(access(akunu_bin().c_str(), X_OK), 0) << akunu_bin() << " is not built (target akunu)";
    }

    CliResult run(const std::string& args) {
        const std::string out = dir_.file("stdout.txt"), err = dir_.file("stderr.txt");
        const std::string cmd =
            quote(akunu_bin()) + " " + args + " </dev/null >" + quote(out) + " 2>" + quote(err);
        const int rc = std::system(cmd.c_str());
        CliResult r;
        if (rc == -1) {
            ADD_FAILURE() << "system() failed for: " << cmd;
        } else if (WIFEXITED(rc)) {
            r.status = WEXITSTATUS(rc);
        } else if (WIFSIGNALED(rc)) {
            r.status = 128 + WTERMSIG(rc);
        }
        r.out = read_text(out);
        r.err = read_text(err);
        return r;
    }

    // The message the C API gives for loading `path`.
    static std::string api_message(const std::string& path) {
        akunu_model* m = nullptr;
        const akunu_status st = akunu_load_model(path.c_str(), nullptr, &m);
        EXPECT_NE(st, AKUNU_OK) << path << " loaded through the API";
        if (m) akunu_free_model(m);
        const std::string msg = akunu_last_error();
        EXPECT_FALSE(msg.empty());
        EXPECT_NE(msg.find(path), std::string::npos) << msg;
        return msg;
    }

    void expect_cli_fails_like_api(const std::string& path) {
        SCOPED_TRACE(path);
        const std::string msg = api_message(path);
        const CliResult r = run("run " + quote(path) + " -n 4");
        EXPECT_NE(r.status, 0) << "stderr: " << r.err;
        EXPECT_LT(r.status, 128) << "killed by a signal; stderr: " << r.err;
        EXPECT_NE(r.err.find(msg), std::string::npos) << "stderr does not hold the API message\n  message: " << msg
                                                      << "\n  stderr: " << r.err;
        EXPECT_EQ(r.out, "") << "nothing goes to stdout when the model does not load";
    }

    TempDir dir_;
};

TEST_F(Cli, RunsAValidModel) {
    // The harness itself: a good run exits 0 and prints the prompt and the greedy text.
    const GreedyCase ref = f32_once_upon_a_time_32();
    const CliResult r = run("run " + quote(stories_path()) + " -n 8 --temp 0 -q");
    ASSERT_EQ(r.status, 0) << r.err;
    Model m(load_stories());
    char text[256];
    size_t len = 0;
    ASSERT_EQ(akunu_detokenize(m, ref.gen_ids.data(), 8, text, sizeof text, &len), AKUNU_OK);
    EXPECT_EQ(r.out, "Once upon a time" + std::string(text, len) + "\n");
}

TEST_F(Cli, BadMagic) {
    Image img = tiny_image(akunu::DType::F32);
    std::memcpy(img.data(), "GGML", 4);
    const std::string path = dir_.file("bad-magic.gguf");
    write_file(path, img);
    expect_cli_fails_like_api(path);
}

TEST_F(Cli, MissingTensor) {
    const Image img = to_writer(tiny_image(akunu::DType::Q4_0), {}, {"blk.1.ffn_up.weight"}).to_bytes();
    const std::string path = dir_.file("missing-tensor.gguf");
    write_file(path, img);
    expect_cli_fails_like_api(path);
    EXPECT_NE(api_message(path).find("blk.1.ffn_up.weight"), std::string::npos);
}

TEST_F(Cli, NonexistentPath) {
    const std::string path = dir_.file("no such model.gguf");  // a space, to check the quoting too
    expect_cli_fails_like_api(path);
}

TEST_F(Cli, TruncatedFile) {
    const Image img = tiny_image(akunu::DType::F32);
    const std::string path = dir_.file("truncated.gguf");
    write_file(path, Image(img.begin(), img.begin() + (long)(img.size() - img.size() / 3)));
    expect_cli_fails_like_api(path);
}

TEST_F(Cli, NeitherModelNorSynthetic) {
    const CliResult r = run("run -n 4");
    EXPECT_NE(r.status, 0);
    EXPECT_NE(r.err.find("give either MODEL or --synthetic"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("--synthetic"), std::string::npos) << "usage is printed: " << r.err;
    EXPECT_NE(r.err.find("--ctx"), std::string::npos) << "usage is printed: " << r.err;
    // Both is as wrong as neither.
    const CliResult both = run("run " + quote(stories_path()) + " --synthetic stories260k -n 4");
    EXPECT_NE(both.status, 0);
    EXPECT_NE(both.err.find("give either MODEL or --synthetic"), std::string::npos) << both.err;
    // No subcommand at all.
    const CliResult none = run("");
    EXPECT_NE(none.status, 0);
}

TEST_F(Cli, UnknownSyntheticPreset) {
    const CliResult r = run("run --synthetic nope -n 4");
    EXPECT_NE(r.status, 0);
    EXPECT_LT(r.status, 128);
    for (const char* part : {"nope", "stories260k", "tiny", "qwen3-0.6b", "llama-3-8b", "tinyllama-1.1b"}) {
        EXPECT_NE(r.err.find(part), std::string::npos) << "stderr does not name '" << part << "': " << r.err;
    }
    const CliResult t = run("run --synthetic tiny:q9_9 -n 4");
    EXPECT_NE(t.status, 0);
    EXPECT_NE(t.err.find("q9_9"), std::string::npos) << t.err;
    EXPECT_NE(t.err.find("Q4_0"), std::string::npos) << t.err;
}

TEST_F(Cli, PromptLongerThanTheContext) {
    const std::string prompt = "Once upon a time there was a little girl named Lily. She loved to play.";
    const CliResult r = run("run " + quote(stories_path()) + " --ctx 8 -n 4 -p " + quote(prompt));
    EXPECT_NE(r.status, 0) << r.err;
    EXPECT_LT(r.status, 128);
    EXPECT_NE(r.err.find("max_context 8"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("context"), std::string::npos) << r.err;
    // A prompt that fits the same context runs (and stops at the context end).
    const CliResult ok = run("run " + quote(stories_path()) + " --ctx 8 -n 4 -p " + quote("Once upon"));
    EXPECT_EQ(ok.status, 0) << ok.err;
}

}  // namespace

// --kv-type: a bad name is refused with the API's message (naming the accepted values); f32 runs
// and says so on the model line.
TEST_F(Cli, KvType) {
    const CliResult bad = run("run " + quote(stories_path()) + " -n 4 --kv-type q4");
    EXPECT_NE(bad.status, 0);
    EXPECT_LT(bad.status, 128);
    EXPECT_NE(bad.err.find("unknown KV cache type 'q4'"), std::string::npos) << bad.err;
    EXPECT_NE(bad.err.find("f32 or f16"), std::string::npos) << bad.err;
    EXPECT_EQ(bad.out, "");
    const CliResult ok = run("run " + quote(stories_path()) + " -n 4 --temp 0 --kv-type f32");
    EXPECT_EQ(ok.status, 0) << ok.err;
    EXPECT_NE(ok.err.find("(f32)"), std::string::npos) << ok.err;
}
