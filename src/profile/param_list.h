// llama-bench style value lists: "512", "128,256,512", ranges "128-512+128" (step) and
// "1-16*2" (multiply). Every combination of the lists is a test.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace akunu {

// Throws InvalidArgument naming the text on a malformed list, a zero step, a factor < 2, a
// descending range, a negative value, or more than 10,000 values.
std::vector<int64_t> parse_int_list(const std::string& text);

// "P,N" pairs for -pg: returns {P, N}.
std::pair<int64_t, int64_t> parse_int_pair(const std::string& text);

}  // namespace akunu
