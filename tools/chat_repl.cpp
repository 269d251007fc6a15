#include "chat_repl.h"

#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string_view>

#include "api/synthetic_loader.h"
#include "chat/chat_template.h"
#include "chat_commands.h"
#include "chat_interrupt.h"
#include "chat_stats_text.h"
#include "core/error.h"
#include "format/gguf_file.h"
#include "model/hf_to_gguf.h"
#include "runtime/chat_session.h"
#include "runtime/chat_template_source.h"
#include "runtime/engine.h"
#include "runtime/kv_type.h"

namespace akunu_cli {

namespace {

std::unique_ptr<akunu::Engine> load_engine(const ChatArgs& a) {
    akunu::EngineOptions o;
    o.max_context = a.ctx;
    o.n_threads = a.threads;
    o.memory_limit_bytes = (uint64_t)(a.memory_limit_mib * 1048576.0);
    o.exact_activations = false;  // the fast paths, as `akunu run` (through the C API) uses
    if (!a.quantize.empty()) {
        akunu::DType t;
        if (!akunu::parse_dtype(a.quantize, &t)) {
            akunu::fail(akunu::ErrorKind::InvalidArgument, "chat", "unknown weight type '" + a.quantize + "'");
        }
        akunu::check_hf_weight_type(t);
        o.hf_weight_type = t;
    }
    // As the C API does: the backend's default KV type unless one is named.
    o.kv_type = a.kv_type.empty() ? akunu::default_kv_type(o.backend) : akunu::parse_kv_type(a.kv_type);
    if (!a.synthetic.empty()) return akunu::Engine::load(akunu::open_synthetic(a.synthetic), o);
    return akunu::Engine::load_file(a.model, o);
}

akunu::ChatOptions chat_options(const ChatArgs& a) {
    akunu::ChatOptions c;
    c.sampling.temperature = a.temp;
    c.sampling.top_k = a.top_k;
    c.sampling.top_p = a.top_p;
    c.sampling.min_p = a.min_p;
    c.sampling.repeat_penalty = a.repeat_penalty;
    c.sampling.repeat_last_n = a.repeat_last_n;
    c.sampling.seed = a.seed;
    c.max_reply_tokens = a.n_predict;
    if (a.has_system) c.system = a.system;
    return c;
}

void print_piece(std::string_view piece) {
    std::fwrite(piece.data(), 1, piece.size(), stdout);
    std::fflush(stdout);
}

void note_unfinished_reply(const akunu::ChatReplyStats& s, int n_predict) {
    switch (s.stop_reason) {
        case akunu::ChatStopReason::EndOfTurn: break;
        case akunu::ChatStopReason::Interrupted: std::fprintf(stderr, "[reply stopped; kept in the conversation]\n"); break;
        case akunu::ChatStopReason::MaxTokens: std::fprintf(stderr, "[reply cut at %d tokens (-n)]\n", n_predict); break;
        case akunu::ChatStopReason::ContextFull: std::fprintf(stderr, "[context full: /reset starts over]\n"); break;
    }
}

// Reads lines until /exit, end of input or Ctrl-C at the prompt.
void converse(akunu::ChatSession& session, const ChatArgs& a) {
    ChatInterrupt interrupt;
    const bool interactive = isatty(STDIN_FILENO);
    if (interactive && !a.quiet) std::fprintf(stderr, "type a message, or a command:\n%s", chat_commands_help());
    std::optional<akunu::ChatReplyStats> last;
    std::string line;
    for (;;) {
        if (interactive) {
            std::fputs("> ", stdout);
            std::fflush(stdout);
        }
        if (!std::getline(std::cin, line) || interrupt.quit_requested()) break;
        const ChatLine cl = parse_chat_line(line);
        switch (cl.kind) {
            case ChatLineKind::Empty: continue;
            case ChatLineKind::Exit: return;
            case ChatLineKind::Help: std::fputs(chat_commands_help(), stdout); continue;
            case ChatLineKind::Unknown:
                std::fprintf(stderr, "unknown command %s; the commands are:\n%s", cl.text.c_str(), chat_commands_help());
                continue;
            case ChatLineKind::Reset:
                session.reset();
                last.reset();
                std::fputs("[conversation reset]\n", stdout);
                continue;
            case ChatLineKind::Stats:
                std::fputs(format_chat_stats(session.engine().position(), session.engine().max_context(), last).c_str(),
                           stdout);
                continue;
            case ChatLineKind::Message: break;
        }
        interrupt.begin_reply();
        try {
            last = session.reply(cl.text, print_piece, &interrupt.stop_flag());
            interrupt.end_reply();
            std::fputs("\n", stdout);
            std::fflush(stdout);
            note_unfinished_reply(*last, a.n_predict);
        } catch (const std::exception& e) {
            interrupt.end_reply();
            std::fprintf(stderr, "\nakunu chat: %s (the message was not added)\n", e.what());
        }
    }
    if (interactive) std::fputs("\n", stdout);
}

}  // namespace

int run_chat(const ChatArgs& a) {
    std::unique_ptr<akunu::Engine> engine;
    std::optional<akunu::ChatSession> session;
    try {
        engine = load_engine(a);
        const std::string source = akunu::load_chat_template_source(engine->file(), a.template_path);
        session.emplace(*engine, akunu::chat::ChatTemplate::parse(source), chat_options(a));
    } catch (const std::exception& e) {
        std::fprintf(stderr, "akunu chat: %s\n", e.what());
        return 1;
    }
    if (!a.quiet) {
        const akunu::ModelConfig& c = engine->config();
        std::fprintf(stderr, "model: %s (%s, %u layers, dim %u), context %u, %zu end-of-turn tokens\n",
                     c.name.c_str(), c.architecture.c_str(), c.n_layers, c.dim, engine->max_context(),
                     session->end_tokens().size());
    }
    converse(*session, a);
    return 0;
}

}  // namespace akunu_cli
