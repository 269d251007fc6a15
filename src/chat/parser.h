// Builds the statement tree from tokens with jinja2's grammar and operator precedence
// (filters and tests bind tighter than any operator; comparisons chain). Unknown filters and
// tests are rejected here, as jinja2 rejects them when it compiles a template.
#pragma once

#include <string_view>

#include "chat/ast.h"

namespace akunu::chat {

// Throws a Syntax or Unsupported TemplateError naming the construct, its line and column.
Body parse_template(std::string_view source);

}  // namespace akunu::chat
