// The tensor-type registry: one traits row per GGML type we understand.
// Nothing outside this table switches on a type to learn its layout.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace akunu {

// Values are the GGML/GGUF type ids (ggml_type), which is what a GGUF file stores.
enum class DType : uint32_t {
    F32 = 0,
    F16 = 1,
    Q4_0 = 2,
    Q4_1 = 3,
    Q5_0 = 6,
    Q5_1 = 7,
    Q8_0 = 8,
    Q2_K = 10,
    Q3_K = 11,
    Q4_K = 12,
    Q5_K = 13,
    Q6_K = 14,
    BF16 = 30,
};

using DequantizeRowFn = void (*)(const void* src, float* dst, int64_t n);
using QuantizeRowFn = void (*)(const float* src, void* dst, int64_t n);

struct DTypeTraits {
    DType type;
    const char* name;         // "Q4_0", "F16" ... as llama.cpp prints them
    uint32_t block_size;      // elements per block (1 for F32/F16/BF16)
    uint32_t block_bytes;     // bytes per block
    bool is_quantized;
    DequantizeRowFn dequantize_row;  // reference: n must be a multiple of block_size
    QuantizeRowFn quantize_row;      // reference; nullptr where no quantizer is defined
};

// Traits of a known type. Never fails for a DType value that is in the enum.
const DTypeTraits& dtype_traits(DType type);

// Traits for a raw ggml type id read from a file, or nullptr if we do not know it.
const DTypeTraits* find_dtype(uint32_t ggml_type_id);

// Parses "q4_0", "Q4_0", "f16", "bf16" ...; returns false if the name is unknown.
bool parse_dtype(const std::string& name, DType* out);

const char* dtype_name(DType type);

// Bytes of a row of n elements. Throws akunu::Error(Format) if n is not a multiple of the block size.
size_t dtype_row_bytes(DType type, int64_t n);

// Every registered type, in enum order (for tests and listings).
const DTypeTraits* dtype_table(size_t* count);

}  // namespace akunu
