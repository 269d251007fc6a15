#include "format/gguf_value.h"

#include <utility>

namespace akunu {

const char* gguf_type_name(GgufType type) {
    switch (type) {
        case GgufType::UINT8: return "uint8";
        case GgufType::INT8: return "int8";
        case GgufType::UINT16: return "uint16";
        case GgufType::INT16: return "int16";
        case GgufType::UINT32: return "uint32";
        case GgufType::INT32: return "int32";
        case GgufType::FLOAT32: return "float32";
        case GgufType::BOOL: return "bool";
        case GgufType::STRING: return "string";
        case GgufType::ARRAY: return "array";
        case GgufType::UINT64: return "uint64";
        case GgufType::INT64: return "int64";
        case GgufType::FLOAT64: return "float64";
    }
    return "unknown";
}

bool gguf_type_known(uint32_t id) { return id <= static_cast<uint32_t>(GgufType::FLOAT64); }

size_t gguf_scalar_size(GgufType type) {
    switch (type) {
        case GgufType::UINT8:
        case GgufType::INT8:
        case GgufType::BOOL: return 1;
        case GgufType::UINT16:
        case GgufType::INT16: return 2;
        case GgufType::UINT32:
        case GgufType::INT32:
        case GgufType::FLOAT32: return 4;
        case GgufType::UINT64:
        case GgufType::INT64:
        case GgufType::FLOAT64: return 8;
        case GgufType::STRING:
        case GgufType::ARRAY: return 0;
    }
    return 0;
}

GgufValue GgufValue::make_u32(uint32_t v) {
    GgufValue out;
    out.type = GgufType::UINT32;
    out.u = v;
    return out;
}

GgufValue GgufValue::make_i32(int32_t v) {
    GgufValue out;
    out.type = GgufType::INT32;
    out.i = v;
    return out;
}

GgufValue GgufValue::make_u64(uint64_t v) {
    GgufValue out;
    out.type = GgufType::UINT64;
    out.u = v;
    return out;
}

GgufValue GgufValue::make_f32(float v) {
    GgufValue out;
    out.type = GgufType::FLOAT32;
    out.f = v;
    return out;
}

GgufValue GgufValue::make_bool(bool v) {
    GgufValue out;
    out.type = GgufType::BOOL;
    out.u = v ? 1 : 0;
    return out;
}

GgufValue GgufValue::make_string(std::string v) {
    GgufValue out;
    out.type = GgufType::STRING;
    out.s = std::move(v);
    return out;
}

GgufValue GgufValue::make_array(GgufType elem_type, std::vector<GgufValue> elems) {
    GgufValue out;
    out.type = GgufType::ARRAY;
    out.elem_type = elem_type;
    out.elems = std::move(elems);
    return out;
}

bool GgufValue::is_integer() const {
    switch (type) {
        case GgufType::UINT8:
        case GgufType::INT8:
        case GgufType::UINT16:
        case GgufType::INT16:
        case GgufType::UINT32:
        case GgufType::INT32:
        case GgufType::UINT64:
        case GgufType::INT64: return true;
        default: return false;
    }
}

bool GgufValue::is_float() const { return type == GgufType::FLOAT32 || type == GgufType::FLOAT64; }

}  // namespace akunu
