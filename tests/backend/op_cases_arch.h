// Op cases for what the non-LLaMA architectures added (issue 6): bias add, GeGLU, scale, soft-cap,
// attention with a sliding window and logit soft-capping, RoPE with frequency divisors. Generated
// per target like test_ops.cpp's cases, which lists them in its coverage test and instantiates them.
#pragma once

#include <vector>

#include "op_harness.h"

namespace akunu::optest {

std::vector<OpCase> add_bias_cases();
std::vector<OpCase> geglu_cases();
std::vector<OpCase> scale_cases();
std::vector<OpCase> softcap_cases();
std::vector<OpCase> attention_window_cases();
std::vector<OpCase> rope_freq_factor_cases();

}  // namespace akunu::optest
