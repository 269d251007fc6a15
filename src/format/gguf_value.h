// A GGUF metadata value: scalars, strings and (nested) arrays, owned.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace akunu {

// GGUF on-disk value type ids.
enum class GgufType : uint32_t {
    UINT8 = 0,
    INT8 = 1,
    UINT16 = 2,
    INT16 = 3,
    UINT32 = 4,
    INT32 = 5,
    FLOAT32 = 6,
    BOOL = 7,
    STRING = 8,
    ARRAY = 9,
    UINT64 = 10,
    INT64 = 11,
    FLOAT64 = 12,
};

const char* gguf_type_name(GgufType type);

// True for the 13 type ids above; a file holding any other id is malformed.
bool gguf_type_known(uint32_t id);

// Bytes of one scalar of `type` on disk; 0 for STRING and ARRAY (variable length).
size_t gguf_scalar_size(GgufType type);

// Arrays nest at most this deep (an array of arrays is depth 2): bounds the reader's recursion.
inline constexpr int kGgufMaxArrayDepth = 8;

struct GgufValue {
    GgufType type = GgufType::UINT32;
    // Scalars are held widened; the original type is kept in `type`.
    uint64_t u = 0;  // UINT8/16/32/64, BOOL
    int64_t i = 0;   // INT8/16/32/64
    double f = 0;    // FLOAT32/64
    std::string s;   // STRING
    GgufType elem_type = GgufType::UINT32;  // ARRAY: the element type
    std::vector<GgufValue> elems;           // ARRAY: the elements (arrays may nest)

    static GgufValue make_u32(uint32_t v);
    static GgufValue make_i32(int32_t v);
    static GgufValue make_u64(uint64_t v);
    static GgufValue make_f32(float v);
    static GgufValue make_bool(bool v);
    static GgufValue make_string(std::string v);
    static GgufValue make_array(GgufType elem_type, std::vector<GgufValue> elems);

    bool is_integer() const;  // any of the signed/unsigned integer types
    bool is_float() const;
};

struct GgufKV {
    std::string key;
    GgufValue value;
};

}  // namespace akunu
