#include "runtime/chat_template_source.h"

#include <fstream>
#include <sstream>

#include "core/error.h"
#include "format/gguf_file.h"

namespace akunu {

std::string load_chat_template_source(const GgufFile& model, const std::string& template_path) {
    if (!template_path.empty()) {
        std::ifstream in(template_path, std::ios::binary);
        if (!in) fail(ErrorKind::Io, "chat", "cannot read the chat template file " + template_path);
        std::ostringstream text;
        text << in.rdbuf();
        if (text.str().empty()) fail(ErrorKind::InvalidArgument, "chat", "the chat template file " + template_path + " is empty");
        return text.str();
    }
    const std::string source = model.get_string_or("tokenizer.chat_template", "");
    if (source.empty()) {
        fail(ErrorKind::InvalidArgument, "chat",
             "the model " + model.name() +
                 " has no chat template (GGUF key tokenizer.chat_template); give one with --template FILE (a Jinja file)");
    }
    return source;
}

}  // namespace akunu
