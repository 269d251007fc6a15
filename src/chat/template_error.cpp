#include "chat/template_error.h"

namespace akunu::chat {

namespace {

ErrorKind engine_kind(TemplateErrorKind kind) {
    switch (kind) {
        case TemplateErrorKind::Syntax: return ErrorKind::Format;
        case TemplateErrorKind::Unsupported: return ErrorKind::Unsupported;
        default: return ErrorKind::InvalidArgument;
    }
}

std::string full_message(TemplateErrorKind kind, const std::string& detail, int line, int column) {
    std::string msg = "[chat] ";
    if (line > 0) msg += "line " + std::to_string(line) + ", column " + std::to_string(column) + ": ";
    if (kind == TemplateErrorKind::Raised) msg += "template raised: ";
    return msg + detail;
}

}  // namespace

TemplateError::TemplateError(TemplateErrorKind kind, std::string detail, int line, int column)
    : Error(engine_kind(kind), full_message(kind, detail, line, column)),
      kind_(kind),
      detail_(std::move(detail)),
      line_(line),
      column_(column) {}

void throw_runtime(const std::string& detail) { throw TemplateError(TemplateErrorKind::Runtime, detail); }
void throw_unsupported(const std::string& detail) { throw TemplateError(TemplateErrorKind::Unsupported, detail); }

}  // namespace akunu::chat
