// `akunu chat`: loads a model, then reads the user's lines from stdin and streams the replies of
// a ChatSession (src/runtime/chat_session.h) to stdout; /commands and Ctrl-C as chat_commands.h
// and chat_interrupt.h describe.
#pragma once

#include <cstdint>
#include <string>

namespace akunu_cli {

struct ChatArgs {
    std::string model;
    std::string synthetic;      // PRESET[:TYPE] instead of a file
    std::string quantize;       // a Hugging Face folder's weights converted to this type at load
    std::string kv_type;        // empty: the backend's default
    std::string template_path;  // a Jinja file replacing (or standing in for) the model's template
    std::string system;
    bool has_system = false;
    int n_predict = 512;  // per reply
    float temp = 0.0f;
    int top_k = 40;
    float top_p = 0.95f;
    float min_p = 0.05f;
    float repeat_penalty = 1.0f;
    int repeat_last_n = 64;
    uint64_t seed = 0;
    uint32_t ctx = 0;
    double memory_limit_mib = 0;
    int threads = 0;
    bool quiet = false;
};

// The process exit status: 0 after /exit, end of input or Ctrl-C at the prompt; 1 when the model
// or template cannot be loaded.
int run_chat(const ChatArgs& args);

}  // namespace akunu_cli
