#include "chat/python_text.h"

#include "core/utf8.h"

namespace akunu::chat::text {

namespace {

constexpr char32_t kEscapeBase = 0xDC00;  // surrogateescape: a stray byte b (>= 0x80) becomes U+DC00+b

// Simple (one-to-one) case pairs of the scripts chat content commonly uses: ASCII, Latin-1,
// Latin Extended-A, Greek, Cyrillic, Armenian, Latin Extended Additional, fullwidth Latin.
char32_t upper_of(char32_t c) {
    if (c < 0x80) return (c >= 'a' && c <= 'z') ? c - 32 : c;
    if (c == 0xB5) return 0x39C;
    if (c >= 0xE0 && c <= 0xFE && c != 0xF7) return c - 32;
    if (c == 0xFF) return 0x178;
    if (c >= 0x100 && c <= 0x17F) {
        if (c == 0x131) return 'I';
        if (c == 0x17F) return 'S';
        if ((c >= 0x100 && c <= 0x137) || (c >= 0x14A && c <= 0x177)) return (c & 1) ? c - 1 : c;
        if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) return (c & 1) ? c : c - 1;
        return c;
    }
    if (c >= 0x3B1 && c <= 0x3CB) return c == 0x3C2 ? 0x3A3 : c - 32;
    if (c == 0x3AC) return 0x386;
    if (c >= 0x3AD && c <= 0x3AF) return c - 37;
    if (c == 0x3CC) return 0x38C;
    if (c == 0x3CD || c == 0x3CE) return c - 63;
    if (c >= 0x430 && c <= 0x44F) return c - 32;
    if (c >= 0x450 && c <= 0x45F) return c - 80;
    if ((c >= 0x460 && c <= 0x481) || (c >= 0x48A && c <= 0x4BF) || (c >= 0x4D0 && c <= 0x52F))
        return (c & 1) ? c - 1 : c;
    if (c >= 0x561 && c <= 0x586) return c - 48;
    if (c >= 0x1E00 && c <= 0x1EFF && c != 0x1E9E && !(c >= 0x1E96 && c <= 0x1E9F)) return (c & 1) ? c - 1 : c;
    if (c >= 0xFF41 && c <= 0xFF5A) return c - 32;
    return c;
}

char32_t lower_of(char32_t c) {
    if (c < 0x80) return (c >= 'A' && c <= 'Z') ? c + 32 : c;
    if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 32;
    if (c == 0x178) return 0xFF;
    if (c >= 0x100 && c <= 0x17F) {
        if (c == 0x130) return 'i';
        if ((c >= 0x100 && c <= 0x137) || (c >= 0x14A && c <= 0x177)) return (c & 1) ? c : c + 1;
        if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) return (c & 1) ? c + 1 : c;
        return c;
    }
    if (c >= 0x391 && c <= 0x3AB && c != 0x3A2) return c + 32;
    if (c == 0x386) return 0x3AC;
    if (c >= 0x388 && c <= 0x38A) return c + 37;
    if (c == 0x38C) return 0x3CC;
    if (c == 0x38E || c == 0x38F) return c + 63;
    if (c >= 0x410 && c <= 0x42F) return c + 32;
    if (c >= 0x400 && c <= 0x40F) return c + 80;
    if ((c >= 0x460 && c <= 0x481) || (c >= 0x48A && c <= 0x4BF) || (c >= 0x4D0 && c <= 0x52F))
        return (c & 1) ? c : c + 1;
    if (c >= 0x531 && c <= 0x556) return c + 48;
    if (c >= 0x1E00 && c <= 0x1EFF && !(c >= 0x1E96 && c <= 0x1E9F)) return (c & 1) ? c : c + 1;
    if (c >= 0xFF21 && c <= 0xFF3A) return c + 32;
    return c;
}

// Full upper mapping where Python's differs from the simple one (the German sharp s).
void append_upper(std::u32string& out, char32_t c) {
    if (c == 0xDF) {
        out += U"SS";
        return;
    }
    out.push_back(upper_of(c));
}

void append_title(std::u32string& out, char32_t c) {
    if (c == 0xDF) {
        out += U"Ss";
        return;
    }
    out.push_back(upper_of(c));
}

bool is_line_break(char32_t c) {
    return c == '\n' || c == '\r' || c == 0x0B || c == 0x0C || c == 0x1C || c == 0x1D || c == 0x1E || c == 0x85 ||
           c == 0x2028 || c == 0x2029;
}

