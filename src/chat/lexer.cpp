#include "chat/lexer.h"

#include <charconv>
#include <cmath>

#include "chat/python_text.h"
#include "chat/template_error.h"

namespace akunu::chat {

namespace {

std::string normalize_newlines(std::string_view src) {
    std::string out;
    out.reserve(src.size());
    for (size_t i = 0; i < src.size(); ++i) {
        if (src[i] == '\r') {
            out.push_back('\n');
            if (i + 1 < src.size() && src[i + 1] == '\n') ++i;
        } else {
            out.push_back(src[i]);
        }
    }
    if (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
}

bool is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Length of the run of Python-whitespace code points at s[pos...].
size_t whitespace_run(std::string_view s, size_t pos) {
    size_t i = pos;
    while (i < s.size()) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            if (!text::is_space(c)) break;
            ++i;
            continue;
        }
        size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
        if (i + len > s.size()) break;
        std::u32string cp = text::decode(s.substr(i, len));
        if (cp.size() != 1 || !text::is_space(cp[0])) break;
        i += len;
    }
    return i - pos;
}

// Python's str.rstrip() on template text before a "{%-" style tag.
std::string_view rstrip_whitespace(std::string_view s) {
    std::u32string cps = text::decode(s);
    size_t e = cps.size();
    while (e > 0 && text::is_space(cps[e - 1])) --e;
    return s.substr(0, text::encode(std::u32string_view(cps).substr(0, e)).size());
}

class Lexer {
public:
    explicit Lexer(std::string_view src) : src_(src) {}

    std::vector<Token> run() {
        while (pos_ < src_.size()) {
            size_t tag = find_tag_start(pos_);
            if (tag == std::string_view::npos) {
                emit_text(pos_, src_.size());
                advance_to(src_.size());
                break;
            }
            char kind = src_[tag + 1];
            char sign = tag + 2 < src_.size() && (src_[tag + 2] == '-' || src_[tag + 2] == '+') ? src_[tag + 2] : 0;
            size_t raw_body = kind == '%' ? match_raw_begin(tag) : 0;
            emit_text_before_tag(pos_, tag, sign, kind != '{');
            advance_to(tag);
            if (raw_body) {
                lex_raw(raw_body);
            } else if (kind == '#') {
                lex_comment(tag + 2 + (sign ? 1 : 0));
            } else {
                push(kind == '{' ? TokenType::PrintBegin : TokenType::BlockBegin, std::string(src_.substr(tag, 2)));
                advance_to(tag + 2 + (sign ? 1 : 0));
                lex_tag(kind == '{');
            }
        }
        Token end{TokenType::End, "", 0, 0, line_, column()};
        out_.push_back(end);
        return std::move(out_);
    }

private:
    std::string_view src_;
    size_t pos_ = 0;
    int line_ = 1;
    size_t line_start_ = 0;
    // Whether the last thing consumed ended a line; lstrip_blocks only strips indentation of a
    // tag that starts its line.
    bool line_starting_ = true;
    std::vector<Token> out_;

    int column() const { return (int)(pos_ - line_start_) + 1; }

    [[noreturn]] void fail(const std::string& msg) const {
        throw TemplateError(TemplateErrorKind::Syntax, msg, line_, column());
    }

    void advance_to(size_t p) {
        for (; pos_ < p; ++pos_) {
            if (src_[pos_] == '\n') {
                ++line_;
                line_start_ = pos_ + 1;
            }
        }
    }

    void push(TokenType type, std::string text) { out_.push_back(Token{type, std::move(text), 0, 0, line_, column()}); }

    size_t find_tag_start(size_t from) const {
        for (size_t i = from; i + 1 < src_.size(); ++i) {
            if (src_[i] == '{' && (src_[i + 1] == '{' || src_[i + 1] == '%' || src_[i + 1] == '#')) return i;
        }
        return std::string_view::npos;
    }

    void emit_text(size_t b, size_t e) {
        if (e > b) push(TokenType::Text, std::string(src_.substr(b, e - b)));
    }

