// Ctrl-C in `akunu chat`: while a reply streams it stops that reply (the flag the session checks
// after each token); at the prompt it ends the program, by interrupting the blocked read of stdin.
#pragma once

#include <atomic>

namespace akunu_cli {

class ChatInterrupt {
public:
    // Installs the SIGINT handler, without SA_RESTART so a read of stdin returns on Ctrl-C.
    ChatInterrupt();
    ~ChatInterrupt();  // restores the previous handler
    ChatInterrupt(const ChatInterrupt&) = delete;
    ChatInterrupt& operator=(const ChatInterrupt&) = delete;

    void begin_reply();  // clears the stop flag; Ctrl-C now stops the reply
    void end_reply();    // Ctrl-C now quits
    const std::atomic<bool>& stop_flag() const;
    bool quit_requested() const;
};

}  // namespace akunu_cli
