// The "scalar" kernel level: plain C++ twins of the SIMD kernels. For the integer paths they do the
// same arithmetic as the SIMD ones (exact int32 block sums of int8 products, then f32 scaling per
// block), so a SIMD integer kernel must agree with its twin to f32 rounding (~1e-7): the tests use
// them as the oracle. Float weights at this level go through cpu_matmul (kernel_matmul.cpp).
#include "backend/cpu/matmul_kernels.h"
#include "core/half.h"
#include "format/quant_blocks.h"

namespace akunu {
namespace {

inline void store(const QMatMulArgs& a, int32_t t, int64_t j, float s) {
    float* y = a.y + (size_t)t * a.ldy + j;
    *y = a.accumulate ? *y + s : s;
}

struct XRow {
    const int8_t* q;
    const float* d;
    const uint8_t* aux;
};

XRow xrow(const QMatMulArgs& a, int32_t t) {
    const uint8_t* r = a.xq + (size_t)t * a.xl.row_bytes;
    return {reinterpret_cast<const int8_t*>(r), reinterpret_cast<const float*>(r + a.xl.d_offset),
            r + a.xl.aux_offset};
}

void q4_0(const QMatMulArgs& a, int64_t j0, int64_t j1, uint8_t*) {
    const int64_t nb = a.xl.k / QK4_0;
    for (int32_t t = 0; t < a.m; ++t) {
        const XRow x = xrow(a, t);
        for (int64_t j = j0; j < j1; ++j) {
            const block_q4_0* w = reinterpret_cast<const block_q4_0*>(a.w + (size_t)j * a.w_row_bytes);
            float s = 0;
            for (int64_t b = 0; b < nb; ++b) {
                const int8_t* q = x.q + b * QK4_0;
                int32_t isum = 0;
                for (int i = 0; i < QK4_0 / 2; ++i) {
                    isum += ((w[b].qs[i] & 0xF) - 8) * q[i] + ((w[b].qs[i] >> 4) - 8) * q[i + QK4_0 / 2];
                }
                s += (fp16_to_fp32(w[b].d) * x.d[b]) * (float)isum;
            }
            store(a, t, j, s);
        }
    }
}

void q8_0(const QMatMulArgs& a, int64_t j0, int64_t j1, uint8_t*) {
    const int64_t nb = a.xl.k / QK8_0;
    for (int32_t t = 0; t < a.m; ++t) {
        const XRow x = xrow(a, t);
        for (int64_t j = j0; j < j1; ++j) {
            const block_q8_0* w = reinterpret_cast<const block_q8_0*>(a.w + (size_t)j * a.w_row_bytes);
            float s = 0;
            for (int64_t b = 0; b < nb; ++b) {
                const int8_t* q = x.q + b * QK8_0;
                int32_t isum = 0;
                for (int i = 0; i < QK8_0; ++i) isum += w[b].qs[i] * q[i];
                s += (fp16_to_fp32(w[b].d) * x.d[b]) * (float)isum;
            }
            store(a, t, j, s);
        }
    }
}

// Q4_K: sum over super-blocks of d*dx * sum_j sc_j (q . x)_j  -  dmin*dx * sum_j m_j (sum of x)_j.
void q4_k(const QMatMulArgs& a, int64_t j0, int64_t j1, uint8_t*) {
    const int64_t nb = a.xl.k / QK_K;
    for (int32_t t = 0; t < a.m; ++t) {
        const XRow x = xrow(a, t);
        const int16_t* bsums = reinterpret_cast<const int16_t*>(x.aux);
        for (int64_t j = j0; j < j1; ++j) {
            const block_q4_K* w = reinterpret_cast<const block_q4_K*>(a.w + (size_t)j * a.w_row_bytes);
            float s = 0;
            for (int64_t b = 0; b < nb; ++b) {
                const int8_t* q = x.q + b * QK_K;
                int32_t isum = 0, msum = 0;
                for (int sb = 0; sb < 8; ++sb) {
                    uint8_t sc, m;
                    k_scale_min(sb, w[b].scales, &sc, &m);
                    const uint8_t* qs = w[b].qs + 32 * (sb / 2);
                    const int shift = (sb & 1) * 4;
                    int32_t dot = 0;
                    for (int l = 0; l < 32; ++l) dot += ((qs[l] >> shift) & 0xF) * q[32 * sb + l];
                    isum += sc * dot;
                    msum += m * (bsums[b * 16 + 2 * sb] + bsums[b * 16 + 2 * sb + 1]);
                }
                const float d = fp16_to_fp32(w[b].d) * x.d[b];
                const float dmin = fp16_to_fp32(w[b].dmin) * x.d[b];
                s += d * (float)isum - dmin * (float)msum;
            }
            store(a, t, j, s);
        }
    }
}

// Q6_K: sum over super-blocks of d*dx * sum_s sc_s ((q . x)_s - 32 (sum of x)_s), q in 0..63.
void q6_k(const QMatMulArgs& a, int64_t j0, int64_t j1, uint8_t*) {
    const int64_t nb = a.xl.k / QK_K;
    for (int32_t t = 0; t < a.m; ++t) {
        const XRow x = xrow(a, t);
        const int16_t* bsums = reinterpret_cast<const int16_t*>(x.aux);
        for (int64_t j = j0; j < j1; ++j) {
            const block_q6_K* w = reinterpret_cast<const block_q6_K*>(a.w + (size_t)j * a.w_row_bytes);
            float s = 0;
            for (int64_t b = 0; b < nb; ++b) {
                const int8_t* q = x.q + b * QK_K;
                int32_t dots[16] = {0};
                for (int h = 0; h < 2; ++h) {
                    for (int kk = 0; kk < 4; ++kk) {
                        for (int l = 0; l < 32; ++l) {
                            const uint8_t lb = w[b].ql[64 * h + 32 * (kk % 2) + l];
                            const int lo = kk < 2 ? (lb & 0xF) : (lb >> 4);
                            const int hi = (w[b].qh[32 * h + l] >> (2 * kk)) & 3;
                            const int e = 128 * h + 32 * kk + l;
                            dots[e / 16] += (lo | (hi << 4)) * q[e];
                        }
                    }
                }
                int32_t isum = 0;
                for (int sb = 0; sb < 16; ++sb) isum += w[b].scales[sb] * (dots[sb] - 32 * bsums[b * 16 + sb]);
                s += (fp16_to_fp32(w[b].d) * x.d[b]) * (float)isum;
            }
            store(a, t, j, s);
        }
    }
}

}  // namespace

const MatMulKernels& matmul_kernels_scalar() {
    static const MatMulKernels k = {
        "scalar", quantize_act_q8_32_scalar, quantize_act_q8_k_scalar, q4_0, q8_0, q4_k, q6_k,
        nullptr, nullptr, nullptr,  // float paths at this level: cpu_matmul (kernel_matmul.cpp)
        nullptr, nullptr, nullptr, nullptr, nullptr,
    };
    return k;
}

}  // namespace akunu
