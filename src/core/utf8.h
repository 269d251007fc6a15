// Strict UTF-8 scanning and encoding, shared by the tokenizers, the chat templates and the tests.
// well-formed sequences: no overlongs, no surrogates, nothing past U+10FFFF.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace akunu::utf8 {

// Byte length of the well-formed sequence that starts at s[i], or 0 if the bytes there are
// not one (a stray continuation byte, a bad lead, a truncated or overlong sequence).
size_t sequence_length(std::string_view s, size_t i);

// The code point of the well-formed sequence of `len` bytes at s[i] (len from sequence_length).
uint32_t decode(std::string_view s, size_t i, size_t len);

void append(std::string& out, uint32_t cp);

bool is_valid(std::string_view s);

}  // namespace akunu::utf8
