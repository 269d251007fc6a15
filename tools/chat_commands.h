// What a line typed at the `akunu chat` prompt asks for: a message to the model or a /command.
#pragma once

#include <string>

namespace akunu_cli {

enum class ChatLineKind { Message, Empty, Reset, Stats, Exit, Help, Unknown };

struct ChatLine {
    ChatLineKind kind = ChatLineKind::Empty;
    std::string text;  // the message, or the unknown command as typed
};

// Surrounding whitespace is ignored for commands; a message keeps the line as typed.
ChatLine parse_chat_line(const std::string& line);

// One line per command, for /help and the banner.
const char* chat_commands_help();

}  // namespace akunu_cli
