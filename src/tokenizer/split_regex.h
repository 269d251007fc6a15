// A compiled pre-tokenizer pattern (PCRE2, UTF + UCP, so \p{L}, \s and friends follow the
// Unicode character database) and the search for its matches.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace akunu {

class SplitRegex {
public:
    // Throws InvalidArgument naming the pattern and PCRE2's reason if it does not compile.
    // `literal`: the pattern is plain text to find, not a regex.
    explicit SplitRegex(std::string_view pattern, bool literal = false);

    const std::string& pattern() const { return pattern_; }

    // Byte ranges [begin, end) of the successive non-overlapping, non-empty matches, left to
    // right. Ill-formed UTF-8 in `subject` is allowed: no match ever covers it.
    std::vector<std::pair<size_t, size_t>> find_all(std::string_view subject) const;

private:
    struct Code;
    std::string pattern_;
    std::shared_ptr<const Code> code_;  // immutable once compiled, so copies share it
};

}  // namespace akunu