// Code-point index of a byte offset into valid or escaped UTF-8 text.
int64_t cp_index(std::string_view s, size_t byte_offset) { return (int64_t)length(s.substr(0, byte_offset)); }

}  // namespace

void append_utf8(std::string& out, char32_t cp) {
    if (cp >= kEscapeBase + 0x80 && cp <= kEscapeBase + 0xFF) {
        out.push_back((char)(cp - kEscapeBase));  // a byte that was not UTF-8 goes back as it came
        return;
    }
    utf8::append(out, (uint32_t)cp);
}

std::u32string decode(std::string_view s) {
    std::u32string out;
    out.reserve(s.size());
    size_t i = 0;
    while (i < s.size()) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            out.push_back(c);
            ++i;
            continue;
        }
        size_t need = 0;
        unsigned char lo = 0x80, hi = 0xBF;
        char32_t cp = 0;
        if (c >= 0xC2 && c <= 0xDF) {
            need = 1;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            need = 2;
            cp = c & 0x0F;
            if (c == 0xE0) lo = 0xA0;
            if (c == 0xED) hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            need = 3;
            cp = c & 0x07;
            if (c == 0xF0) lo = 0x90;
            if (c == 0xF4) hi = 0x8F;
        }
        bool ok = need > 0 && i + need < s.size();
        if (ok) {
            for (size_t k = 1; k <= need; ++k) {
                unsigned char d = (unsigned char)s[i + k];
                unsigned char mn = k == 1 ? lo : 0x80, mx = k == 1 ? hi : 0xBF;
                if (d < mn || d > mx) {
                    ok = false;
                    break;
                }
                cp = (cp << 6) | (d & 0x3F);
            }
        }
        if (!ok) {
            out.push_back(kEscapeBase + c);
            ++i;
            continue;
        }
        out.push_back(cp);
        i += need + 1;
    }
    return out;
}

std::string encode(std::u32string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char32_t c : s) append_utf8(out, c);
    return out;
}

size_t length(std::string_view s) {
    if (is_ascii(s)) return s.size();
    return decode(s).size();
}

bool is_ascii(std::string_view s) {
    for (char c : s)
        if ((unsigned char)c >= 0x80) return false;
    return true;
}

