#include "chat_stats_text.h"

#include <cstdio>

namespace akunu_cli {

const char* chat_stop_reason_name(akunu::ChatStopReason reason) {
    switch (reason) {
        case akunu::ChatStopReason::EndOfTurn: return "end of turn";
        case akunu::ChatStopReason::MaxTokens: return "max tokens";
        case akunu::ChatStopReason::Interrupted: return "interrupted";
        case akunu::ChatStopReason::ContextFull: return "context full";
    }
    return "?";
}

std::string format_chat_stats(int32_t cached_tokens, uint32_t max_context,
                              const std::optional<akunu::ChatReplyStats>& last) {
    char buf[512];
    std::string out;
    std::snprintf(buf, sizeof buf, "cache:   %d of %u tokens\n", cached_tokens, max_context);
    out += buf;
    if (!last) return out + "last reply: none yet\n";
    std::snprintf(buf, sizeof buf,
                  "prefill: %d tokens (%d reused from the cache), %.2f ms, %.2f tok/s\n"
                  "decode:  %d tokens, %.2f ms, %.2f tok/s\n"
                  "ttft:    %.2f ms (prefill + one decode step)\n"
                  "stopped by: %s\n",
                  last->prefilled_tokens, last->reused_tokens, last->prefill_ms, last->prefill_tok_s,
                  last->generated_tokens, last->decode_ms, last->decode_tok_s, last->ttft_ms,
                  chat_stop_reason_name(last->stop_reason));
    return out + buf;
}

}  // namespace akunu_cli
