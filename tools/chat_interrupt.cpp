#include "chat_interrupt.h"

#include <signal.h>

namespace akunu_cli {

namespace {

// Signal handlers may only touch lock-free atomics.
std::atomic<bool> g_replying{false};
std::atomic<bool> g_stop_reply{false};
std::atomic<bool> g_quit{false};
struct sigaction g_previous {};

void on_sigint(int) {
    if (g_replying.load()) {
        g_stop_reply.store(true);
    } else {
        g_quit.store(true);
    }
}

}  // namespace

ChatInterrupt::ChatInterrupt() {
    struct sigaction sa {};
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;
    sigaction(SIGINT, &sa, &g_previous);
}

ChatInterrupt::~ChatInterrupt() { sigaction(SIGINT, &g_previous, nullptr); }

void ChatInterrupt::begin_reply() {
    g_stop_reply.store(false);
    g_replying.store(true);
}

void ChatInterrupt::end_reply() { g_replying.store(false); }

const std::atomic<bool>& ChatInterrupt::stop_flag() const { return g_stop_reply; }

bool ChatInterrupt::quit_requested() const { return g_quit.load(); }

}  // namespace akunu_cli
