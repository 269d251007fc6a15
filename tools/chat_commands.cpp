#include "chat_commands.h"

namespace akunu_cli {

namespace {

std::string trimmed(const std::string& s) {
    const size_t a = s.find_first_not_of(" \t\r\n");
    if (a == std::string::npos) return "";
    const size_t b = s.find_last_not_of(" \t\r\n");
    return s.substr(a, b - a + 1);
}

}  // namespace

ChatLine parse_chat_line(const std::string& line) {
    const std::string t = trimmed(line);
    if (t.empty()) return {ChatLineKind::Empty, ""};
    if (t[0] != '/') {
        std::string text = line;
        if (!text.empty() && text.back() == '\r') text.pop_back();  // a pipe from Windows
        return {ChatLineKind::Message, text};
    }
    if (t == "/reset") return {ChatLineKind::Reset, ""};
    if (t == "/stats") return {ChatLineKind::Stats, ""};
    if (t == "/exit" || t == "/quit") return {ChatLineKind::Exit, ""};
    if (t == "/help") return {ChatLineKind::Help, ""};
    return {ChatLineKind::Unknown, t};
}

const char* chat_commands_help() {
    return "  /reset  forget the conversation and clear the cache\n"
           "  /stats  tokens in the cache, the last reply's prefill/decode speed and TTFT\n"
           "  /exit   quit (so does end of input, or Ctrl-C at the prompt; Ctrl-C during a reply stops it)\n";
}

}  // namespace akunu_cli
