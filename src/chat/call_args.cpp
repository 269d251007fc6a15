#include "chat/call_args.h"

#include "chat/template_error.h"

namespace akunu::chat {

BoundArgs::BoundArgs(const CallArgs& args, std::string callee, std::vector<std::string> names)
    : callee_(std::move(callee)), names_(std::move(names)), values_(names_.size()), given_(names_.size(), false) {
    if (args.positional.size() > names_.size())
        throw_runtime(callee_ + "() takes at most " + std::to_string(names_.size()) + " argument(s) (" +
                      std::to_string(args.positional.size()) + " given)");
    for (size_t i = 0; i < args.positional.size(); ++i) {
        values_[i] = args.positional[i];
        given_[i] = true;
    }
    for (const auto& [name, value] : args.named) {
        size_t i = 0;
        while (i < names_.size() && names_[i] != name) ++i;
        if (i == names_.size()) throw_runtime(callee_ + "() got an unexpected keyword argument '" + name + "'");
        if (given_[i]) throw_runtime(callee_ + "() got multiple values for argument '" + name + "'");
        values_[i] = value;
        given_[i] = true;
    }
}

const std::string& BoundArgs::string_at(size_t i) const {
    if (!values_[i].is_string())
        throw_runtime(callee_ + "() argument '" + names_[i] + "' must be str, not " + values_[i].type_name());
    return values_[i].as_string();
}

int64_t BoundArgs::int_at(size_t i) const {
    if (!values_[i].is_integral())
        throw_runtime(callee_ + "() argument '" + names_[i] + "' must be int, not " + values_[i].type_name());
    return values_[i].as_int();
}

}  // namespace akunu::chat
