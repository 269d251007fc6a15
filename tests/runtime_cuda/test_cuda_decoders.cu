// The CUDA kernels' block decoders and GEMV dot units, run on the host (they are __host__
// __device__), against the registry's reference dequantizers: deq32 must be bit-identical (the
// kernels reproduce the reference's roundings), a row's sum of unit dot products must equal the
// reference dequantize-then-dot to f32 summation error. Needs no GPU, so it runs wherever the CUDA
// build does; the same code runs inside the kernels (dequant.cuh, gemv_q_legacy.cuh,
// gemv_k_quants.cuh), whose scaffolding the GPU tests cover.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "backend/cuda/dequant.cuh"
#include "backend/cuda/gemv_k_quants.cuh"
#include "backend/cuda/gemv_q_legacy.cuh"
#include "format/dtype.h"

namespace akunu::cuda {
namespace {

struct Aligned {
    struct Free {
        void operator()(void* p) const { std::free(p); }
    };
    std::unique_ptr<void, Free> p;
    explicit Aligned(size_t bytes) : p(std::aligned_alloc(256, (bytes + 255) / 256 * 256)) {}
    template <class T>
    T* as() const {
        return static_cast<T*>(p.get());
    }
};

struct Lcg {
    uint64_t s;
    float next() {  // [-1, 1)
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        return (float)((s >> 40) * (1.0 / 8388608.0)) - 1.0f;
    }
};

uint32_t bits(float f) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    return u;
}

template <DType T>
void check_type(int k) {
    const DTypeTraits& traits = dtype_traits(T);
    const int rows = 6;
    const size_t row_bytes = dtype_row_bytes(T, k);
    Aligned w(rows * row_bytes);
    Aligned xbuf((size_t)k * 4);
    float* x = xbuf.as<float>();
    Lcg rng{0x1234u + (uint64_t)T * 77u + (uint64_t)k};
    for (int i = 0; i < k; ++i) x[i] = rng.next();
    std::vector<float> src(k), ref(k);
    for (int r = 0; r < rows; ++r) {
        // Row r: uniform values with a different scale and offset per row, a few outliers.
        const float scale = 0.01f * (float)(1 + 7 * r), offset = r % 2 ? 0.3f * scale : 0.0f;
        for (int i = 0; i < k; ++i) src[i] = offset + scale * rng.next() * (i % 37 == 5 ? 6.0f : 1.0f);
        uint8_t* row = w.as<uint8_t>() + r * row_bytes;
        traits.quantize_row(src.data(), row, k);
        traits.dequantize_row(row, ref.data(), k);
        SCOPED_TRACE(std::string(traits.name) + " k " + std::to_string(k) + " row " + std::to_string(r));

        if constexpr (kIsDense<T>) {
            for (int i = 0; i < k; ++i) ASSERT_EQ(bits(dense_elem<T>(row, i)), bits(ref[i])) << "element " << i;
        } else {
            for (int u = 0; u < k / 32; ++u) {
                float v[32];
                deq32<T>(row, u, v);
                for (int j = 0; j < 32; ++j) {
                    ASSERT_EQ(bits(v[j]), bits(ref[32 * u + j])) << "element " << 32 * u + j << ": got " << v[j]
                                                                 << ", want " << ref[32 * u + j];
                }
            }
            double want = 0, terms = 0;
            for (int i = 0; i < k; ++i) {
                want += (double)ref[i] * x[i];
                terms += ((double)ref[i] * x[i]) * ((double)ref[i] * x[i]);
            }
            float got = 0;
            for (int u = 0; u < k / DotUnit<T>::kElems; ++u) got += DotUnit<T>::dot(row, u, x);
            const double denom = std::max(std::fabs(want), std::sqrt(terms));
            EXPECT_LE(std::fabs((double)got - want), 1e-5 * denom) << "dot: got " << got << ", want " << want;
        }
    }
}

#define AKUNU_DECODER_TEST(T, K1, K2) \
    TEST(CudaDecoders, T) {           \
        check_type<DType::T>(K1);     \
        check_type<DType::T>(K2);     \
    }

AKUNU_DECODER_TEST(F32, 8, 100)
AKUNU_DECODER_TEST(F16, 8, 100)
AKUNU_DECODER_TEST(BF16, 8, 100)
AKUNU_DECODER_TEST(Q4_0, 32, 640)
AKUNU_DECODER_TEST(Q4_1, 32, 640)
AKUNU_DECODER_TEST(Q5_0, 32, 640)
AKUNU_DECODER_TEST(Q5_1, 32, 640)
AKUNU_DECODER_TEST(Q8_0, 32, 640)
AKUNU_DECODER_TEST(Q2_K, 256, 1024)
AKUNU_DECODER_TEST(Q3_K, 256, 1024)
AKUNU_DECODER_TEST(Q4_K, 256, 1024)
AKUNU_DECODER_TEST(Q5_K, 256, 1024)
AKUNU_DECODER_TEST(Q6_K, 256, 1024)

}  // namespace
}  // namespace akunu::cuda
