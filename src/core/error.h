// Typed errors of the engine core. The C API turns each into a status code plus
// akunu_last_error(); nothing is thrown across the C boundary.
#pragma once

#include <stdexcept>
#include <string>

namespace akunu {

enum class ErrorKind {
    InvalidArgument,  // a caller passed something out of range
    Io,               // open/read/mmap failed
    Format,           // a file is malformed: bad magic, truncated, out of bounds, inconsistent
    Unsupported,      // well-formed but not something we implement (tensor type, rope scaling)
    OutOfMemory,      // weights + KV + scratch do not fit
    ContextFull,      // a prompt or generation would pass max_context
    BufferTooSmall,   // a caller's output buffer is too short
    Internal,         // an invariant of ours broke
};

const char* error_kind_name(ErrorKind kind);

class Error : public std::runtime_error {
public:
    Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
    ErrorKind kind() const { return kind_; }

private:
    ErrorKind kind_;
};

// Formats "[component] message" so that every message names where it came from.
[[noreturn]] void fail(ErrorKind kind, const std::string& component, const std::string& message);

}  // namespace akunu