    void emit_text_before_tag(size_t b, size_t tag, char sign, bool lstrip_candidate) {
        std::string_view text = src_.substr(b, tag - b);
        if (sign == '-') {
            text = rstrip_whitespace(text);
        } else if (sign != '+' && lstrip_candidate) {
            size_t nl = text.rfind('\n');
            size_t line_begin = nl == std::string_view::npos ? 0 : nl + 1;
            // jinja2 checks the rest of the line with \s+, which takes any Unicode whitespace.
            std::string_view rest = text.substr(line_begin);
            if ((line_begin > 0 || line_starting_) && !rest.empty() && whitespace_run(rest, 0) == rest.size())
                text = text.substr(0, line_begin);
        }
        emit_text(b, b + text.size());
    }

    // "{% raw %}" (with optional -/+ markers) at `tag`: returns where the raw body starts, or 0.
    size_t match_raw_begin(size_t tag) const {
        size_t i = tag + 2;
        if (i < src_.size() && (src_[i] == '-' || src_[i] == '+')) ++i;
        i += whitespace_run(src_, i);
        if (src_.compare(i, 3, "raw") != 0) return 0;
        i += 3;
        if (i < src_.size() && is_name_char(src_[i])) return 0;
        i += whitespace_run(src_, i);
        if (src_.compare(i, 3, "-%}") == 0) return i + 3 + whitespace_run(src_, i + 3);
        if (src_.compare(i, 2, "%}") == 0) return i + 2;
        return 0;
    }

    void lex_raw(size_t body) {
        advance_to(body);
        line_starting_ = body > 0 && src_[body - 1] == '\n';
        for (size_t i = body; i + 1 < src_.size(); ++i) {
            if (src_[i] != '{' || src_[i + 1] != '%') continue;
            size_t j = i + 2;
            char sign = j < src_.size() && (src_[j] == '-' || src_[j] == '+') ? src_[j] : 0;
            if (sign) ++j;
            j += whitespace_run(src_, j);
            if (src_.compare(j, 6, "endraw") != 0) continue;
            j += 6;
            j += whitespace_run(src_, j);
            size_t end;
            bool newline_eaten = false;
            if (src_.compare(j, 3, "+%}") == 0) {
                end = j + 3;
            } else if (src_.compare(j, 3, "-%}") == 0) {
                end = j + 3 + whitespace_run(src_, j + 3);
            } else if (src_.compare(j, 2, "%}") == 0) {
                end = j + 2;
                if (end < src_.size() && src_[end] == '\n') {
                    ++end;
                    newline_eaten = true;
                }
            } else {
                continue;
            }
            emit_text_before_tag(body, i, sign, true);
            advance_to(end);
            line_starting_ = newline_eaten || (end > 0 && src_[end - 1] == '\n');
            return;
        }
        fail("missing end of raw directive ({% endraw %})");
    }

    void lex_comment(size_t body) {
        advance_to(body);
        for (size_t i = body; i + 1 < src_.size(); ++i) {
            size_t end = 0;
            if (src_.compare(i, 3, "+#}") == 0) {
                end = i + 3;
            } else if (src_.compare(i, 3, "-#}") == 0) {
                end = i + 3 + whitespace_run(src_, i + 3);
            } else if (src_.compare(i, 2, "#}") == 0) {
                end = i + 2;
                if (end < src_.size() && src_[end] == '\n') ++end;
            } else {
                continue;
            }
            advance_to(end);
            line_starting_ = src_[end - 1] == '\n';
            return;
        }
        fail("missing end of comment tag (#})");
    }

    // Tokens inside {{ }} or {% %} up to and including the closing delimiter. Closing delimiters
    // count only outside brackets, so "{{ {'a': {'b': 1}} }}" closes at the last "}}".
    void lex_tag(bool print) {
        const char* close = print ? "}}" : "%}";
        std::string brackets;
        while (true) {
            if (pos_ >= src_.size()) fail(print ? "unexpected end of template, expected '}}'" : "unexpected end of template, expected '%}'");
            if (brackets.empty()) {
                if (src_[pos_] == '-' && src_.compare(pos_ + 1, 2, close) == 0) {
                    push(print ? TokenType::PrintEnd : TokenType::BlockEnd, close);
                    size_t end = pos_ + 3 + whitespace_run(src_, pos_ + 3);
                    advance_to(end);
                    line_starting_ = src_[end - 1] == '\n';
                    return;
                }
                if (!print && src_.compare(pos_, 3, "+%}") == 0) {
                    push(TokenType::BlockEnd, close);
                    advance_to(pos_ + 3);
                    line_starting_ = false;
                    return;
                }
                if (src_.compare(pos_, 2, close) == 0) {
                    push(print ? TokenType::PrintEnd : TokenType::BlockEnd, close);
                    size_t end = pos_ + 2;
                    if (!print && end < src_.size() && src_[end] == '\n') ++end;  // trim_blocks
                    advance_to(end);
                    line_starting_ = src_[end - 1] == '\n';
                    return;
                }
            }
            size_t ws = whitespace_run(src_, pos_);
            if (ws) {
                advance_to(pos_ + ws);
                continue;
            }
            char c = src_[pos_];
            if (is_digit(c)) {
                lex_number();
            } else if (is_name_start(c)) {
                size_t e = pos_;
                while (e < src_.size() && is_name_char(src_[e])) ++e;
                push(TokenType::Name, std::string(src_.substr(pos_, e - pos_)));
                advance_to(e);
            } else if (c == '\'' || c == '"') {
                lex_string(c);
            } else {
                lex_operator(brackets);
            }
        }
    }

