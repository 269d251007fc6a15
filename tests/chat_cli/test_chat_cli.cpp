// `akunu chat` as a user drives it: lines on stdin (a pipe), replies and /stats on stdout.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "chat_cli/chat_test_model.h"
#include "profile/tool_runner.h"

namespace {

using tool_test::contains;

std::string quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

struct ChatRun {
    int status = -1;
    std::string out, err;
};

class ChatCli : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(dir_.ok());
        ASSERT_TRUE(tool_test::is_executable(tool_test::tool_path("akunu"))) << "build the target akunu";
        if (!tool_test::file_exists(tool_test::stories_path())) GTEST_SKIP() << "no " << tool_test::stories_path();
        tool_test::write_file(template_path(), akunu::chat_test::kTemplate);
    }

    std::string template_path() const { return dir_.file("chat.jinja"); }

    // Runs `akunu chat ARGS` with `input` piped to stdin.
    ChatRun chat(const std::string& args, const std::string& input) {
        tool_test::write_file(dir_.file("stdin"), input);
        const std::string cmd = quote(tool_test::tool_path("akunu")) + " chat " + args + " <" + quote(dir_.file("stdin")) +
                                " >" + quote(dir_.file("stdout")) + " 2>" + quote(dir_.file("stderr"));
        const int rc = std::system(cmd.c_str());
        ChatRun r;
        if (rc != -1 && WIFEXITED(rc)) r.status = WEXITSTATUS(rc);
        r.out = tool_test::read_file(dir_.file("stdout"));
        r.err = tool_test::read_file(dir_.file("stderr"));
        return r;
    }

    tool_test::TempDir dir_;
};

TEST_F(ChatCli, TwoTurnsStatsResetExit) {
    const ChatRun r = chat(quote(tool_test::stories_path()) + " --template " + quote(template_path()) + " -n 12 -t 1",
                           "Hello there\n/stats\nTell me a story\n/stats\n/reset\n/stats\n/exit\nnever read\n");
    ASSERT_EQ(r.status, 0) << r.out << "\n--- stderr ---\n" << r.err;
    for (const char* field : {"cache:", "prefill:", "reused from the cache", "decode:", "tok/s", "ttft:", "stopped by:"}) {
        EXPECT_TRUE(contains(r.out, field)) << field << " missing in:\n" << r.out;
    }
    EXPECT_TRUE(contains(r.out, "[conversation reset]")) << r.out;
    // After /reset the cache is empty and there is no last reply.
    EXPECT_TRUE(contains(r.out, "cache:   0 of")) << r.out;
    EXPECT_TRUE(contains(r.out, "last reply: none yet")) << r.out;
}

TEST_F(ChatCli, EndOfInputQuitsCleanly) {
    const ChatRun r = chat(quote(tool_test::stories_path()) + " --template " + quote(template_path()) + " -n 4 -t 1 -q",
                           "Hi\n");
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_FALSE(r.out.empty());
}

TEST_F(ChatCli, ModelWithoutTemplateIsAClearError) {
    const ChatRun r = chat(quote(tool_test::stories_path()), "Hi\n");
    EXPECT_EQ(r.status, 1);
    EXPECT_TRUE(contains(r.err, "no chat template")) << r.err;
    EXPECT_TRUE(contains(r.err, "--template")) << r.err;
}

TEST_F(ChatCli, UnknownCommandIsReportedAndTheChatGoesOn) {
    const ChatRun r = chat(quote(tool_test::stories_path()) + " --template " + quote(template_path()) + " -n 4 -t 1",
                           "/frobnicate\n/stats\n");
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_TRUE(contains(r.err, "unknown command /frobnicate")) << r.err;
    EXPECT_TRUE(contains(r.out, "cache:   0 of")) << r.out;
}

}  // namespace
