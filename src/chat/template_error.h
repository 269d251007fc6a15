// The one error a chat template raises: where in the template (line, column) and why.
#pragma once

#include <string>

#include "core/error.h"

namespace akunu::chat {

enum class TemplateErrorKind {
    Syntax,       // the template text does not parse
    Unsupported,  // valid jinja2 that this interpreter does not implement (named in the message)
    Runtime,      // an operation failed while rendering (undefined attribute, type mismatch, ...)
    Raised,       // the template called raise_exception(message)
    Limit,        // a render exceeded a safety limit (output size, steps, recursion)
};

class TemplateError : public Error {
public:
    TemplateError(TemplateErrorKind kind, std::string detail, int line = 0, int column = 0);

    TemplateErrorKind template_kind() const { return kind_; }
    // The message without location; for Raised exactly the text passed to raise_exception.
    const std::string& detail() const { return detail_; }
    int line() const { return line_; }
    int column() const { return column_; }
    bool has_location() const { return line_ > 0; }
    TemplateError located(int line, int column) const { return TemplateError(kind_, detail_, line, column); }

private:
    TemplateErrorKind kind_;
    std::string detail_;
    int line_;
    int column_;
};

[[noreturn]] void throw_runtime(const std::string& detail);
[[noreturn]] void throw_unsupported(const std::string& detail);

}  // namespace akunu::chat