    void lex_number() {
        size_t b = pos_, e = pos_;
        auto digits = [&](size_t& p, auto is_ok) {
            // digits with single underscores between them, as Python literals allow
            size_t start = p;
            while (p < src_.size() && (is_ok(src_[p]) || (src_[p] == '_' && p + 1 < src_.size() && is_ok(src_[p + 1]) && p > start)))
                ++p;
            return p > start;
        };
        auto dec = [](char ch) { return ch >= '0' && ch <= '9'; };
        std::string clean;
        if (src_[b] == '0' && b + 1 < src_.size() && std::string_view("xXoObB").find(src_[b + 1]) != std::string_view::npos) {
            char base_char = (char)(src_[b + 1] | 0x20);
            int base = base_char == 'x' ? 16 : base_char == 'o' ? 8 : 2;
            auto ok = [base](char ch) {
                if (base == 16) return (ch >= '0' && ch <= '9') || ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'f');
                return ch >= '0' && ch < (char)('0' + base);
            };
            e = b + 2;
            if (e < src_.size() && src_[e] == '_') ++e;
            if (!digits(e, ok)) fail("invalid integer literal");
            for (size_t i = b + 2; i < e; ++i)
                if (src_[i] != '_') clean.push_back(src_[i]);
            uint64_t v = 0;
            auto r = std::from_chars(clean.data(), clean.data() + clean.size(), v, base);
            if (r.ec != std::errc() || v > (uint64_t)INT64_MAX) fail("integer literal too large");
            Token t{TokenType::Integer, std::string(src_.substr(b, e - b)), (int64_t)v, 0, line_, column()};
            out_.push_back(t);
            advance_to(e);
            return;
        }
        digits(e, dec);
        bool is_float = false;
        if (e + 1 < src_.size() && src_[e] == '.' && dec(src_[e + 1])) {
            ++e;
            digits(e, dec);
            is_float = true;
        }
        if (e < src_.size() && (src_[e] == 'e' || src_[e] == 'E')) {
            size_t x = e + 1;
            if (x < src_.size() && (src_[x] == '+' || src_[x] == '-')) ++x;
            if (x < src_.size() && dec(src_[x])) {
                digits(x, dec);
                e = x;
                is_float = true;
            }
        }
        for (size_t i = b; i < e; ++i)
            if (src_[i] != '_') clean.push_back(src_[i]);
        Token t{is_float ? TokenType::Float : TokenType::Integer, std::string(src_.substr(b, e - b)), 0, 0, line_, column()};
        if (is_float) {
            auto r = std::from_chars(clean.data(), clean.data() + clean.size(), t.float_value);
            if (r.ec == std::errc::result_out_of_range) t.float_value = clean.find('-') != std::string::npos ? 0.0 : HUGE_VAL;
        } else {
            // Python reads "0" followed by more digits as an error; jinja2's lexer splits it.
            if (clean.size() > 1 && clean[0] == '0' && clean.find_first_not_of('0') != std::string::npos) {
                size_t zeros = clean.find_first_not_of('0');
                e = b;
                for (size_t seen = 0; seen < zeros; ++e)
                    if (src_[e] != '_') ++seen;
                clean = "0";
                t.text = std::string(src_.substr(b, e - b));
            }
            auto r = std::from_chars(clean.data(), clean.data() + clean.size(), t.int_value);
            if (r.ec != std::errc()) fail("integer literal too large");
        }
        out_.push_back(t);
        advance_to(e);
    }

