// Python's str semantics on UTF-8 text: templates index, slice, strip, split and case-map strings
// by code point, and chat templates must render byte for byte what Python renders.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace akunu::chat::text {

// Bytes that are not well-formed UTF-8 decode to U+DC80+byte (Python's surrogateescape), so
// encode(decode(s)) == s for every input and malformed text never aborts a render.
std::u32string decode(std::string_view s);
std::string encode(std::u32string_view s);
void append_utf8(std::string& out, char32_t cp);
size_t length(std::string_view s);
bool is_ascii(std::string_view s);

bool is_space(char32_t c);  // str.isspace
bool is_cased(char32_t c);
bool is_upper(char32_t c);
bool is_lower(char32_t c);
bool is_alpha(char32_t c);
bool is_digit(char32_t c);

std::string upper(std::string_view s);
std::string lower(std::string_view s);
std::string title(std::string_view s);       // str.title
std::string capitalize(std::string_view s);  // str.capitalize

// str.strip / lstrip / rstrip: `chars` absent means whitespace.
std::string strip(std::string_view s, const std::optional<std::string>& chars, bool left, bool right);

// str.split / rsplit: `sep` absent splits on runs of whitespace and drops empty pieces.
// maxsplit < 0 means no limit. An empty `sep` is the caller's error to report.
std::vector<std::string> split(std::string_view s, const std::optional<std::string>& sep, int64_t maxsplit);
std::vector<std::string> rsplit(std::string_view s, const std::optional<std::string>& sep, int64_t maxsplit);
std::vector<std::string> splitlines(std::string_view s, bool keepends);

// str.replace with count < 0 meaning all; an empty `old` inserts `repl` between code points.
std::string replace(std::string_view s, std::string_view old, std::string_view repl, int64_t count);

// str.find / rfind / count over code points; find returns a code-point index or -1.
int64_t find(std::string_view s, std::string_view sub, bool from_right);
int64_t count(std::string_view s, std::string_view sub);

}  // namespace akunu::chat::text
