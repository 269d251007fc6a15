// Helpers shared by the tokenizer tests: reading shared/ test data and checking UTF-8.
#pragma once

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/utf8.h"

namespace akunu::test {

inline std::string shared_path(const std::string& rel) { return std::string(AKUNU_SHARED_DIR) + "/" + rel; }

// Whole file as bytes; empty and `ok` false if it cannot be read.
inline std::string read_file(const std::string& path, bool* ok = nullptr) {
    std::ifstream in(path, std::ios::binary);
    if (ok) *ok = (bool)in;
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// A .inp file: test strings each followed by "\n__ggml_vocab_test__\n". Never trimmed.
inline std::vector<std::string> split_vocab_inputs(const std::string& data) {
    static const std::string sep = "\n__ggml_vocab_test__\n";
    std::vector<std::string> out;
    size_t pos = 0;
    while (true) {
        size_t m = data.find(sep, pos);
        if (m == std::string::npos) {
            out.push_back(data.substr(pos));
            break;
        }
        out.push_back(data.substr(pos, m - pos));
        pos = m + sep.size();
    }
    if (!out.empty() && out.back().empty()) out.pop_back();  // the file ends with a separator
    return out;
}

inline std::vector<int32_t> parse_ids(const std::string& line) {
    std::vector<int32_t> ids;
    std::istringstream ss(line);
    long long v;
    while (ss >> v) ids.push_back((int32_t)v);
    return ids;
}

// A .out file: one line of space-separated ids per test.
inline std::vector<std::vector<int32_t>> split_vocab_outputs(const std::string& data) {
    std::vector<std::vector<int32_t>> out;
    std::istringstream ss(data);
    std::string line;
    while (std::getline(ss, line)) out.push_back(parse_ids(line));
    return out;
}

inline void append_utf8(std::string& out, uint32_t cp) { utf8::append(out, cp); }

// Parses a JSON string literal starting at s[pos] == '"'. Sets `ok` false if malformed.
inline std::string parse_json_string(const std::string& s, size_t pos, bool* ok) {
    *ok = false;
    std::string out;
    if (pos >= s.size() || s[pos] != '"') return out;
    auto hex4 = [&](size_t at, uint32_t* v) {
        if (at + 4 > s.size()) return false;
        *v = 0;
        for (size_t k = 0; k < 4; ++k) {
            char c = s[at + k];
            int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
            if (d < 0) return false;
            *v = *v * 16 + (uint32_t)d;
        }
        return true;
    };
    for (size_t i = pos + 1; i < s.size(); ++i) {
        char c = s[i];
        if (c == '"') {
            *ok = true;
            return out;
        }
        if (c != '\\') {
            out.push_back(c);
            continue;
        }
        if (++i >= s.size()) return out;
        switch (s[i]) {
            case 'n': out.push_back('\n'); break;
            case 't': out.push_back('\t'); break;
            case 'r': out.push_back('\r'); break;
            case 'b': out.push_back('\b'); break;
            case 'f': out.push_back('\f'); break;
            case '"': out.push_back('"'); break;
            case '\\': out.push_back('\\'); break;
            case '/': out.push_back('/'); break;
            case 'u': {
                uint32_t cp;
                if (!hex4(i + 1, &cp)) return out;
                i += 4;
                if (cp >= 0xD800 && cp < 0xDC00 && i + 6 < s.size() && s[i + 1] == '\\' && s[i + 2] == 'u') {
                    uint32_t lo;
                    if (!hex4(i + 3, &lo)) return out;
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    i += 6;
                }
                append_utf8(out, cp);
                break;
            }
            default: return out;
        }
    }
    return out;
}

// True if `s` is well-formed UTF-8 (Unicode table 3-7: no overlongs, surrogates, > U+10FFFF)
// and ends on a character boundary.
inline bool is_valid_utf8(const std::string& s) {
    size_t i = 0;
    while (i < s.size()) {
        unsigned char c = (unsigned char)s[i];
        size_t need;
        unsigned char lo = 0x80, hi = 0xBF;
        if (c < 0x80) { ++i; continue; }
        if (c >= 0xC2 && c <= 0xDF) need = 2;
        else if (c >= 0xE0 && c <= 0xEF) { need = 3; if (c == 0xE0) lo = 0xA0; if (c == 0xED) hi = 0x9F; }
        else if (c >= 0xF0 && c <= 0xF4) { need = 4; if (c == 0xF0) lo = 0x90; if (c == 0xF4) hi = 0x8F; }
        else return false;
        if (i + need > s.size()) return false;
        for (size_t k = 1; k < need; ++k) {
            unsigned char d = (unsigned char)s[i + k];
            unsigned char mn = k == 1 ? lo : 0x80, mx = k == 1 ? hi : 0xBF;
            if (d < mn || d > mx) return false;
        }
        i += need;
    }
    return true;
}

}  // namespace akunu::test
