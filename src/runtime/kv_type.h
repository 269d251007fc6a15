// The KV cache's element type, chosen at load: f32 (exact) or f16 (half the memory and half the
// bytes decode attention streams per position; K and V rounded to nearest once, attention still
// accumulates in f32). Both backends hold both.
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
// engines compare like for like), f32 on the CPU (the reference backend stays exact unless asked;
// akunu_bench passes the type in use on to llama-bench, so comparisons stay like for like).
DType default_kv_type(BackendKind backend);
// Fails with InvalidArgument unless t is F32 or F16 (both backends hold both).
void check_kv_type(DType t, BackendKind backend);

}  // namespace akunu
