// The text /stats prints in `akunu chat`.
#pragma once

#include <optional>
#include <string>

#include "runtime/chat_session.h"

namespace akunu_cli {

const char* chat_stop_reason_name(akunu::ChatStopReason reason);

// Cache fill, then the last reply's prefill, decode and TTFT figures (or that there was none).
std::string format_chat_stats(int32_t cached_tokens, uint32_t max_context,
                              const std::optional<akunu::ChatReplyStats>& last);

}  // namespace akunu_cli
