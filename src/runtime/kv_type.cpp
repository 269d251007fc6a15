#include "runtime/kv_type.h"

#include <algorithm>
#include <cctype>

#include "core/error.h"

namespace akunu {

DType parse_kv_type(const std::string& name) {
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char ch) { return (char)std::tolower(ch); });
    if (lower == "f32") return DType::F32;
    if (lower == "f16") return DType::F16;
    fail(ErrorKind::InvalidArgument, "kv", "unknown KV cache type '" + name + "' (kv_type / --kv-type takes f32 or f16)");
}

const char* kv_type_name(DType t) { return t == DType::F16 ? "f16" : "f32"; }

DType default_kv_type(BackendKind backend) { return backend == BackendKind::Cuda ? DType::F16 : DType::F32; }

void check_kv_type(DType t, BackendKind backend) {
    if (t != DType::F32 && t != DType::F16) {
        fail(ErrorKind::InvalidArgument, "kv", std::string("KV cache type ") + dtype_name(t) + " (f32 or f16 only)");
    }
    (void)backend;  // both backends hold f32 and f16 caches
}

}  // namespace akunu
