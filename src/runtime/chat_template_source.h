// Where a chat session's Jinja template comes from: a file the user names, else the GGUF key
// tokenizer.chat_template that converters copy from tokenizer_config.json.
#pragma once

#include <string>

namespace akunu {

class GgufFile;

// template_path non-empty: that file's text (Io error naming it when unreadable). Otherwise the
// model's tokenizer.chat_template; InvalidArgument saying how to supply one when it has none.
std::string load_chat_template_source(const GgufFile& model, const std::string& template_path);

}  // namespace akunu
