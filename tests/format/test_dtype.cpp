// The tensor-type registry: table consistency, lookups, row sizes, and hand-built blocks of
// every type whose dequantized values are known exactly.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "core/error.h"
#include "format/dtype.h"
#include "format/quant_blocks.h"

using namespace akunu;

namespace {

// Half bit patterns used below.
constexpr uint16_t kH0_0625 = 0x2C00, kH0_125 = 0x3000, kH0_25 = 0x3400, kH0_5 = 0x3800;
constexpr uint16_t kH2 = 0x4000, kHm1 = 0xBC00;

template <class Block>
std::vector<float> dequant(DType type, const Block& block) {
    const DTypeTraits& t = dtype_traits(type);
    EXPECT_EQ(sizeof(Block), t.block_bytes);
    std::vector<float> out(t.block_size, NAN);
    t.dequantize_row(&block, out.data(), t.block_size);
    return out;
}

// ---------------------------------------------------------------- table

TEST(DTypeTable, EveryEnumValuePresentInEnumOrder) {
    const DType all[] = {DType::F32,  DType::F16,  DType::Q4_0, DType::Q4_1, DType::Q5_0,
                         DType::Q5_1, DType::Q8_0, DType::Q2_K, DType::Q3_K, DType::Q4_K,
                         DType::Q5_K, DType::Q6_K, DType::BF16};
    size_t count = 0;
    const DTypeTraits* table = dtype_table(&count);
    ASSERT_EQ(count, sizeof(all) / sizeof(all[0]));
    for (size_t i = 0; i < count; ++i) {
        EXPECT_EQ(table[i].type, all[i]);
        EXPECT_EQ(&dtype_traits(all[i]), &table[i]);
        EXPECT_EQ(find_dtype(static_cast<uint32_t>(all[i])), &table[i]);
        EXPECT_NE(table[i].dequantize_row, nullptr) << table[i].name;
        EXPECT_NE(table[i].quantize_row, nullptr) << table[i].name;
        if (i > 0) {
            EXPECT_LT(static_cast<uint32_t>(table[i - 1].type), static_cast<uint32_t>(table[i].type));
        }
    }
}

TEST(DTypeTable, IdsAreTheGgmlIds) {
    EXPECT_EQ(static_cast<uint32_t>(DType::F32), 0u);
    EXPECT_EQ(static_cast<uint32_t>(DType::F16), 1u);
    EXPECT_EQ(static_cast<uint32_t>(DType::Q4_0), 2u);
    EXPECT_EQ(static_cast<uint32_t>(DType::Q4_1), 3u);
    EXPECT_EQ(static_cast<uint32_t>(DType::Q5_0), 6u);
    EXPECT_EQ(static_cast<uint32_t>(DType::Q5_1), 7u);
    EXPECT_EQ(static_cast<uint32_t>(DType::Q8_0), 8u);
    EXPECT_EQ(static_cast<uint32_t>(DType::Q2_K), 10u);
    EXPECT_EQ(static_cast<uint32_t>(DType::Q3_K), 11u);
    EXPECT_EQ(static_cast<uint32_t>(DType::Q4_K), 12u);
    EXPECT_EQ(static_cast<uint32_t>(DType::Q5_K), 13u);
    EXPECT_EQ(static_cast<uint32_t>(DType::Q6_K), 14u);
    EXPECT_EQ(static_cast<uint32_t>(DType::BF16), 30u);
}

TEST(DTypeTable, BlockSizesMatchStructs) {
    struct Row {
        DType type;
        const char* name;
        uint32_t block_size;
        size_t block_bytes;
        bool quantized;
    };
    const Row rows[] = {
        {DType::F32, "F32", 1, 4, false},
        {DType::F16, "F16", 1, 2, false},
        {DType::BF16, "BF16", 1, 2, false},
        {DType::Q4_0, "Q4_0", 32, sizeof(block_q4_0), true},
        {DType::Q4_1, "Q4_1", 32, sizeof(block_q4_1), true},
        {DType::Q5_0, "Q5_0", 32, sizeof(block_q5_0), true},
        {DType::Q5_1, "Q5_1", 32, sizeof(block_q5_1), true},
        {DType::Q8_0, "Q8_0", 32, sizeof(block_q8_0), true},
        {DType::Q2_K, "Q2_K", 256, sizeof(block_q2_K), true},
        {DType::Q3_K, "Q3_K", 256, sizeof(block_q3_K), true},
        {DType::Q4_K, "Q4_K", 256, sizeof(block_q4_K), true},
        {DType::Q5_K, "Q5_K", 256, sizeof(block_q5_K), true},
        {DType::Q6_K, "Q6_K", 256, sizeof(block_q6_K), true},
    };
    // The published GGML sizes, independent of the structs.
    EXPECT_EQ(sizeof(block_q4_0), 18u);
    EXPECT_EQ(sizeof(block_q4_1), 20u);
    EXPECT_EQ(sizeof(block_q5_0), 22u);
    EXPECT_EQ(sizeof(block_q5_1), 24u);
    EXPECT_EQ(sizeof(block_q8_0), 34u);
    EXPECT_EQ(sizeof(block_q2_K), 84u);
    EXPECT_EQ(sizeof(block_q3_K), 110u);
    EXPECT_EQ(sizeof(block_q4_K), 144u);
    EXPECT_EQ(sizeof(block_q5_K), 176u);
    EXPECT_EQ(sizeof(block_q6_K), 210u);
    for (const Row& r : rows) {
        const DTypeTraits& t = dtype_traits(r.type);
        EXPECT_STREQ(t.name, r.name);
        EXPECT_STREQ(dtype_name(r.type), r.name);
        EXPECT_EQ(t.block_size, r.block_size) << r.name;
        EXPECT_EQ(t.block_bytes, r.block_bytes) << r.name;
        EXPECT_EQ(t.is_quantized, r.quantized) << r.name;
        EXPECT_EQ(dtype_row_bytes(r.type, 0), 0u);
        EXPECT_EQ(dtype_row_bytes(r.type, 4096), 4096 / r.block_size * r.block_bytes) << r.name;
    }
    EXPECT_EQ(dtype_row_bytes(DType::Q4_0, 64), 36u);
    EXPECT_EQ(dtype_row_bytes(DType::Q6_K, 512), 420u);
    EXPECT_EQ(dtype_row_bytes(DType::F32, 172), 688u);
}

TEST(DTypeTable, UnknownIds) {
    for (uint32_t id : {4u, 5u, 9u, 15u, 16u, 29u, 31u, 39u, 99u, 0xFFFFFFFFu}) {
        EXPECT_EQ(find_dtype(id), nullptr) << id;
    }
    EXPECT_THROW(dtype_traits(static_cast<DType>(4)), Error);
    EXPECT_STREQ(dtype_name(static_cast<DType>(99)), "unknown");
}

TEST(DTypeTable, ParseRoundTripsNames) {
    size_t count = 0;
    const DTypeTraits* table = dtype_table(&count);
    for (size_t i = 0; i < count; ++i) {
        DType parsed = DType::F32;
        ASSERT_TRUE(parse_dtype(table[i].name, &parsed)) << table[i].name;
        EXPECT_EQ(parsed, table[i].type);
        std::string lower = table[i].name;
        for (char& c : lower) c = (char)std::tolower((unsigned char)c);
        parsed = DType::F32;
        ASSERT_TRUE(parse_dtype(lower, &parsed)) << lower;
        EXPECT_EQ(parsed, table[i].type);
    }
    DType t = DType::F32;
    EXPECT_TRUE(parse_dtype("Bf16", &t));
    EXPECT_EQ(t, DType::BF16);
    EXPECT_TRUE(parse_dtype("q4_k", &t));
    EXPECT_EQ(t, DType::Q4_K);
    t = DType::Q6_K;
    for (const char* bad : {"", "q4_2", "q4", "f8", "q4_k_m", " q4_0", "q4_0 ", "iq2_xxs", "Q8_1"}) {
        EXPECT_FALSE(parse_dtype(bad, &t)) << bad;
    }
    EXPECT_EQ(t, DType::Q6_K);  // untouched on failure
}

TEST(DTypeTable, RowBytesRejectsPartialBlocks) {
    struct Case {
        DType type;
        int64_t n;
        const char* name;
        const char* block;
    };
    const Case cases[] = {
        {DType::Q4_0, 172, "Q4_0", "32"}, {DType::Q8_0, 33, "Q8_0", "32"}, {DType::Q5_1, 1, "Q5_1", "32"},
        {DType::Q4_K, 4000, "Q4_K", "256"}, {DType::Q6_K, 128, "Q6_K", "256"}, {DType::Q2_K, 257, "Q2_K", "256"},
    };
    for (const Case& c : cases) {
        try {
            dtype_row_bytes(c.type, c.n);
            ADD_FAILURE() << "no throw for " << c.name << " n=" << c.n;
        } catch (const Error& e) {
            EXPECT_EQ(e.kind(), ErrorKind::Format);
            const std::string msg = e.what();
            EXPECT_NE(msg.find("[dtype]"), std::string::npos) << msg;
            EXPECT_NE(msg.find(c.name), std::string::npos) << msg;
            EXPECT_NE(msg.find(std::string("block size ") + c.block), std::string::npos) << msg;
            EXPECT_NE(msg.find(std::to_string(c.n)), std::string::npos) << msg;
        }
    }
    try {
        dtype_row_bytes(DType::Q4_0, 172);
    } catch (const Error& e) {
        EXPECT_STREQ(e.what(), "[dtype] row of 172 elements is not a multiple of the Q4_0 block size 32");
    }
    EXPECT_THROW(dtype_row_bytes(DType::F16, -2), Error);
    EXPECT_EQ(dtype_row_bytes(DType::F16, 3), 6u);  // block size 1: any length
}

// ---------------------------------------------------------------- float types

TEST(DTypeHandBuilt, FloatTypes) {
    const uint16_t f16[] = {0x3C00, 0xC000, 0x7BFF, 0x0001, 0x8000, 0x3555, 0x7C00, 0x0400};
    const float f16_want[] = {1.0f, -2.0f, 65504.0f, 5.9604644775390625e-8f, -0.0f, 0.333251953125f, INFINITY,
                              6.103515625e-5f};
    float out[8];
    dtype_traits(DType::F16).dequantize_row(f16, out, 8);
    for (int i = 0; i < 8; ++i) EXPECT_EQ(out[i], f16_want[i]) << i;
    EXPECT_TRUE(std::signbit(out[4]));

    const uint16_t bf16[] = {0x3F80, 0xC040, 0x0000, 0x4049, 0xFF80};
    const float bf16_want[] = {1.0f, -3.0f, 0.0f, 3.140625f, -INFINITY};
    dtype_traits(DType::BF16).dequantize_row(bf16, out, 5);
    for (int i = 0; i < 5; ++i) EXPECT_EQ(out[i], bf16_want[i]) << i;

    // "Quantize" = round to nearest even.
    const float in[] = {1.0f, 1.0f + 1.0f / 2048, 1.0f + 3.0f / 2048, 65520.0f, -0.1f};
    uint16_t h[5];
    dtype_traits(DType::F16).quantize_row(in, h, 5);
    EXPECT_EQ(h[0], 0x3C00);
    EXPECT_EQ(h[1], 0x3C00);  // tie -> even
    EXPECT_EQ(h[2], 0x3C02);  // tie -> even (up)
    EXPECT_EQ(h[3], 0x7C00);  // rounds to inf
    EXPECT_EQ(h[4], 0xAE66);
    dtype_traits(DType::BF16).quantize_row(in, h, 5);
    EXPECT_EQ(h[0], 0x3F80);
    EXPECT_EQ(h[4], 0xBDCD);

    const float f32[] = {1.5f, -7.25f, 1e-30f};
    float f32_out[3];
    uint8_t raw[12];
    dtype_traits(DType::F32).quantize_row(f32, raw, 3);
    EXPECT_EQ(std::memcmp(raw, f32, 12), 0);
    dtype_traits(DType::F32).dequantize_row(raw, f32_out, 3);
    EXPECT_EQ(std::memcmp(f32_out, f32, 12), 0);
}

// ---------------------------------------------------------------- simple quants

TEST(DTypeHandBuilt, Q4_0) {
    block_q4_0 b;
    b.d = kH0_5;
    for (int j = 0; j < 16; ++j) b.qs[j] = (uint8_t)(j | ((15 - j) << 4));
    const std::vector<float> y = dequant(DType::Q4_0, b);
    for (int j = 0; j < 16; ++j) {
        EXPECT_EQ(y[j], (j - 8) * 0.5f) << j;
        EXPECT_EQ(y[j + 16], (7 - j) * 0.5f) << j;
    }
    EXPECT_EQ(y[0], -4.0f);
    EXPECT_EQ(y[15], 3.5f);
    EXPECT_EQ(y[16], 3.5f);
    EXPECT_EQ(y[31], -4.0f);
}

TEST(DTypeHandBuilt, Q4_1) {
    block_q4_1 b;
    b.d = kH0_25;
    b.m = kHm1;
    for (int j = 0; j < 16; ++j) b.qs[j] = (uint8_t)(j | ((j ^ 5) << 4));
    const std::vector<float> y = dequant(DType::Q4_1, b);
    for (int j = 0; j < 16; ++j) {
        EXPECT_EQ(y[j], j * 0.25f - 1.0f) << j;
        EXPECT_EQ(y[j + 16], (j ^ 5) * 0.25f - 1.0f) << j;
    }
    EXPECT_EQ(y[15], 2.75f);
    EXPECT_EQ(y[16], 0.25f);
}

TEST(DTypeHandBuilt, Q5_0) {
    block_q5_0 b;
    b.d = kH0_125;
    for (int j = 0; j < 16; ++j) b.qs[j] = (uint8_t)(j | ((15 - j) << 4));
    const uint8_t qh[4] = {0xF0, 0x00, 0x0F, 0xF0};  // u32 0xF00F00F0: bit e = 5th bit of element e
    std::memcpy(b.qh, qh, 4);
    const uint32_t bits = 0xF00F00F0u;
    const std::vector<float> y = dequant(DType::Q5_0, b);
    for (int e = 0; e < 32; ++e) {
        const int low = e < 16 ? e : 15 - (e - 16);
        const int q = low | (int)((bits >> e) & 1u) << 4;
        EXPECT_EQ(y[e], (q - 16) * 0.125f) << e;
    }
    EXPECT_EQ(y[0], -2.0f);      // low 0, high 0
    EXPECT_EQ(y[4], 0.5f);       // low 4, high 1 -> 20
    EXPECT_EQ(y[16], 1.875f);    // low 15, high 1 -> 31
    EXPECT_EQ(y[31], 0.0f);      // low 0, high 1 -> 16
    EXPECT_EQ(y[20], -0.625f);   // low 11, high 0
}

TEST(DTypeHandBuilt, Q5_1) {
    block_q5_1 b;
    b.d = kH0_0625;
    b.m = kH2;
    for (int j = 0; j < 16; ++j) b.qs[j] = (uint8_t)((15 - j) | (j << 4));
    const uint8_t qh[4] = {0x01, 0x80, 0xFF, 0x00};  // u32 0x00FF8001
    std::memcpy(b.qh, qh, 4);
    const uint32_t bits = 0x00FF8001u;
    const std::vector<float> y = dequant(DType::Q5_1, b);
    for (int e = 0; e < 32; ++e) {
        const int low = e < 16 ? 15 - e : e - 16;
        const int q = low | (int)((bits >> e) & 1u) << 4;
        EXPECT_EQ(y[e], q * 0.0625f + 2.0f) << e;
    }
    EXPECT_EQ(y[0], 2.0f + 31 * 0.0625f);   // low 15, high 1
    EXPECT_EQ(y[1], 2.0f + 14 * 0.0625f);   // low 14, high 0
    EXPECT_EQ(y[15], 2.0f + 16 * 0.0625f);  // low 0, high 1
    EXPECT_EQ(y[31], 2.0f + 15 * 0.0625f);  // low 15, high 0
}

TEST(DTypeHandBuilt, Q8_0) {
    block_q8_0 b;
    b.d = kH0_25;
    for (int e = 0; e < 32; ++e) b.qs[e] = (int8_t)(e * 8 - 128);
    const std::vector<float> y = dequant(DType::Q8_0, b);
    for (int e = 0; e < 32; ++e) EXPECT_EQ(y[e], (e * 8 - 128) * 0.25f) << e;
    EXPECT_EQ(y[0], -32.0f);
    EXPECT_EQ(y[31], 30.0f);
}

// ---------------------------------------------------------------- K quants
// Each test packs the bytes by hand (constants worked out on paper), checks a few elements
// against values computed by hand, and every element against a per-element decoder written
// here from the layout description.

TEST(DTypeHandBuilt, Q2_K) {
    block_q2_K b;
    for (int s = 0; s < 16; ++s) b.scales[s] = (uint8_t)(s | ((15 - s) << 4));  // scale s, min 15-s
    for (int i = 0; i < 64; ++i) b.qs[i] = (uint8_t)i;
    b.d = kH0_5;
    b.dmin = kH0_25;
    const std::vector<float> y = dequant(DType::Q2_K, b);
    for (int e = 0; e < 256; ++e) {
        const int h = e / 128, k = (e / 32) % 4, l = e % 32, s = e / 16;
        const int q = ((32 * h + l) >> (2 * k)) & 3;
        EXPECT_EQ(y[e], 0.5f * s * q - 0.25f * (15 - s)) << e;
    }
    EXPECT_EQ(y[0], -3.75f);   // scale 0, min 15
    EXPECT_EQ(y[165], 3.75f);  // qs[37] bits 2..3 = 1, sub-block 10: 0.5*10*1 - 0.25*5
    EXPECT_EQ(y[223], 19.0f);  // qs[63] bits 4..5 = 3, sub-block 13: 0.5*13*3 - 0.25*2
    EXPECT_EQ(y[255], 0.0f);   // qs[63] bits 6..7 = 0, sub-block 15: min 0
}

TEST(DTypeHandBuilt, Q3_K) {
    block_q3_K b;
    // stored 6-bit scales u (signed scale = u - 32)
    const int u[16] = {0, 1, 5, 10, 16, 20, 31, 32, 33, 40, 47, 48, 50, 55, 60, 63};
    const uint8_t packed[12] = {0x10, 0x81, 0xF5, 0x0A, 0x20, 0x74, 0xCF, 0xF0, 0xE4, 0xE4, 0xE4, 0xF8};
    std::memcpy(b.scales, packed, 12);
    for (int j = 0; j < 16; ++j) EXPECT_EQ(q3k_scale6(j, b.scales), u[j]) << j;
    for (int i = 0; i < 64; ++i) b.qs[i] = (uint8_t)((i * 37) & 0xFF);
    for (int i = 0; i < 32; ++i) b.hmask[i] = (uint8_t)((i * 11 + 3) & 0xFF);
    b.d = kH0_5;
    const std::vector<float> y = dequant(DType::Q3_K, b);
    for (int e = 0; e < 256; ++e) {
        const int h = e / 128, k = (e / 32) % 4, l = e % 32, s = e / 16;
        const int low = (b.qs[32 * h + l] >> (2 * k)) & 3;
        const int high = (b.hmask[l] >> (4 * h + k)) & 1;
        const int q = (low | high << 2) - 4;
        EXPECT_EQ(y[e], 0.5f * (u[s] - 32) * q) << e;
    }
    EXPECT_EQ(y[0], 0.0f);    // low 0, high 1 -> 0
    EXPECT_EQ(y[1], 48.0f);   // low 1, high 0 -> -3; scale -32 -> (0.5*-32)*-3
    EXPECT_EQ(y[201], 18.0f); // qs[41]=237 bits 4..5 = 2, hmask[9]=102 bit 6 = 1 -> 2; scale 50-32
}

TEST(DTypeHandBuilt, Q4_K) {
    block_q4_K b;
    const int sc[8] = {1, 2, 3, 4, 17, 33, 49, 63};
    const int mn[8] = {0, 5, 10, 15, 20, 40, 60, 63};
    const uint8_t packed[12] = {0x41, 0x82, 0xC3, 0xC4, 0x40, 0x85, 0xCA, 0xCF, 0x41, 0x81, 0xC1, 0xFF};
    std::memcpy(b.scales, packed, 12);
    for (int j = 0; j < 8; ++j) {
        uint8_t s, m;
        k_scale_min(j, b.scales, &s, &m);
        EXPECT_EQ(s, sc[j]) << j;
        EXPECT_EQ(m, mn[j]) << j;
    }
    b.d = kH0_5;
    b.dmin = kH0_25;
    for (int c = 0; c < 4; ++c) {
        for (int l = 0; l < 32; ++l) b.qs[32 * c + l] = (uint8_t)((l & 15) | ((15 - (l & 15)) << 4));
    }
    const std::vector<float> y = dequant(DType::Q4_K, b);
    for (int e = 0; e < 256; ++e) {
        const int s = e / 32, l = e % 32;
        const int q = (s % 2 == 0) ? (l & 15) : 15 - (l & 15);
        EXPECT_EQ(y[e], 0.5f * sc[s] * q - 0.25f * mn[s]) << e;
    }
    EXPECT_EQ(y[0], 0.0f);
    EXPECT_EQ(y[33], 12.75f);    // sub-block 1, q 14: 0.5*2*14 - 0.25*5
    EXPECT_EQ(y[130], 12.0f);    // sub-block 4, q 2: 0.5*17*2 - 0.25*20
    EXPECT_EQ(y[160], 237.5f);   // sub-block 5, q 15: 0.5*33*15 - 0.25*40
    EXPECT_EQ(y[224], 456.75f);  // sub-block 7, q 15: 0.5*63*15 - 0.25*63
    EXPECT_EQ(y[255], -15.75f);  // sub-block 7, q 0
}

TEST(DTypeHandBuilt, Q5_K) {
    block_q5_K b;
    const int sc[8] = {1, 2, 3, 4, 17, 33, 49, 63};
    const int mn[8] = {0, 5, 10, 15, 20, 40, 60, 63};
    const uint8_t packed[12] = {0x41, 0x82, 0xC3, 0xC4, 0x40, 0x85, 0xCA, 0xCF, 0x41, 0x81, 0xC1, 0xFF};
    std::memcpy(b.scales, packed, 12);
    b.d = kH0_5;
    b.dmin = kH0_25;
    for (int c = 0; c < 4; ++c) {
        for (int l = 0; l < 32; ++l) b.qs[32 * c + l] = (uint8_t)((l & 15) | ((15 - (l & 15)) << 4));
    }
    for (int l = 0; l < 32; ++l) b.qh[l] = (uint8_t)(0x5A ^ (l * 7));
    const std::vector<float> y = dequant(DType::Q5_K, b);
    for (int e = 0; e < 256; ++e) {
        const int s = e / 32, l = e % 32;
        const int low = (s % 2 == 0) ? (l & 15) : 15 - (l & 15);
        const int high = (b.qh[l] >> s) & 1;  // sub-block s uses bit s of qh[l]
        EXPECT_EQ(y[e], 0.5f * sc[s] * (low + 16 * high) - 0.25f * mn[s]) << e;
    }
    // qh[0] = 0x5A = 0b01011010: sub-blocks 1, 3, 4, 6 get the 5th bit at l = 0.
    EXPECT_EQ(y[0], 0.0f);              // sub-block 0, q 0
    EXPECT_EQ(y[32], 0.5f * 2 * 31 - 0.25f * 5);     // sub-block 1, q 15 + 16
    EXPECT_EQ(y[128], 0.5f * 17 * 16 - 0.25f * 20);  // sub-block 4, q 0 + 16
    EXPECT_EQ(y[224], 0.5f * 63 * 15 - 0.25f * 63);  // sub-block 7, q 15, bit 7 clear
}

TEST(DTypeHandBuilt, Q6_K) {
    block_q6_K b;
    const int8_t sc[16] = {-128, -64, -1, 0, 1, 2, 3, 7, 15, 31, 63, 100, 127, -100, -7, 5};
    std::memcpy(b.scales, sc, 16);
    for (int i = 0; i < 128; ++i) b.ql[i] = (uint8_t)((i * 13 + 7) & 0xFF);
    for (int i = 0; i < 64; ++i) b.qh[i] = (uint8_t)((i * 29 + 1) & 0xFF);
    b.d = kH0_25;
    const std::vector<float> y = dequant(DType::Q6_K, b);
    for (int e = 0; e < 256; ++e) {
        const int h = e / 128, k = (e / 32) % 4, l = e % 32;
        const uint8_t lbyte = b.ql[64 * h + 32 * (k & 1) + l];
        const int low = k < 2 ? (lbyte & 15) : (lbyte >> 4);
        const int high = (b.qh[32 * h + l] >> (2 * k)) & 3;
        const int q = (low | high << 4) - 32;
        EXPECT_EQ(y[e], 0.25f * sc[e / 16] * q) << e;
    }
    EXPECT_EQ(y[0], 288.0f);     // q 23-32 = -9, scale -128
    EXPECT_EQ(y[100], -2.25f);   // ql[36]=219 high nibble 13, qh[4]=117 bits 6..7 = 1 -> 29-32; scale 3
    EXPECT_EQ(y[255], -31.25f);  // ql[127]=122 high nibble 7, qh[63]=36 bits 6..7 = 0 -> -25; scale 5
}

}  // namespace
