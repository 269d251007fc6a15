#include "core/error.h"

namespace akunu {

const char* error_kind_name(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::InvalidArgument: return "invalid argument";
        case ErrorKind::Io: return "i/o error";
        case ErrorKind::Format: return "format error";
        case ErrorKind::Unsupported: return "unsupported";
        case ErrorKind::OutOfMemory: return "out of memory";
        case ErrorKind::ContextFull: return "context full";
        case ErrorKind::BufferTooSmall: return "buffer too small";
        case ErrorKind::Internal: return "internal error";
    }
    return "error";
}

void fail(ErrorKind kind, const std::string& component, const std::string& message) {
    throw Error(kind, "[" + component + "] " + message);
}

}  // namespace akunu
