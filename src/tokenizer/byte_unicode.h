// GPT-2's reversible byte <-> character table, used by every byte-level BPE vocabulary: each of
// the 256 byte values is stored as one printable character, so tokens never hold raw control
// bytes or spaces (a space is stored as U+0120 'Ġ').
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace akunu::byte_unicode {

// UTF-8 of the character that stands for byte `b`.
const std::string& char_of(uint8_t b);

// The byte a code point stands for, or -1 if it is not one of the 256 characters.
int byte_of(uint32_t cp);

// Every byte replaced by its character.
std::string encode(std::string_view bytes);

// The bytes the characters of `text` stand for. False (and `out` unspecified) if `text` is not
// valid UTF-8 or holds a character outside the table.
bool decode(std::string_view text, std::string& out);

}  // namespace akunu::byte_unicode
