// The KV cache's element type, chosen at load: f32 (exact, every backend) or f16 (half the memory
// and half the bytes decode attention streams per position; CUDA only for now).
#pragma once

#include <string>

#include "backend/device_config.h"
#include "format/dtype.h"

namespace akunu {

// "f32" / "f16" (case-insensitive) -> DType; anything else fails with InvalidArgument naming the
// accepted values.
DType parse_kv_type(const std::string& name);
const char* kv_type_name(DType t);  // "f32", "f16"
// What a backend uses when the caller names none: f16 on CUDA (llama.cpp's default, so the two
// engines compare like for like), f32 on the CPU (its attention kernels read f32 only).
DType default_kv_type(BackendKind backend);
// Fails with Unsupported when `backend` cannot hold a KV cache of type t.
void check_kv_type(DType t, BackendKind backend);

}  // namespace akunu
