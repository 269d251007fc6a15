#include "api/api_guard.h"

namespace akunu {
namespace {
thread_local std::string g_last_error;
}

void set_last_error(const std::string& message) { g_last_error = message; }
void clear_last_error() { g_last_error.clear(); }

akunu_status status_of(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::InvalidArgument: return AKUNU_ERR_INVALID_ARGUMENT;
        case ErrorKind::Io: return AKUNU_ERR_IO;
        case ErrorKind::Format: return AKUNU_ERR_FORMAT;
        case ErrorKind::Unsupported: return AKUNU_ERR_UNSUPPORTED;
        case ErrorKind::OutOfMemory: return AKUNU_ERR_OUT_OF_MEMORY;
        case ErrorKind::ContextFull: return AKUNU_ERR_CONTEXT_FULL;
        case ErrorKind::BufferTooSmall: return AKUNU_ERR_BUFFER_TOO_SMALL;
        case ErrorKind::Internal: return AKUNU_ERR_INTERNAL;
    }
    return AKUNU_ERR_INTERNAL;
}

}  // namespace akunu

extern "C" const char* akunu_last_error(void) { return akunu::g_last_error.c_str(); }
