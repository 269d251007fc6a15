// The SIMD MatMul kernels against scalar oracles, on every kernel level this machine supports
// (scalar and avx2 forced even where avx512 exists), at awkward shapes, 1 and 2 threads.
//
// Two modes, two oracles:
//   exact (f32 activations): against cpu_matmul, the original scalar path (registry dequantize +
//     f32 dot). Tolerance 1e-5 normalized L2: only the f32 summation order differs.
//   quantized activations (Q4_0, Q8_0, Q4_K, Q6_K):
//     - against the scalar twin (matmul_scalar.cpp: the same int8 x int8 -> int32 block sums, f32
//       scaling) at 1e-6: the integer sums are exact, so only f32 rounding of the per-block scaling
//       and the lane/summation order may differ. Q4_K: 5e-6, because its dot is the difference of
//       two f32 sums (scales x (q . x) and mins x sum(x)) that cancel where the activations have a
//       nonzero mean, magnifying their rounding (seen: 1.5e-6 for x in [-2, 1)); an integer bug
//       still shows as 1e-3 or more;
//     - against the exact result, with a bound derived from the quantization itself: for output
//       y[t][j] the activation rounding error e_t = x_t - dequant(q_t) moves the exact dot by
//       |W_j . e_t| <= ||W_j||_2 ||e_t||_2 (Cauchy-Schwarz), asserted per element, plus 3e-2
//       normalized L2 per case (uniform [-1, 1) activations in blocks of 32 or 256 round with
//       rms error ~ (amax / 127) / sqrt(12), ~0.4% of their rms; a case with one or a few
//       outputs scatters around that: worst seen 8.4e-3; the op harness's Q8 rows are also 3e-2).
// The SIMD activation quantizers must produce the scalar quantizer's bytes exactly.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "backend/cpu/cpu_features.h"
#include "backend/cpu/cpu_kernels.h"
#include "backend/cpu/matmul_dispatch.h"
#include "backend/cpu/matmul_kernels.h"
#include "backend/cpu/quantize_activations.h"
#include "backend/cpu/thread_pool.h"
#include "core/error.h"
#include "format/dtype.h"

using namespace akunu;

namespace {

std::vector<CpuIsa> levels() {
    std::vector<CpuIsa> out = {CpuIsa::Scalar};
    if (cpu_supports(CpuIsa::Avx2)) out.push_back(CpuIsa::Avx2);
    if (cpu_supports(CpuIsa::Avx512)) out.push_back(CpuIsa::Avx512);
    return out;
}

std::vector<CpuIsa> simd_levels() {
    std::vector<CpuIsa> out = levels();
    out.erase(out.begin());
    return out;
}

bool integer_type(DType t) { return t == DType::Q4_0 || t == DType::Q8_0 || t == DType::Q4_K || t == DType::Q6_K; }

std::vector<int64_t> ks_for(DType t) {
    switch (dtype_traits(t).block_size) {
        case 1: return {7, 33, 160};
        case 32: return {32, 96, 160};
        default: return {256, 768};
    }
}

std::vector<float> uniform(size_t n, uint32_t seed, float lo = -1.0f, float hi = 1.0f) {
    std::mt19937 g(seed);
    std::uniform_real_distribution<float> u(lo, hi);
    std::vector<float> v(n);
    for (float& f : v) f = u(g);
    return v;
}

// Weights [n][k]: N(0, 1) values quantized with the registry, as stored in a GGUF file.
std::vector<uint8_t> make_weights(DType t, int64_t n, int64_t k, uint32_t seed) {
    const size_t rb = dtype_row_bytes(t, k);
    std::vector<uint8_t> w(rb * (size_t)n);
    std::mt19937 g(seed);
    std::normal_distribution<float> nd(0.0f, 1.0f);
    std::vector<float> row((size_t)k);
    for (int64_t j = 0; j < n; ++j) {
        for (float& f : row) f = nd(g);
        dtype_traits(t).quantize_row(row.data(), w.data() + (size_t)j * rb, k);
    }
    return w;
}

std::vector<float> dequant_rows(DType t, const std::vector<uint8_t>& w, int64_t n, int64_t k) {
    std::vector<float> out((size_t)(n * k));
    const size_t rb = dtype_row_bytes(t, k);
    for (int64_t j = 0; j < n; ++j) dtype_traits(t).dequantize_row(w.data() + (size_t)j * rb, out.data() + (size_t)(j * k), k);
    return out;
}

// Thread pool and scratch as CpuBackend::prepare() sizes them (qact_rows: tokens of quantized
// activations that fit; fewer than m forces the dispatcher to chunk over tokens).
struct Runner {
    ThreadPool pool;
    std::vector<float> rows;
    std::vector<uint8_t> bytes;
    CpuScratch scratch;

