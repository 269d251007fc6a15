// akunu_load_params.kv_type through the C API: NULL / "" pick the backend's default (the CPU's is
// f32), names are parsed, a bad name is INVALID_ARGUMENT with a message naming the option, f16 runs
// on the CPU too; the model info and memory report the type.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "akunu/akunu.h"
#include "api_test_util.h"

namespace api_test {
namespace {

akunu_load_params cpu_params(const char* kv_type) {
    akunu_load_params p = akunu_default_load_params();
    p.backend = AKUNU_BACKEND_CPU;
    p.max_context = 64;
    p.kv_type = kv_type;
    return p;
}

TEST(ApiKvType, DefaultIsNullAndTheCpuDefaultIsF32) {
    EXPECT_EQ(akunu_default_load_params().kv_type, nullptr);
    for (const char* name : {(const char*)nullptr, "", "f32", "F32"}) {
        const akunu_load_params p = cpu_params(name);
        akunu_model* raw = nullptr;
        ASSERT_EQ(akunu_load_model(stories_path().c_str(), &p, &raw), AKUNU_OK) << akunu_last_error();
        Model m(raw);
        akunu_model_info info;
        ASSERT_EQ(akunu_get_model_info(m, &info), AKUNU_OK);
        EXPECT_STREQ(info.kv_type, "f32") << (name ? name : "NULL");
        akunu_memory mem;
        ASSERT_EQ(akunu_model_memory(m, &mem), AKUNU_OK);
        EXPECT_EQ(mem.kv_cache_bytes, 2ull * info.n_layers * info.kv_dim * 64 * 4);
    }
}

TEST(ApiKvType, BadNamesAreInvalidArguments) {
    for (const char* name : {"q8_0", "half", "f64"}) {
        const akunu_load_params p = cpu_params(name);
        akunu_model* m = nullptr;
        EXPECT_API_ERROR(akunu_load_model(stories_path().c_str(), &p, &m), AKUNU_ERR_INVALID_ARGUMENT,
                         std::string("'") + name + "'", "f32 or f16");
        EXPECT_EQ(m, nullptr);
        EXPECT_API_ERROR(akunu_load_synthetic("stories260k", &p, &m), AKUNU_ERR_INVALID_ARGUMENT, "f32 or f16");
        EXPECT_EQ(m, nullptr);
    }
}

// "f16" on the CPU: the info and memory say so, and the greedy continuation is llama.cpp's (recorded
// with its default f16 cache).
TEST(ApiKvType, F16OnTheCpu) {
    const akunu_load_params p = cpu_params("f16");
    akunu_model* raw = nullptr;
    ASSERT_EQ(akunu_load_model(stories_path().c_str(), &p, &raw), AKUNU_OK) << akunu_last_error();
    Model m(raw);
    akunu_model_info info;
    ASSERT_EQ(akunu_get_model_info(m, &info), AKUNU_OK);
    EXPECT_STREQ(info.kv_type, "f16");
    akunu_memory mem;
    ASSERT_EQ(akunu_model_memory(m, &mem), AKUNU_OK);
    EXPECT_EQ(mem.kv_cache_bytes, 2ull * info.n_layers * info.kv_dim * 64 * 2);
    const GreedyCase c = f32_once_upon_a_time_32();
    int32_t next = -1;
    ASSERT_EQ(akunu_prefill(m, c.prompt_ids.data(), (int32_t)c.prompt_ids.size(), &next), AKUNU_OK) << akunu_last_error();
    std::vector<int32_t> got = {next};
    while (got.size() < c.gen_ids.size()) {
        ASSERT_EQ(akunu_decode_step(m, got.back(), &next), AKUNU_OK) << akunu_last_error();
        got.push_back(next);
    }
    EXPECT_EQ(got, c.gen_ids);
}

}  // namespace
}  // namespace api_test
