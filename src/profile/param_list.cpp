#include "profile/param_list.h"

#include <cctype>
#include <sstream>

#include "core/error.h"

namespace akunu {
namespace {

constexpr size_t kMaxValues = 10000;

[[noreturn]] void bad(const std::string& text, const std::string& why) {
    fail(ErrorKind::InvalidArgument, "args", "bad value list '" + text + "': " + why);
}

int64_t parse_int(const std::string& whole, const std::string& s) {
    if (s.empty()) bad(whole, "empty number");
    for (char c : s) {
        if (!std::isdigit((unsigned char)c)) bad(whole, "'" + s + "' is not a non-negative integer");
    }
    if (s.size() > 12) bad(whole, "'" + s + "' is too large");
    return std::stoll(s);
}

}  // namespace

std::vector<int64_t> parse_int_list(const std::string& text) {
    std::vector<int64_t> out;
    std::stringstream ss(text);
    std::string item;
    if (text.empty()) bad(text, "empty");
    while (std::getline(ss, item, ',')) {
        const size_t dash = item.find('-');
        if (dash == std::string::npos) {
            out.push_back(parse_int(text, item));
        } else {
            const int64_t first = parse_int(text, item.substr(0, dash));
            std::string rest = item.substr(dash + 1);
            const size_t op_pos = rest.find_first_of("+*");
            const int64_t last = parse_int(text, rest.substr(0, op_pos));
            if (last < first) bad(text, "range " + item + " runs backwards");
            char op = '+';
            int64_t step = 1;
            if (op_pos != std::string::npos) {
                op = rest[op_pos];
                step = parse_int(text, rest.substr(op_pos + 1));
            }
            if (op == '+' && step < 1) bad(text, "step must be at least 1");
            if (op == '*' && step < 2) bad(text, "factor must be at least 2");
            if (op == '*' && first == 0) bad(text, "a multiplied range cannot start at 0");
            for (int64_t v = first; v <= last;) {
                out.push_back(v);
                if (out.size() > kMaxValues) bad(text, "more than 10000 values");
                // The next value may pass INT64_MAX before it passes `last`: that ends the range.
                int64_t next = 0;
                const bool overflow = op == '+' ? __builtin_add_overflow(v, step, &next)
                                                : __builtin_mul_overflow(v, step, &next);
                if (overflow) break;
                v = next;
            }
        }
        if (out.size() > kMaxValues) bad(text, "more than 10000 values");
    }
    if (!text.empty() && text.back() == ',') bad(text, "trailing comma");
    if (out.empty()) bad(text, "no values");
    return out;
}

std::pair<int64_t, int64_t> parse_int_pair(const std::string& text) {
    const size_t comma = text.find(',');
    if (comma == std::string::npos || text.find(',', comma + 1) != std::string::npos) {
        bad(text, "expected two values P,N");
    }
    return {parse_int(text, text.substr(0, comma)), parse_int(text, text.substr(comma + 1))};
}

}  // namespace akunu
