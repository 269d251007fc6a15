// A tiny random-weight llama for the chat tests, built in memory: the synthetic SentencePiece
// vocabulary (<unk>, <s>, </s>, bytes, letter pieces) and, unless asked not to, a chat template
// that marks turns with the vocabulary's real BOS and EOS tokens.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "format/gguf_file.h"
#include "format/gguf_writer.h"
#include "model/arch_spec.h"
#include "model/synthetic_model.h"
#include "runtime/engine.h"

namespace akunu::chat_test {

// "<s><user>Hi</s><assistant>": the role in angle brackets, each message closed by EOS.
inline const char* kTemplate =
    "{{ bos_token }}{% for m in messages %}<{{ m['role'] }}>{{ m['content'] }}{{ eos_token }}{% endfor %}"
    "{% if add_generation_prompt %}<assistant>{% endif %}";

inline ModelConfig tiny_config() {
    ModelConfig c;
    c.architecture = "llama";
    c.name = "chat-test-llama";
    c.dim = 64;
    c.n_layers = 1;
    c.n_heads = 4;
    c.n_kv_heads = 2;
    c.head_dim = 16;
    c.ffn_dim = 128;
    c.vocab_size = 320;
    c.context_length = 256;
    c.rope_dim = 16;
    c.rope_theta = 10000.0f;
    c.norm_eps = 1e-5f;
    const ArchSpec* spec = find_arch_spec("llama");
    c.rope_style = spec->rope_style;
    c.has_qk_norm = spec->has_qk_norm;
    c.tied_output = false;
    return c;
}

// `chat_template` empty: the model has none. `control_tokens` replace the vocabulary's last
// pieces, as control tokens (the synthetic vocabulary has only <unk>, <s> and </s>).
inline std::unique_ptr<GgufFile> tiny_model_file(const std::string& chat_template,
                                                 const std::vector<std::string>& control_tokens = {}) {
    const ModelConfig c = tiny_config();
    GgufWriter w;
    build_synthetic_gguf(c, DType::F32, 7, w);
    if (!chat_template.empty()) w.set_string("tokenizer.chat_template", chat_template);
    if (!control_tokens.empty()) {
        const std::vector<uint8_t> plain = w.to_bytes();
        const auto file = GgufFile::from_memory(plain.data(), plain.size(), c.name);
        std::vector<std::string> tokens = file->get_string_array("tokenizer.ggml.tokens");
        std::vector<int32_t> types = file->get_i32_array("tokenizer.ggml.token_type");
        for (size_t i = 0; i < control_tokens.size(); ++i) {
            const size_t at = tokens.size() - control_tokens.size() + i;
            tokens[at] = control_tokens[i];
            types[at] = 3;  // TokenType::Control
        }
        w.set_string_array("tokenizer.ggml.tokens", tokens);
        w.set_i32_array("tokenizer.ggml.token_type", types);
    }
    const std::vector<uint8_t> bytes = w.to_bytes();
    return GgufFile::from_memory(bytes.data(), bytes.size(), c.name);
}

inline std::unique_ptr<Engine> engine_for(std::unique_ptr<GgufFile> file) {
    EngineOptions o;
    o.n_threads = 1;
    return Engine::load(std::move(file), o);
}

inline std::unique_ptr<Engine> tiny_engine(bool with_template = true) {
    return engine_for(tiny_model_file(with_template ? kTemplate : ""));
}

}  // namespace akunu::chat_test
