// The C boundary: every exception becomes a status and a thread-local message.
#pragma once

#include <exception>
#include <new>
#include <string>

#include "akunu/akunu.h"
#include "core/error.h"

namespace akunu {

void set_last_error(const std::string& message);
void clear_last_error();
akunu_status status_of(ErrorKind kind);

// Runs f(); returns AKUNU_OK, or the status of what it threw with the message stored.
template <typename F>
akunu_status guarded(F&& f) {
    try {
        clear_last_error();
        f();
        return AKUNU_OK;
    } catch (const Error& e) {
        set_last_error(e.what());
        return status_of(e.kind());
    } catch (const std::bad_alloc&) {
        set_last_error("[api] out of memory");
        return AKUNU_ERR_OUT_OF_MEMORY;
    } catch (const std::exception& e) {
        set_last_error(std::string("[api] internal error: ") + e.what());
        return AKUNU_ERR_INTERNAL;
    } catch (...) {
        set_last_error("[api] internal error: unknown exception");
        return AKUNU_ERR_INTERNAL;
    }
}

// Throws InvalidArgument naming the argument when p is null.
template <typename T>
T* require(T* p, const char* what) {
    if (!p) fail(ErrorKind::InvalidArgument, "api", std::string(what) + " is NULL");
    return p;
}

}  // namespace akunu
