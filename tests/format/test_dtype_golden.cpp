// Golden values produced by GGML itself (ggml-org/ggml at d99724f2, ggml-quants.c compiled
// unchanged outside this repository, with the generators below): hashes of
//   * the dequantization of deterministic pseudo-random blocks of every quantized type, and
//   * the reference quantization of deterministic data for the simple quants.
// Our dequantizers/quantizers must reproduce them bit for bit. The generators use only
// mt19937 (fully specified) and exact double arithmetic, so the data is the same everywhere.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "core/half.h"
#include "format/dtype.h"

using namespace akunu;

namespace {

// Blocks of random bytes whose half fields (scales/mins, at the given byte offsets) are set
// to finite values in (-0.1, 0.1).
std::vector<uint8_t> golden_blocks(DType type, int nblk, const int* half_pos, int n_half) {
    const DTypeTraits& t = dtype_traits(type);
    std::mt19937 mt(1000 + static_cast<uint32_t>(type));
    std::vector<uint8_t> raw((size_t)nblk * t.block_bytes);
    for (uint8_t& b : raw) b = (uint8_t)(mt() & 0xFF);
    for (int b = 0; b < nblk; ++b) {
        for (int k = 0; k < n_half; ++k) {
            const float v = (float)((((mt() >> 8) + 0.5) * (1.0 / 16777216.0) - 0.5) * 0.2);
            const uint16_t h = fp32_to_fp16(v);
            std::memcpy(&raw[(size_t)b * t.block_bytes + half_pos[k]], &h, 2);
        }
    }
    return raw;
}

// Roughly gaussian data (sum of 4 uniforms, exact in double), 1 in 16 values scaled by 20.
std::vector<float> golden_data(size_t n, uint32_t seed) {
    std::mt19937 mt(seed);
    auto u01 = [&] { return ((mt() >> 8) + 0.5) * (1.0 / 16777216.0); };
    std::vector<float> x(n);
    for (float& v : x) {
        double g = u01() + u01() + u01() + u01() - 2.0;
        if ((mt() & 15) == 0) g *= 20.0;
        v = (float)g;
    }
    return x;
}

uint64_t fnv1a(const void* data, size_t n) {
    const uint8_t* p = static_cast<const uint8_t*>(data);
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; ++i) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

TEST(DTypeGolden, DequantizeMatchesGgmlOnRandomBlocks) {
    struct Golden {
        DType type;
        int half_pos[2];
        int n_half;
        uint64_t hash;      // FNV-1a of the little-endian float bits of GGML's output
        float y1, y_last3;  // y[1] and y[n-3], for a readable failure
    };
    const Golden golden[] = {
        {DType::Q4_0, {0, 0}, 1, 0x97121c990f07b790ull, -0.382324219f, -0.000476539135f},
        {DType::Q4_1, {0, 2}, 2, 0xbe7ac125d64d5e53ull, 0.131896973f, 0.52166748f},
        {DType::Q5_0, {0, 0}, 1, 0x02ffb546879af42dull, 0.710449219f, 0.182434082f},
        {DType::Q5_1, {0, 2}, 2, 0x1959d436e8dc9444ull, -0.531646729f, -1.51791382f},
        {DType::Q8_0, {0, 0}, 1, 0xc1ce418985b1f54aull, -1.00524902f, 3.57275391f},
        {DType::Q2_K, {80, 82}, 2, 0x7c7ad7e804e38ae3ull, 0.421020508f, -3.23937988f},
        {DType::Q3_K, {108, 0}, 1, 0xdb221e0d375d9d77ull, -1.26489258f, 2.42102051f},
        {DType::Q4_K, {0, 2}, 2, 0x9f90e9943374e7feull, -5.97473145f, -17.4852905f},
        {DType::Q5_K, {0, 2}, 2, 0x8c8ba388a936fc61ull, -7.29736328f, -19.4715576f},
        {DType::Q6_K, {208, 0}, 1, 0x1ce337959dcf04c9ull, -93.269043f, 83.2873535f},
    };
    for (const Golden& g : golden) {
        const DTypeTraits& t = dtype_traits(g.type);
        const int nblk = 64;
        const std::vector<uint8_t> raw = golden_blocks(g.type, nblk, g.half_pos, g.n_half);
        std::vector<float> y((size_t)nblk * t.block_size);
        t.dequantize_row(raw.data(), y.data(), (int64_t)y.size());
        EXPECT_EQ(y[1], g.y1) << t.name;
        EXPECT_EQ(y[y.size() - 3], g.y_last3) << t.name;
        EXPECT_EQ(fnv1a(y.data(), y.size() * 4), g.hash) << t.name;
    }
}

TEST(DTypeGolden, SimpleQuantizersMatchGgmlReference) {
    struct Golden {
        DType type;
        uint64_t hash;  // FNV-1a of the bytes GGML's quantize_row_*_ref writes
    };
    const Golden golden[] = {
        {DType::Q4_0, 0xfa1f6d48d49e9584ull}, {DType::Q4_1, 0x3fba3807562bde4dull},
        {DType::Q5_0, 0x1140549c49a043f0ull}, {DType::Q5_1, 0xa4a14a9d47fa790dull},
        {DType::Q8_0, 0x38c85b4f7ef515b2ull},
    };
    const std::vector<float> x = golden_data(4096, 777);
    for (const Golden& g : golden) {
        std::vector<uint8_t> q(dtype_row_bytes(g.type, 4096));
        dtype_traits(g.type).quantize_row(x.data(), q.data(), 4096);
        EXPECT_EQ(fnv1a(q.data(), q.size()), g.hash) << dtype_name(g.type);
    }
}

}  // namespace
