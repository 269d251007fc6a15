// The memory check before allocation: a model that does not fit the budget is refused with the
// sizes and the context that would fit, through the C API and the CLI.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "akunu/akunu.h"

namespace {

const std::string kModel = std::string(AKUNU_SHARED_DIR) + "/models/stories260K.gguf";

akunu_status load_with_limit(uint64_t limit, uint32_t ctx, akunu_model** out) {
    akunu_load_params p = akunu_default_load_params();
    p.backend = AKUNU_BACKEND_CPU;
    p.max_context = ctx;
    p.memory_limit_bytes = limit;
    return akunu_load_model(kModel.c_str(), &p, out);
}

TEST(MemoryCheck, RefusedWithSizesAndTheContextThatFits) {
    // stories260K: 1.1 MiB of weights, 2.5 KiB of KV per position, ~0.4 MiB scratch at chunk 128.
    akunu_model* m = reinterpret_cast<akunu_model*>(1);
    ASSERT_EQ(load_with_limit(uint64_t(1.7 * 1048576), 128, &m), AKUNU_OK) << akunu_last_error();
    akunu_memory mem;
    ASSERT_EQ(akunu_model_memory(m, &mem), AKUNU_OK);
    akunu_free_model(m);

    const uint64_t too_small = mem.total_bytes - 64 * 1024;  // short by ~25 positions of KV
    m = reinterpret_cast<akunu_model*>(1);
    EXPECT_EQ(load_with_limit(too_small, 128, &m), AKUNU_ERR_OUT_OF_MEMORY);
    EXPECT_EQ(m, nullptr);
    const std::string err = akunu_last_error();
    EXPECT_NE(err.find("stories260K.gguf"), std::string::npos) << err;
    EXPECT_NE(err.find("weights 1.1 MiB"), std::string::npos) << err;
    EXPECT_NE(err.find("KV cache"), std::string::npos) << err;
    EXPECT_NE(err.find("memory limit"), std::string::npos) << err;
    const size_t at = err.find("--ctx ");
    ASSERT_NE(at, std::string::npos) << err;
    const int fit = std::atoi(err.c_str() + at + 6);
    EXPECT_GT(fit, 0);
    EXPECT_LT(fit, 128);
    // The suggested context really fits.
    m = nullptr;
    EXPECT_EQ(load_with_limit(too_small, (uint32_t)fit, &m), AKUNU_OK) << akunu_last_error();
    akunu_free_model(m);
}

TEST(MemoryCheck, WeightsThatCannotFitSaySo) {
    akunu_model* m = nullptr;
    EXPECT_EQ(load_with_limit(512 * 1024, 16, &m), AKUNU_ERR_OUT_OF_MEMORY);
    EXPECT_NE(std::string(akunu_last_error()).find("weights and scratch alone need"), std::string::npos)
        << akunu_last_error();
}

TEST(MemoryCheck, CheckCanBeTurnedOff) {
    akunu_load_params p = akunu_default_load_params();
    p.backend = AKUNU_BACKEND_CPU;
    p.memory_limit_bytes = 512 * 1024;
    p.check_memory = false;
    akunu_model* m = nullptr;
    EXPECT_EQ(akunu_load_model(kModel.c_str(), &p, &m), AKUNU_OK) << akunu_last_error();
    akunu_free_model(m);
}

TEST(MemoryCheck, CliExitsNonZeroWithTheMessage) {
    const std::string out = ::testing::TempDir() + "/akunu_oom.txt";
    const std::string cmd = std::string(AKUNU_TOOLS_DIR) + "/akunu run " + kModel + " -n 4 --memory-limit 1.0 2>" + out;
    const int rc = std::system(cmd.c_str());
    EXPECT_NE(rc, 0);
    FILE* f = std::fopen(out.c_str(), "r");
    ASSERT_NE(f, nullptr);
    char buf[1024] = {0};
    const size_t n = std::fread(buf, 1, sizeof(buf) - 1, f);
    std::fclose(f);
    const std::string text(buf, n);
    EXPECT_NE(text.find("memory limit"), std::string::npos) << text;
}

}  // namespace