bool is_space(char32_t c) {
    return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

bool is_upper(char32_t c) { return lower_of(c) != c; }
bool is_lower(char32_t c) { return upper_of(c) != c || c == 0xDF || c == 0x138; }
bool is_cased(char32_t c) { return is_upper(c) || is_lower(c); }

bool is_alpha(char32_t c) {
    if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (is_cased(c)) return true;
    return (c >= 0x3040 && c <= 0x30FF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) ||
           (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0x5D0 && c <= 0x5EA) || (c >= 0x620 && c <= 0x64A);
}

bool is_digit(char32_t c) { return (c >= '0' && c <= '9') || (c >= 0x660 && c <= 0x669) || (c >= 0xFF10 && c <= 0xFF19); }

std::string upper(std::string_view s) {
    std::u32string out;
    for (char32_t c : decode(s)) append_upper(out, c);
    return encode(out);
}

std::string lower(std::string_view s) {
    std::u32string cps = decode(s);
    for (char32_t& c : cps) c = lower_of(c);
    return encode(cps);
}

std::string title(std::string_view s) {
    std::u32string out;
    bool previous_cased = false;
    for (char32_t c : decode(s)) {
        if (previous_cased)
            out.push_back(lower_of(c));
        else
            append_title(out, c);
        previous_cased = is_cased(c);
    }
    return encode(out);
}

std::string capitalize(std::string_view s) {
    std::u32string cps = decode(s);
    std::u32string out;
    for (size_t i = 0; i < cps.size(); ++i) {
        if (i == 0)
            append_title(out, cps[i]);
        else
            out.push_back(lower_of(cps[i]));
    }
    return encode(out);
}

std::string strip(std::string_view s, const std::optional<std::string>& chars, bool left, bool right) {
    std::u32string cps = decode(s);
    std::u32string set;
    if (chars) set = decode(*chars);
    auto strippable = [&](char32_t c) { return chars ? set.find(c) != std::u32string::npos : is_space(c); };
    size_t b = 0, e = cps.size();
    if (left)
        while (b < e && strippable(cps[b])) ++b;
    if (right)
        while (e > b && strippable(cps[e - 1])) --e;
    return encode(std::u32string_view(cps).substr(b, e - b));
}

std::vector<std::string> split(std::string_view s, const std::optional<std::string>& sep, int64_t maxsplit) {
    std::vector<std::string> out;
    if (sep) {
        size_t pos = 0;
        while (maxsplit < 0 || (int64_t)out.size() < maxsplit) {
            size_t m = s.find(*sep, pos);
            if (m == std::string_view::npos) break;
            out.emplace_back(s.substr(pos, m - pos));
            pos = m + sep->size();
        }
        out.emplace_back(s.substr(pos));
        return out;
    }
    std::u32string cps = decode(s);
    size_t i = 0, n = cps.size();
    while (true) {
        while (i < n && is_space(cps[i])) ++i;
        if (i >= n) break;
        if (maxsplit >= 0 && (int64_t)out.size() >= maxsplit) {
            out.push_back(encode(std::u32string_view(cps).substr(i)));
            break;
        }
        size_t j = i;
        while (j < n && !is_space(cps[j])) ++j;
        out.push_back(encode(std::u32string_view(cps).substr(i, j - i)));
        i = j;
    }
    return out;
}

std::vector<std::string> rsplit(std::string_view s, const std::optional<std::string>& sep, int64_t maxsplit) {
    std::vector<std::string> out;
    if (sep) {
        size_t end = s.size();
        while (maxsplit < 0 || (int64_t)out.size() < maxsplit) {
            if (end < sep->size()) break;
            size_t m = s.rfind(*sep, end - sep->size());
            if (m == std::string_view::npos) break;
            out.emplace_back(s.substr(m + sep->size(), end - m - sep->size()));
            end = m;
        }
        out.emplace_back(s.substr(0, end));
        return {out.rbegin(), out.rend()};
    }
    std::u32string cps = decode(s);
    size_t j = cps.size();
    while (true) {
        while (j > 0 && is_space(cps[j - 1])) --j;
        if (j == 0) break;
        if (maxsplit >= 0 && (int64_t)out.size() >= maxsplit) {
            out.push_back(encode(std::u32string_view(cps).substr(0, j)));
            break;
        }
        size_t i = j;
        while (i > 0 && !is_space(cps[i - 1])) --i;
        out.push_back(encode(std::u32string_view(cps).substr(i, j - i)));
        j = i;
    }
    return {out.rbegin(), out.rend()};
}

std::vector<std::string> splitlines(std::string_view s, bool keepends) {
    std::vector<std::string> out;
    std::u32string cps = decode(s);
    size_t start = 0, i = 0, n = cps.size();
    while (i < n) {
        if (!is_line_break(cps[i])) {
            ++i;
            continue;
        }
        size_t brk = (cps[i] == '\r' && i + 1 < n && cps[i + 1] == '\n') ? 2 : 1;
        size_t end = keepends ? i + brk : i;
        out.push_back(encode(std::u32string_view(cps).substr(start, end - start)));
        i += brk;
        start = i;
    }
    if (start < n) out.push_back(encode(std::u32string_view(cps).substr(start)));
    return out;
}

std::string replace(std::string_view s, std::string_view old, std::string_view repl, int64_t count) {
    std::string out;
    if (old.empty()) {
        std::u32string cps = decode(s);
        int64_t done = 0;
        for (size_t i = 0; i <= cps.size(); ++i) {
            if (count < 0 || done < count) {
                out.append(repl);
                ++done;
            }
            if (i < cps.size()) append_utf8(out, cps[i]);
        }
        return out;
    }
    size_t pos = 0;
    int64_t done = 0;
    while (count < 0 || done < count) {
        size_t m = s.find(old, pos);
        if (m == std::string_view::npos) break;
        out.append(s.substr(pos, m - pos));
        out.append(repl);
        pos = m + old.size();
        ++done;
    }
    out.append(s.substr(pos));
    return out;
}

int64_t find(std::string_view s, std::string_view sub, bool from_right) {
    size_t m = from_right ? s.rfind(sub) : s.find(sub);
    if (m == std::string_view::npos) return -1;
    return cp_index(s, m);
}

int64_t count(std::string_view s, std::string_view sub) {
    if (sub.empty()) return (int64_t)length(s) + 1;
    int64_t n = 0;
    size_t pos = 0;
    while (true) {
        size_t m = s.find(sub, pos);
        if (m == std::string_view::npos) break;
        ++n;
        pos = m + sub.size();
    }
    return n;
}

}  // namespace akunu::chat::text
