#include "runtime/chat_end_tokens.h"

#include <algorithm>
#include <string>

#include "tokenizer/tokenizer.h"

namespace akunu {

namespace {

// Renders a user/assistant exchange with a marker reply and returns the first control token that
// follows the marker: what the template closes an assistant turn with. -1 when the template
// rejects the probe or writes no control token there.
int32_t template_end_of_turn(const Tokenizer& tok, const chat::ChatTemplate& tmpl, const chat::RenderContext& base) {
    static const std::string kMarker = "akunu-probe-reply";
    chat::RenderContext ctx = base;
    ctx.messages = nlohmann::ordered_json::array();
    ctx.messages.push_back({{"role", "user"}, {"content", "hello"}});
    ctx.messages.push_back({{"role", "assistant"}, {"content", kMarker}});
    ctx.add_generation_prompt = false;
    std::string text;
    try {
        text = tmpl.render(ctx);
    } catch (const std::exception&) {
        return -1;  // a template with stricter rules still works; the vocabulary's tokens then suffice
    }
    const size_t at = text.rfind(kMarker);
    if (at == std::string::npos) return -1;
    const std::vector<int32_t> after = tok.encode(std::string_view(text).substr(at + kMarker.size()), false, true);
    for (int32_t id : after) {
        if (tok.vocab().is_control(id)) return id;
    }
    return -1;
}

}  // namespace

std::vector<int32_t> chat_end_tokens(const Tokenizer& tokenizer, const chat::ChatTemplate& tmpl,
                                     const chat::RenderContext& base) {
    const Vocab& vocab = tokenizer.vocab();
    std::vector<int32_t> ids;
    if (vocab.eos_id >= 0) ids.push_back(vocab.eos_id);
    if (vocab.eot_id >= 0) ids.push_back(vocab.eot_id);
    const int32_t from_template = template_end_of_turn(tokenizer, tmpl, base);
    // BOS would end every reply at once if a template wrote it after a turn; it never ends one.
    if (from_template >= 0 && from_template != vocab.bos_id) ids.push_back(from_template);
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    return ids;
}

}  // namespace akunu
