// Splits template source into text and tag tokens with jinja2's whitespace rules as transformers
// configures them: trim_blocks (a block or comment tag eats the one newline after it),
// lstrip_blocks (whitespace before a block or comment tag on its own line goes), and the
// "-" / "+" markers that strip or keep whitespace beside a single tag.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace akunu::chat {

enum class TokenType {
    Text,        // template data between tags, whitespace control already applied
    PrintBegin,  // {{
    PrintEnd,    // }}
    BlockBegin,  // {%
    BlockEnd,    // %}
    Name,
    String,      // value already unescaped
    Integer,
    Float,
    Operator,    // + - * / // % ** ~ == != < <= > >= = . : | , ( ) [ ] { } ;
    End,
};

struct Token {
    TokenType type;
    std::string text;  // text, name, unescaped string or operator spelling
    int64_t int_value = 0;
    double float_value = 0;
    int line = 1;
    int column = 1;
};

// Newlines normalized to "\n" and one trailing newline dropped (jinja2's keep_trailing_newline
// is off), then tokenized. Throws a Syntax TemplateError with the location on malformed input.
std::vector<Token> tokenize(std::string_view source);

}  // namespace akunu::chat