    Runner(int threads, int64_t k, size_t qact_bytes, size_t pack_bytes = 0) : pool(threads) {
        rows.assign((size_t)threads * kMatMulRowBlock * (size_t)k, 0.0f);
        qact_bytes = (qact_bytes + 63) / 64 * 64;
        bytes.assign(qact_bytes + (size_t)threads * pack_bytes + 64, 0);
        scratch.rows = rows.data();
        scratch.rows_stride = (size_t)kMatMulRowBlock * (size_t)k;
        uint8_t* p = bytes.data();
        p += (64 - reinterpret_cast<uintptr_t>(p) % 64) % 64;
        scratch.qact = p;
        scratch.qact_bytes = qact_bytes;
        scratch.pack = pack_bytes ? p + qact_bytes : nullptr;
        scratch.pack_stride = pack_bytes;
    }
};

struct Case {
    DType type;
    int64_t n, k;
    int32_t m;
};

std::string describe(const Case& c) {
    return std::string(dtype_name(c.type)) + " n" + std::to_string(c.n) + " k" + std::to_string(c.k) + " m" +
           std::to_string(c.m);
}

// pack: give the kernels their weight-packing scratch (as CpuBackend does); false runs them without.
std::vector<float> run_dispatch(CpuIsa isa, bool exact, int threads, const Case& c, const std::vector<uint8_t>& w,
                                const std::vector<float>& x, bool accumulate, const std::vector<float>& y0,
                                int32_t qact_rows = -1, bool pack = true) {
    MatMulDispatch d(isa, exact);
    const size_t qb = d.qact_bytes(c.type, c.k, qact_rows < 0 ? c.m : qact_rows);
    Runner r(threads, c.k, qb, pack ? d.pack_bytes(c.type, c.k, c.m) : 0);
    std::vector<float> y = accumulate ? y0 : std::vector<float>((size_t)(c.m * c.n), NAN);
    d.run(w.data(), c.type, x.data(), y.data(), c.m, c.n, c.k, accumulate, r.pool, r.scratch);
    return y;
}

std::vector<float> run_reference(const Case& c, const std::vector<uint8_t>& w, const std::vector<float>& x,
                                 bool accumulate, const std::vector<float>& y0) {
    Runner r(1, c.k, 0);
    std::vector<float> y = accumulate ? y0 : std::vector<float>((size_t)(c.m * c.n), NAN);
    cpu_matmul(w.data(), c.type, x.data(), y.data(), c.m, c.n, c.k, accumulate, r.pool, r.scratch);
    return y;
}

// ||got - want|| / ||want||, each element's share of the denominator at least `floor_norm[i]`
// (the L2 norm of its terms, as op_harness does, so that a cancelling sum is not judged by its
// tiny result).
double rel_l2(const std::vector<float>& got, const std::vector<float>& want, const std::vector<double>& floor_norm) {
    double d2 = 0, w2 = 0;
    for (size_t i = 0; i < got.size(); ++i) {
        if (!std::isfinite(got[i])) return INFINITY;
        const double d = (double)got[i] - want[i];
        d2 += d * d;
        w2 += std::max((double)want[i] * want[i], floor_norm[i] * floor_norm[i]);
    }
    return w2 > 0 ? std::sqrt(d2 / w2) : std::sqrt(d2);
}

// Term norms ||W_j * x_t||_2 (element-wise products) of each output.
std::vector<double> term_norms(const Case& c, const std::vector<float>& wf, const std::vector<float>& x) {
    std::vector<double> out((size_t)(c.m * c.n));
    for (int32_t t = 0; t < c.m; ++t) {
        for (int64_t j = 0; j < c.n; ++j) {
            double s = 0;
            for (int64_t i = 0; i < c.k; ++i) {
                const double p = (double)wf[(size_t)(j * c.k + i)] * x[(size_t)(t * c.k + i)];
                s += p * p;
            }
            out[(size_t)(t * c.n + j)] = std::sqrt(s);
        }
    }
    return out;
}

// x as the integer kernels see it: quantize (scalar definition) and dequantize each row.
std::vector<float> requantized(DType t, const std::vector<float>& x, int64_t k, int32_t m) {
    const QActLayout l = qact_layout(t == DType::Q4_0 || t == DType::Q8_0 ? QActFormat::Q8_32 : QActFormat::Q8_K, k);
    const int bs = l.format == QActFormat::Q8_32 ? kQ8BlockSize : kQ8KBlockSize;
    std::vector<uint8_t> row(l.row_bytes);
    std::vector<float> out(x.size());
    for (int32_t r = 0; r < m; ++r) {
        if (l.format == QActFormat::Q8_32) {
            quantize_act_q8_32_scalar(x.data() + (size_t)r * k, k, row.data(), l);
        } else {
            quantize_act_q8_k_scalar(x.data() + (size_t)r * k, k, row.data(), l);
        }
        const int8_t* q = reinterpret_cast<const int8_t*>(row.data());
        const float* d = reinterpret_cast<const float*>(row.data() + l.d_offset);
        for (int64_t i = 0; i < k; ++i) out[(size_t)(r * k + i)] = d[i / bs] * q[i];
    }
    return out;
}

const char* mode_name(bool exact) { return exact ? "exact" : "q8-activations"; }

double twin_tolerance(DType t) { return t == DType::Q4_K ? 5e-6 : 1e-6; }

// ---------------------------------------------------------------- activation quantizers

TEST(SimdMatMul, QuantizersMatchTheScalarDefinitionByteForByte) {
    for (CpuIsa isa : simd_levels()) {
        const MatMulKernels& kern = matmul_kernels(isa);
        for (QActFormat f : {QActFormat::Q8_32, QActFormat::Q8_K}) {
            for (int64_t k : {256, 768, 3072}) {
                SCOPED_TRACE(std::string(cpu_isa_name(isa)) + (f == QActFormat::Q8_32 ? " Q8_32" : " Q8_K") +
                             " k" + std::to_string(k));
                const QActLayout l = qact_layout(f, k);
                std::vector<float> x = uniform((size_t)k, (uint32_t)(k + (int)f), -3.0f, 3.0f);
                for (int i = 0; i < 32; ++i) x[(size_t)i] = 0.0f;              // an all-zero block
                x[40] = 1e4f;                                                    // an outlier
                for (int i = 64; i < 96; ++i) x[(size_t)i] = (i % 2 ? 0.5f : -0.5f) * 127.0f / 63.0f;  // ties
                std::vector<uint8_t> want(l.row_bytes, 0xAB), got(l.row_bytes, 0xAB);
                if (f == QActFormat::Q8_32) {
                    quantize_act_q8_32_scalar(x.data(), k, want.data(), l);
                    kern.quantize_q8_32(x.data(), k, got.data(), l);
                } else {
                    quantize_act_q8_k_scalar(x.data(), k, want.data(), l);
                    kern.quantize_q8_k(x.data(), k, got.data(), l);
                }
                EXPECT_EQ(0, std::memcmp(want.data(), got.data(), l.row_bytes));
                // |q| <= 127 and the scales reconstruct x to half a step.
                const int8_t* q = reinterpret_cast<const int8_t*>(got.data());
                const float* d = reinterpret_cast<const float*>(got.data() + l.d_offset);
                const int bs = f == QActFormat::Q8_32 ? kQ8BlockSize : kQ8KBlockSize;
                for (int64_t i = 0; i < k; ++i) {
                    ASSERT_GE(q[i], -127);
                    ASSERT_LE(std::fabs(d[i / bs] * q[i] - x[(size_t)i]), 0.5001f * d[i / bs] + 1e-30f) << i;
                }
            }
        }
    }
}

TEST(SimdMatMul, DotProducts) {
    for (CpuIsa isa : simd_levels()) {
        const MatMulKernels& kern = matmul_kernels(isa);
        ASSERT_NE(kern.dot, nullptr);
        for (int64_t k : {1, 7, 16, 33, 64, 128, 1000}) {
            const std::vector<float> a = uniform((size_t)k, (uint32_t)k), b = uniform((size_t)k, (uint32_t)k + 1);
            double want = 0, norm = 0;
            for (int64_t i = 0; i < k; ++i) {
                want += (double)a[(size_t)i] * b[(size_t)i];
                norm += (double)a[(size_t)i] * a[(size_t)i] * b[(size_t)i] * b[(size_t)i];
            }
            EXPECT_LE(std::fabs(kern.dot(a.data(), b.data(), k) - want), 1e-6 * std::sqrt(norm) * std::sqrt((double)k))
                << cpu_isa_name(isa) << " k" << k;
            EXPECT_LE(std::fabs(dot_f32(a.data(), b.data(), k) - want), 1e-6 * std::sqrt(norm) * std::sqrt((double)k));
        }
    }
}

// ---------------------------------------------------------------- integer kernels vs the twin

TEST(SimdMatMul, IntegerKernelsMatchTheScalarTwin) {
    for (DType t : {DType::Q4_0, DType::Q8_0, DType::Q4_K, DType::Q6_K}) {
        for (int64_t k : ks_for(t)) {
            for (int64_t n : {1, 7, 33, 250}) {
                for (int32_t m : {1, 3, 17}) {
                    const Case c{t, n, k, m};
                    const std::vector<uint8_t> w = make_weights(t, n, k, (uint32_t)(n * 131 + k));
                    const std::vector<float> x = uniform((size_t)(m * k), (uint32_t)(m * 7 + k));
                    const std::vector<float> y0 = uniform((size_t)(m * n), 99, -10.0f, 10.0f);
                    const std::vector<double> norms = term_norms(c, dequant_rows(t, w, n, k), x);
                    for (bool acc : {false, true}) {
                        const std::vector<float> twin = run_dispatch(CpuIsa::Scalar, false, 1, c, w, x, acc, y0);
                        for (CpuIsa isa : simd_levels()) {
                            for (int threads : {1, 2}) {
                                SCOPED_TRACE(describe(c) + " " + cpu_isa_name(isa) + " t" + std::to_string(threads) +
                                             (acc ? " accumulate" : ""));
                                const std::vector<float> got = run_dispatch(isa, false, threads, c, w, x, acc, y0);
                                EXPECT_LE(rel_l2(got, twin, norms), twin_tolerance(t));
                            }
                        }
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------- every level, both modes, vs cpu_matmul

TEST(SimdMatMul, EveryLevelAndModeMatchesTheScalarReference) {
    const std::vector<DType> types = {DType::Q4_0, DType::Q8_0, DType::Q4_K, DType::Q6_K, DType::F32,
                                      DType::F16,  DType::BF16, DType::Q4_1, DType::Q5_K};
    double worst_exact = 0, worst_q8 = 0;
    for (DType t : types) {
        for (int64_t k : ks_for(t)) {
            for (int64_t n : {1, 7, 33, 250}) {
                for (int32_t m : {1, 3, 17}) {
                    const Case c{t, n, k, m};
                    const std::vector<uint8_t> w = make_weights(t, n, k, (uint32_t)(n * 31 + k * 7 + (int)t));
                    const std::vector<float> x = uniform((size_t)(m * k), (uint32_t)(m * 13 + k + (int)t));
                    const std::vector<float> wf = dequant_rows(t, w, n, k);
                    const std::vector<double> norms = term_norms(c, wf, x);
                    const std::vector<float> want = run_reference(c, w, x, false, {});
                    // The rounding error of the activations the integer paths see.
                    const std::vector<float> xq = integer_type(t) ? requantized(t, x, k, m) : x;
                    for (CpuIsa isa : levels()) {
                        for (bool exact : {true, false}) {
                            for (int threads : {1, 2}) {
                                SCOPED_TRACE(describe(c) + " " + cpu_isa_name(isa) + " " + mode_name(exact) + " t" +
                                             std::to_string(threads));
                                const std::vector<float> got = run_dispatch(isa, exact, threads, c, w, x, false, {});
                                const double err = rel_l2(got, want, norms);
                                if (exact || !integer_type(t)) {
                                    EXPECT_LE(err, 1e-5);
                                    worst_exact = std::max(worst_exact, err);
                                    continue;
                                }
                                EXPECT_LE(err, 3e-2);
                                worst_q8 = std::max(worst_q8, err);
                                for (int32_t tt = 0; tt < m; ++tt) {
                                    double e2 = 0;
                                    for (int64_t i = 0; i < k; ++i) {
                                        const double e = (double)x[(size_t)(tt * k + i)] - xq[(size_t)(tt * k + i)];
                                        e2 += e * e;
                                    }
                                    for (int64_t j = 0; j < n; ++j) {
                                        double w2 = 0;
                                        for (int64_t i = 0; i < k; ++i) w2 += (double)wf[(size_t)(j * k + i)] * wf[(size_t)(j * k + i)];
                                        const size_t o = (size_t)(tt * n + j);
                                        const double bound = std::sqrt(w2 * e2) + 1e-5 * (norms[o] + std::fabs(want[o]));
                                        ASSERT_LE(std::fabs((double)got[o] - want[o]), bound) << "token " << tt << " row " << j;
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    std::printf("[ simd ] worst normalized L2 error: exact %.2e, q8 activations %.2e\n", worst_exact, worst_q8);
}

// Accumulate mode, and more tokens than the quantized-activation scratch holds (token chunks).
TEST(SimdMatMul, AccumulateAndTokenChunks) {
    for (DType t : {DType::Q4_0, DType::Q8_0, DType::Q4_K, DType::Q6_K, DType::F16, DType::Q5_0}) {
        const Case c{t, 37, ks_for(t).back(), 17};
        const std::vector<uint8_t> w = make_weights(t, c.n, c.k, 5);
        const std::vector<float> x = uniform((size_t)(c.m * c.k), 6);
        const std::vector<float> y0 = uniform((size_t)(c.m * c.n), 7, -10.0f, 10.0f);
        const std::vector<double> norms = term_norms(c, dequant_rows(t, w, c.n, c.k), x);
        const std::vector<float> want = run_reference(c, w, x, true, y0);
        for (CpuIsa isa : levels()) {
            for (bool exact : {true, false}) {
                SCOPED_TRACE(describe(c) + " " + cpu_isa_name(isa) + " " + mode_name(exact));
                const std::vector<float> got = run_dispatch(isa, exact, 2, c, w, x, true, y0);
                EXPECT_LE(rel_l2(got, want, norms), exact || !integer_type(t) ? 1e-5 : 3e-2);
                if (!exact && integer_type(t)) {
                    const std::vector<float> twin = run_dispatch(CpuIsa::Scalar, false, 1, c, w, x, true, y0);
                    const std::vector<float> chunked = run_dispatch(isa, false, 2, c, w, x, true, y0, 5);
                    EXPECT_LE(rel_l2(chunked, twin, norms), twin_tolerance(t)) << "5 tokens per chunk";
                    EXPECT_LE(rel_l2(got, twin, norms), twin_tolerance(t));
                }
            }
        }
    }
}

// Prefill shapes: the packed GEMM (AVX-512, from kPackMinTokens tokens) against the twin, with
// partial 16-row blocks and token remainders, and the same kernels run without packing scratch.
TEST(SimdMatMul, PrefillShapesWithAndWithoutPacking) {
    double worst = 0;
    for (DType t : {DType::Q4_0, DType::Q8_0, DType::Q4_K, DType::Q6_K}) {
        for (int64_t n : {16, 37, 250}) {
            for (int32_t m : {16, 20, 64}) {
                const Case c{t, n, ks_for(t).back(), m};
                const std::vector<uint8_t> w = make_weights(t, n, c.k, (uint32_t)(n + m));
                const std::vector<float> x = uniform((size_t)(m * c.k), (uint32_t)(3 * m + n), -2.0f, 1.0f);
                const std::vector<float> y0 = uniform((size_t)(m * n), 11, -10.0f, 10.0f);
                const std::vector<double> norms = term_norms(c, dequant_rows(t, w, n, c.k), x);
                for (bool acc : {false, true}) {
                    const std::vector<float> twin = run_dispatch(CpuIsa::Scalar, false, 1, c, w, x, acc, y0);
                    for (CpuIsa isa : simd_levels()) {
                        for (bool pack : {true, false}) {
                            SCOPED_TRACE(describe(c) + " " + cpu_isa_name(isa) + (pack ? " packed" : " unpacked") +
                                         (acc ? " accumulate" : ""));
                            const std::vector<float> got = run_dispatch(isa, false, 2, c, w, x, acc, y0, -1, pack);
                            const double err = rel_l2(got, twin, norms);
                            EXPECT_LE(err, twin_tolerance(t));
                            if (t != DType::Q4_K) worst = std::max(worst, err);
                        }
                    }
                }
            }
        }
    }
    std::printf("[ simd ] prefill shapes: worst normalized L2 error against the twin (Q4_K aside) %.2e\n", worst);
}

// ---------------------------------------------------------------- level selection

struct EnvGuard {
    std::string old;
    bool had;
    EnvGuard() {
        const char* v = std::getenv("AKUNU_ISA");
        had = v != nullptr;
        if (had) old = v;
    }
    ~EnvGuard() {
        if (had) {
            setenv("AKUNU_ISA", old.c_str(), 1);
        } else {
            unsetenv("AKUNU_ISA");
        }
    }
};

std::string backend_isa(const std::string& isa) {
    BackendOptions o;
    o.n_threads = 1;
    o.isa = isa;
    return create_backend(BackendKind::Cpu, o)->config().isa;
}

TEST(SimdMatMul, LevelSelection) {
    EnvGuard guard;
    unsetenv("AKUNU_ISA");
    EXPECT_EQ(backend_isa("auto"), cpu_isa_description(best_cpu_isa()));
    EXPECT_EQ(backend_isa("scalar"), "scalar");
    if (cpu_supports(CpuIsa::Avx2)) {
        EXPECT_EQ(backend_isa("avx2"), "avx2");
    }
    if (cpu_supports(CpuIsa::Avx512)) {
        EXPECT_EQ(backend_isa("AVX512"), "avx512-vnni");
    }
    for (CpuIsa isa : {CpuIsa::Avx2, CpuIsa::Avx512}) {
        if (cpu_supports(isa)) continue;
        try {
            backend_isa(cpu_isa_name(isa));
            ADD_FAILURE() << "an unsupported level was accepted";
        } catch (const Error& e) {
            EXPECT_EQ(e.kind(), ErrorKind::Unsupported);
        }
    }
    try {
        backend_isa("sse9");
        ADD_FAILURE() << "an unknown level was accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
    }
    // AKUNU_ISA applies to "auto" only; an explicit option wins.
    setenv("AKUNU_ISA", "scalar", 1);
    EXPECT_EQ(backend_isa("auto"), "scalar");
    EXPECT_EQ(backend_isa(""), "scalar");
    if (cpu_supports(CpuIsa::Avx2)) {
        EXPECT_EQ(backend_isa("avx2"), "avx2");
    }
    setenv("AKUNU_ISA", "auto", 1);
    EXPECT_EQ(backend_isa("auto"), cpu_isa_description(best_cpu_isa()));
    setenv("AKUNU_ISA", "bogus", 1);
    EXPECT_THROW(backend_isa("auto"), Error);
}

TEST(SimdMatMul, PathsPerTypeAndMode) {
    for (CpuIsa isa : levels()) {
        const MatMulDispatch fast(isa, false), exact(isa, true);
        for (DType t : {DType::Q4_0, DType::Q8_0, DType::Q4_K, DType::Q6_K}) {
            EXPECT_EQ(fast.path(t), MatMulPath::Integer);
            EXPECT_NE(exact.path(t), MatMulPath::Integer);
            EXPECT_GT(fast.qact_bytes(t, 256, 3), 0u);
            EXPECT_EQ(exact.qact_bytes(t, 256, 3), 0u);
        }
        const MatMulPath float_path = isa == CpuIsa::Scalar ? MatMulPath::Reference : MatMulPath::Float;
        for (DType t : {DType::F32, DType::F16, DType::BF16}) EXPECT_EQ(fast.path(t), float_path);
        EXPECT_EQ(fast.path(DType::Q5_K), isa == CpuIsa::Scalar ? MatMulPath::Reference : MatMulPath::Dequant);
    }
}

}  // namespace