    void lex_string(char quote) {
        size_t i = pos_ + 1;
        std::string raw;
        while (i < src_.size() && src_[i] != quote) {
            if (src_[i] == '\\' && i + 1 < src_.size()) {
                raw.push_back(src_[i]);
                ++i;
            }
            raw.push_back(src_[i]);
            ++i;
        }
        if (i >= src_.size()) fail("unterminated string literal");
        Token t{TokenType::String, unescape(raw), 0, 0, line_, column()};
        out_.push_back(t);
        advance_to(i + 1);
    }

    // Python's unicode-escape decoding as jinja2 applies it to string literals.
    std::string unescape(const std::string& raw) const {
        std::string out;
        auto hex_value = [&](size_t at, size_t n, uint32_t& v) {
            if (at + n > raw.size()) return false;
            v = 0;
            for (size_t k = 0; k < n; ++k) {
                char c = raw[at + k];
                int d = c >= '0' && c <= '9' ? c - '0' : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10 : -1;
                if (d < 0) return false;
                v = v * 16 + (uint32_t)d;
            }
            return true;
        };
        for (size_t i = 0; i < raw.size(); ++i) {
            char c = raw[i];
            if (c != '\\' || i + 1 >= raw.size()) {
                out.push_back(c);
                continue;
            }
            char e = raw[++i];
            switch (e) {
                case '\n': break;  // line continuation
                case '\\': out.push_back('\\'); break;
                case '\'': out.push_back('\''); break;
                case '"': out.push_back('"'); break;
                case 'a': out.push_back('\a'); break;
                case 'b': out.push_back('\b'); break;
                case 'f': out.push_back('\f'); break;
                case 'n': out.push_back('\n'); break;
                case 'r': out.push_back('\r'); break;
                case 't': out.push_back('\t'); break;
                case 'v': out.push_back('\v'); break;
                case 'x':
                case 'u':
                case 'U': {
                    size_t n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                    uint32_t v;
                    if (!hex_value(i + 1, n, v)) fail(std::string("truncated \\") + e + " escape in string literal");
                    if (v > 0x10FFFF) fail("illegal Unicode character in string literal");
                    text::append_utf8(out, v);
                    i += n;
                    break;
                }
                case 'N': throw TemplateError(TemplateErrorKind::Unsupported, "\\N{...} escapes in string literals", line_, column());
                default:
                    if (e >= '0' && e <= '7') {
                        uint32_t v = (uint32_t)(e - '0');
                        for (int k = 0; k < 2 && i + 1 < raw.size() && raw[i + 1] >= '0' && raw[i + 1] <= '7'; ++k)
                            v = v * 8 + (uint32_t)(raw[++i] - '0');
                        text::append_utf8(out, v);
                    } else {
                        out.push_back('\\');  // unknown escapes stay as written
                        out.push_back(e);
                    }
            }
        }
        return out;
    }

    void lex_operator(std::string& brackets) {
        static const char* two[] = {"//", "**", "==", "!=", ">=", "<="};
        for (const char* op : two) {
            if (src_.compare(pos_, 2, op) == 0) {
                push(TokenType::Operator, op);
                advance_to(pos_ + 2);
                return;
            }
        }
        char c = src_[pos_];
        if (std::string_view("+-/*%~[](){}><=.:|,;").find(c) == std::string_view::npos) {
            std::string shown(1, c);
            if ((unsigned char)c >= 0x80) {
                std::u32string cp = text::decode(src_.substr(pos_, 4));
                shown = text::encode(cp.substr(0, 1));
            }
            fail("unexpected character '" + shown + "'");
        }
        if (c == '(' || c == '[' || c == '{') brackets.push_back(c);
        if (c == ')' || c == ']' || c == '}') {
            char open = c == ')' ? '(' : c == ']' ? '[' : '{';
            if (brackets.empty() || brackets.back() != open) fail(std::string("unexpected '") + c + "'");
            brackets.pop_back();
        }
        push(TokenType::Operator, std::string(1, c));
        advance_to(pos_ + 1);
    }
};

}  // namespace

std::vector<Token> tokenize(std::string_view source) {
    std::string normalized = normalize_newlines(source);
    return Lexer(normalized).run();
}

}  // namespace akunu::chat
