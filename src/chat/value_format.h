// Values as Python writes them: str() for {{ }} output and string filters, repr() for items
// inside printed containers, and json.dumps() for the tojson filter transformers installs.
#pragma once

#include <optional>
#include <string>

#include "chat/value.h"

namespace akunu::chat {

std::string to_str(const Value& v);   // Python str(); undefined prints as ""
std::string to_repr(const Value& v);  // Python repr()
std::string float_repr(double d);     // Python repr(float): shortest round trip, "1.0", "1e+16"

struct JsonOptions {
    bool ensure_ascii = false;              // transformers' default, unlike json.dumps'
    std::optional<std::string> indent;      // none: one line
    std::optional<std::string> item_separator;  // default ", " on one line, "," when indenting
    std::optional<std::string> key_separator;   // default ": "
    bool sort_keys = false;
};

// json.dumps(value, ...): throws a runtime TemplateError for values JSON cannot hold
// (undefined, namespaces, callables), naming the type as Python does.
std::string to_json(const Value& v, const JsonOptions& options);

}  // namespace akunu::chat
