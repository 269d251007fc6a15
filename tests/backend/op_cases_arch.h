// Op cases for what the non-LLaMA architectures added (issue 6): bias add, GeGLU, scale, soft-cap,
// attention with a sliding window and logit soft-capping, RoPE with frequency divisors. Generated
// per target like test_ops.cpp's cases, which lists them in its coverage test and instantiates them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "op_harness.h"

namespace akunu::optest {

// One Attention command over a random cache (the Attention and AttentionWindow suites); window 0
// and softcap 0 are the plain op.
OpCase attention_op_case(const std::string& suite, const std::string& name_suffix, int64_t n_heads, int64_t n_kv,
                         int64_t head_dim, int32_t pos, int32_t m, uint32_t window, float softcap, bool sharp,
                         const Target& tg);

std::vector<OpCase> add_bias_cases();
std::vector<OpCase> geglu_cases();
std::vector<OpCase> scale_cases();
std::vector<OpCase> softcap_cases();
std::vector<OpCase> attention_window_cases();
std::vector<OpCase> rope_freq_factor_cases();

}  // namespace akunu::optest
