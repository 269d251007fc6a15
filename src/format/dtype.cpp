// The tensor-type registry: one row per GGML type, in enum order.
#include "format/dtype.h"

#include <cctype>
#include <string>

#include "core/error.h"
#include "format/quant_blocks.h"

namespace akunu {

namespace {

const DTypeTraits kTable[] = {
    {DType::F32, "F32", 1, 4, false, ref::dequantize_row_f32, ref::quantize_row_f32},
    {DType::F16, "F16", 1, 2, false, ref::dequantize_row_f16, ref::quantize_row_f16},
    {DType::Q4_0, "Q4_0", QK4_0, sizeof(block_q4_0), true, ref::dequantize_row_q4_0, ref::quantize_row_q4_0},
    {DType::Q4_1, "Q4_1", QK4_1, sizeof(block_q4_1), true, ref::dequantize_row_q4_1, ref::quantize_row_q4_1},
    {DType::Q5_0, "Q5_0", QK5_0, sizeof(block_q5_0), true, ref::dequantize_row_q5_0, ref::quantize_row_q5_0},
    {DType::Q5_1, "Q5_1", QK5_1, sizeof(block_q5_1), true, ref::dequantize_row_q5_1, ref::quantize_row_q5_1},
    {DType::Q8_0, "Q8_0", QK8_0, sizeof(block_q8_0), true, ref::dequantize_row_q8_0, ref::quantize_row_q8_0},
    {DType::Q2_K, "Q2_K", QK_K, sizeof(block_q2_K), true, ref::dequantize_row_q2_K, ref::quantize_row_q2_K},
    {DType::Q3_K, "Q3_K", QK_K, sizeof(block_q3_K), true, ref::dequantize_row_q3_K, ref::quantize_row_q3_K},
    {DType::Q4_K, "Q4_K", QK_K, sizeof(block_q4_K), true, ref::dequantize_row_q4_K, ref::quantize_row_q4_K},
    {DType::Q5_K, "Q5_K", QK_K, sizeof(block_q5_K), true, ref::dequantize_row_q5_K, ref::quantize_row_q5_K},
    {DType::Q6_K, "Q6_K", QK_K, sizeof(block_q6_K), true, ref::dequantize_row_q6_K, ref::quantize_row_q6_K},
    {DType::BF16, "BF16", 1, 2, false, ref::dequantize_row_bf16, ref::quantize_row_bf16},
};

constexpr size_t kCount = sizeof(kTable) / sizeof(kTable[0]);

}  // namespace

const DTypeTraits* find_dtype(uint32_t ggml_type_id) {
    for (const DTypeTraits& t : kTable) {
        if (static_cast<uint32_t>(t.type) == ggml_type_id) return &t;
    }
    return nullptr;
}

const DTypeTraits& dtype_traits(DType type) {
    const DTypeTraits* t = find_dtype(static_cast<uint32_t>(type));
    if (!t) {
        fail(ErrorKind::InvalidArgument, "dtype",
             "unknown tensor type id " + std::to_string(static_cast<uint32_t>(type)));
    }
    return *t;
}

bool parse_dtype(const std::string& name, DType* out) {
    std::string upper;
    upper.reserve(name.size());
    for (char c : name) upper.push_back((char)std::toupper((unsigned char)c));
    for (const DTypeTraits& t : kTable) {
        if (upper == t.name) {
            if (out) *out = t.type;
            return true;
        }
    }
    return false;
}

const char* dtype_name(DType type) {
    const DTypeTraits* t = find_dtype(static_cast<uint32_t>(type));
    return t ? t->name : "unknown";
}

size_t dtype_row_bytes(DType type, int64_t n) {
    const DTypeTraits& t = dtype_traits(type);
    if (n < 0) {
        fail(ErrorKind::Format, "dtype", "row of " + std::to_string(n) + " elements is negative (type " + t.name + ")");
    }
    if (n % t.block_size != 0) {
        fail(ErrorKind::Format, "dtype",
             "row of " + std::to_string(n) + " elements is not a multiple of the " + t.name + " block size " +
                 std::to_string(t.block_size));
    }
    return (size_t)(n / t.block_size) * t.block_bytes;
}

const DTypeTraits* dtype_table(size_t* count) {
    if (count) *count = kCount;
    return kTable;
}

}  // namespace akunu
