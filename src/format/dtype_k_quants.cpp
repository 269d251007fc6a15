// K quants (Q2_K, Q3_K, Q4_K, Q5_K, Q6_K): 256-element super-blocks split into 16 or 32-element
// sub-blocks, each with its own small integer scale (and min), which are themselves scaled by
// one or two half-precision super-block factors. Layouts: see quant_blocks.h.
//
// Dequantization follows GGML's formulas with the same float operations in the same order,
// so results are bit-identical:
//   Q2_K/Q4_K/Q5_K:  y = (d * sc) * q - (dmin * m)
//   Q3_K:            y = (d * (s6 - 32)) * (q - 4)
//   Q6_K:            y = (d * sc) * (q - 32)
//
// Quantization is our own reference quantizer (not byte-compatible with llama-quantize, which
// is not needed: any valid block dequantizes the same everywhere). Per sub-block it searches
// the scale (and min) by iterative least squares:
//   1. seven starting grids: level = round((x - lo) * (nmax + t) / (hi - lo)), t in -0.6..0.6
//      (the symmetric types also try the grids that send the extreme value to the top level);
//   2. for each, twice: solve the scale (and offset) by least squares for the fixed levels,
//      then re-assign the nearest level for that scale; keep the fit of least squared error.
// The sub-block scales are then quantized against a super-block factor stored as half, and
// each sub-block's integer scale/min is refined by trying its neighbours (+-1) with the real,
// rounded factors, re-assigning levels each time; the half factors themselves are chosen among
// the neighbours (+-1 half step) of the plain rounding by the same total error. On gaussian and
// weight-like data this gives a lower RMS error than GGML's reference K quantizers (see the
// table in tests/format/test_dtype_roundtrip.cpp) at roughly 100-150 ns per element.
// Everything is finite for finite input: super-block factors are clamped to the half range
// and divisions by zero are avoided.
#include <cfloat>
#include <cmath>
#include <cstring>
#include <initializer_list>

#include "core/half.h"
#include "format/quant_blocks.h"

namespace akunu::ref {

// ====================================================================== dequantize

void dequantize_row_q2_K(const void* src, float* dst, int64_t n) {
    const block_q2_K* b = static_cast<const block_q2_K*>(src);
    const int64_t nb = n / QK_K;
    for (int64_t i = 0; i < nb; ++i) {
        const float d = fp16_to_fp32(b[i].d);
        const float dmin = fp16_to_fp32(b[i].dmin);
        float* y = dst + i * QK_K;
        for (int h = 0; h < 2; ++h) {
            const uint8_t* q = b[i].qs + 32 * h;
            for (int k = 0; k < 4; ++k) {
                for (int half = 0; half < 2; ++half) {
                    const uint8_t s = b[i].scales[8 * h + 2 * k + half];
                    const float dl = d * (s & 0xF);
                    const float ml = dmin * (s >> 4);
                    for (int l = 16 * half; l < 16 * half + 16; ++l) {
                        const int v = (q[l] >> (2 * k)) & 3;
                        y[128 * h + 32 * k + l] = dl * v - ml;
                    }
                }
            }
        }
    }
}

void dequantize_row_q3_K(const void* src, float* dst, int64_t n) {
    const block_q3_K* b = static_cast<const block_q3_K*>(src);
    const int64_t nb = n / QK_K;
    for (int64_t i = 0; i < nb; ++i) {
        const float d = fp16_to_fp32(b[i].d);
        float* y = dst + i * QK_K;
        for (int h = 0; h < 2; ++h) {
            const uint8_t* q = b[i].qs + 32 * h;
            for (int k = 0; k < 4; ++k) {
                const uint8_t mask = (uint8_t)(1u << (4 * h + k));
                for (int half = 0; half < 2; ++half) {
                    const float dl = d * (q3k_scale6(8 * h + 2 * k + half, b[i].scales) - 32);
                    for (int l = 16 * half; l < 16 * half + 16; ++l) {
                        const int v = ((q[l] >> (2 * k)) & 3) - ((b[i].hmask[l] & mask) ? 0 : 4);
                        y[128 * h + 32 * k + l] = dl * v;
                    }
                }
            }
        }
    }
}

void dequantize_row_q4_K(const void* src, float* dst, int64_t n) {
    const block_q4_K* b = static_cast<const block_q4_K*>(src);
    const int64_t nb = n / QK_K;
    for (int64_t i = 0; i < nb; ++i) {
        const float d = fp16_to_fp32(b[i].d);
        const float dmin = fp16_to_fp32(b[i].dmin);
        float* y = dst + i * QK_K;
        for (int c = 0; c < 4; ++c) {
            uint8_t sc, m;
            k_scale_min(2 * c, b[i].scales, &sc, &m);
            const float d1 = d * sc, m1 = dmin * m;
            k_scale_min(2 * c + 1, b[i].scales, &sc, &m);
            const float d2 = d * sc, m2 = dmin * m;
            const uint8_t* q = b[i].qs + 32 * c;
            for (int l = 0; l < 32; ++l) y[64 * c + l] = d1 * (q[l] & 0xF) - m1;
            for (int l = 0; l < 32; ++l) y[64 * c + 32 + l] = d2 * (q[l] >> 4) - m2;
        }
    }
}

void dequantize_row_q5_K(const void* src, float* dst, int64_t n) {
    const block_q5_K* b = static_cast<const block_q5_K*>(src);
    const int64_t nb = n / QK_K;
    for (int64_t i = 0; i < nb; ++i) {
        const float d = fp16_to_fp32(b[i].d);
        const float dmin = fp16_to_fp32(b[i].dmin);
        float* y = dst + i * QK_K;
        for (int c = 0; c < 4; ++c) {
            uint8_t sc, m;
            k_scale_min(2 * c, b[i].scales, &sc, &m);
            const float d1 = d * sc, m1 = dmin * m;
            k_scale_min(2 * c + 1, b[i].scales, &sc, &m);
            const float d2 = d * sc, m2 = dmin * m;
            const uint8_t* q = b[i].qs + 32 * c;
            const uint8_t u1 = (uint8_t)(1u << (2 * c)), u2 = (uint8_t)(2u << (2 * c));
            for (int l = 0; l < 32; ++l) {
                y[64 * c + l] = d1 * ((q[l] & 0xF) + ((b[i].qh[l] & u1) ? 16 : 0)) - m1;
            }
            for (int l = 0; l < 32; ++l) {
                y[64 * c + 32 + l] = d2 * ((q[l] >> 4) + ((b[i].qh[l] & u2) ? 16 : 0)) - m2;
            }
        }
    }
}

void dequantize_row_q6_K(const void* src, float* dst, int64_t n) {
    const block_q6_K* b = static_cast<const block_q6_K*>(src);
    const int64_t nb = n / QK_K;
    for (int64_t i = 0; i < nb; ++i) {
        const float d = fp16_to_fp32(b[i].d);
        float* y = dst + i * QK_K;
        for (int h = 0; h < 2; ++h) {
            const uint8_t* ql = b[i].ql + 64 * h;
            const uint8_t* qh = b[i].qh + 32 * h;
            const int8_t* sc = b[i].scales + 8 * h;
            for (int l = 0; l < 32; ++l) {
                const int s = l / 16;
                const int q1 = ((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
                const int q2 = ((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
                const int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
                const int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
                y[128 * h + l] = d * sc[s] * q1;
                y[128 * h + 32 + l] = d * sc[s + 2] * q2;
                y[128 * h + 64 + l] = d * sc[s + 4] * q3;
                y[128 * h + 96 + l] = d * sc[s + 6] * q4;
            }
        }
    }
}

// ====================================================================== quantize helpers

namespace {

constexpr float kHalfMax = 65504.0f;

// Search effort (quality vs. speed of the reference quantizer).
constexpr int kGridSteps = 3;  // starting grids t = k * kGridStep for |k| <= kGridSteps
constexpr float kGridStep = 0.2f;
constexpr int kRefits = 2;  // least-squares / re-assignment rounds per start
constexpr int kFactorRadius = 1;  // half steps tried around each super-block factor

// Nearest integer (halves up), clamped to [lo, hi]; NaN gives lo. Inside the range this is
// floor(v + 0.5), computed with one truncation of a positive value (no libm call).
inline int nearest_clamped(float v, int lo, int hi) {
    const float flo = (float)lo, fhi = (float)hi;
    v = v > flo ? v : flo;  // also NaN -> lo
    v = v < fhi ? v : fhi;
    return lo + (int)(v - flo + 0.5f);
}

// A super-block factor as stored: rounded to half, clamped to the finite half range.
inline uint16_t to_half_factor(float f) {
    if (!(f == f)) f = 0.0f;
    if (f > kHalfMax) f = kHalfMax;
    if (f < -kHalfMax) f = -kHalfMax;
    return fp32_to_fp16(f);
}

// ---- affine sub-block fit: x ~ s * L - m with L in [0, nmax], s >= 0, m >= 0 (the offset -m <= 0,
// as in the formats, whose mins are unsigned and subtracted).

// Squared error of the best levels for fixed (s, m); writes those levels.
inline float assign_affine(const float* x, int n, int nmax, float s, float m, uint8_t* L) {
    float err = 0;
    const float inv = s > 0 ? 1.0f / s : 0.0f;
    for (int i = 0; i < n; ++i) {
        const int l = nearest_clamped((x[i] + m) * inv, 0, nmax);
        L[i] = (uint8_t)l;
        const float e = s * (float)l - m - x[i];
        err += e * e;
    }
    return err;
}

// Least-squares (s, m) for fixed levels, with m >= 0 and s >= 0.
// (Float sums are exact for the integer parts: n <= 32 levels <= 31.)
inline void solve_affine(const float* x, int n, const uint8_t* L, float* s_out, float* m_out) {
    float sl = 0, sll = 0, sx = 0, slx = 0;
    for (int i = 0; i < n; ++i) {
        const float l = (float)L[i];
        sl += l;
        sll += l * l;
        sx += x[i];
        slx += l * x[i];
    }
    const float det = (float)n * sll - sl * sl;
    float s = 0, off = 0;  // x ~ s * L + off
    if (det > 0) {
        s = ((float)n * slx - sl * sx) / det;
        off = (sll * sx - sl * slx) / det;
    }
    if (det <= 0 || off > 0 || s < 0) {  // constrain off = 0 (and fall back when the 2x2 system is degenerate)
        off = 0;
        s = sll > 0 ? slx / sll : 0;
        if (s < 0) s = 0;
        if (sll <= 0) off = sx / (float)n < 0 ? sx / (float)n : 0;  // all levels 0: the mean, if <= 0
    }
    *s_out = s;
    *m_out = -off;
}

// Returns s; writes m and levels.
float fit_affine(const float* x, int n, int nmax, uint8_t* L, float* m_out) {
    float lo = x[0], hi = x[0];
    for (int i = 1; i < n; ++i) {
        lo = std::fmin(lo, x[i]);
        hi = std::fmax(hi, x[i]);
    }
    if (lo > 0) lo = 0;
    if (!(hi > lo)) {  // constant block <= 0 (or NaN): represent it with the min alone
        for (int i = 0; i < n; ++i) L[i] = 0;
        *m_out = (lo == lo) ? -lo : 0.0f;
        return 0.0f;
    }
    uint8_t cur[QK_K];
    double best = DBL_MAX;
    float best_s = (hi - lo) / nmax, best_m = -lo;
    for (int k = -kGridSteps; k <= kGridSteps; ++k) {
        const float iscale = (nmax + kGridStep * k) / (hi - lo);
        for (int i = 0; i < n; ++i) cur[i] = (uint8_t)nearest_clamped((x[i] - lo) * iscale, 0, nmax);
        float s, m;
        double err = DBL_MAX;
        for (int it = 0; it < kRefits; ++it) {
            solve_affine(x, n, cur, &s, &m);
            const double e = assign_affine(x, n, nmax, s, m, cur);
            if (e >= err) break;
            err = e;
            if (err < best) {
                best = err;
                best_s = s;
                best_m = m;
            }
        }
    }
    assign_affine(x, n, nmax, best_s, best_m, L);
    *m_out = best_m;
    return best_s;
}

// ---- symmetric sub-block fit: x ~ s * q with q in [-nmax, nmax - 1] (s may be negative).

inline float assign_sym(const float* x, int n, int nmax, float s, int* q) {
    float err = 0;
    const float inv = s != 0 ? 1.0f / s : 0.0f;
    for (int i = 0; i < n; ++i) {
        const int v = nearest_clamped(x[i] * inv, -nmax, nmax - 1);
        q[i] = v;
        const float e = s * (float)v - x[i];
        err += e * e;
    }
    return err;
}

float fit_symmetric(const float* x, int n, int nmax, int* q) {
    float amax = 0, max = 0;
    for (int i = 0; i < n; ++i) {
        if (std::fabs(x[i]) > amax) {
            amax = std::fabs(x[i]);
            max = x[i];
        }
    }
    if (!(amax > 0)) {
        for (int i = 0; i < n; ++i) q[i] = 0;
        return 0.0f;
    }
    int cur[QK_K];
    double best = DBL_MAX;
    float best_s = -max / nmax;
    for (int dir = 0; dir < 2; ++dir) {
        for (int k = -kGridSteps; k <= kGridSteps; ++k) {
            // dir 0: the largest element goes to -nmax; dir 1: to +(nmax - 1)
            const float iscale = dir == 0 ? -(nmax + kGridStep * k) / max : (nmax - 1 + kGridStep * k) / max;
            for (int i = 0; i < n; ++i) cur[i] = nearest_clamped(x[i] * iscale, -nmax, nmax - 1);
            double err = DBL_MAX;
            for (int it = 0; it < kRefits; ++it) {
                float sqq = 0, sqx = 0;
                for (int i = 0; i < n; ++i) {
                    sqq += (float)(cur[i] * cur[i]);
                    sqx += (float)cur[i] * x[i];
                }
                if (sqq <= 0) break;
                const float s = sqx / sqq;
                const double e = assign_sym(x, n, nmax, s, cur);
                if (e >= err) break;
                err = e;
                if (err < best) {
                    best = err;
                    best_s = s;
                }
            }
        }
    }
    assign_sym(x, n, nmax, best_s, q);
    return best_s;
}

// Neighbouring half values of h with the same sign (half bit patterns are monotone in
// magnitude within a sign), for trying the super-block factors around the plain rounding.
// Matters most when the factor is a subnormal half, as it often is for Q4_K and Q6_K weights.
inline int half_neighbours(uint16_t h, int radius, uint16_t* out) {
    int count = 0;
    const int mag = h & 0x7FFF, sign = h & 0x8000;
    for (int k = -radius; k <= radius; ++k) {
        const int m = mag + k;
        if (m < 0 || m > 0x7BFF) continue;  // stay finite
        out[count++] = (uint16_t)(sign | m);
    }
    return count;
}

// ---- super-blocks with unsigned scales and mins (Q2_K, Q4_K, Q5_K).

// For fixed half factors d, dmin: the best integer scale/min of each sub-block among the
// neighbours of the plain rounding; returns the total squared error.
double choose_affine_ints(const float* x, int nsub, int len, int nmax, int smax, const float* scales,
                          const float* mins, float d, float dmin, uint8_t* sc, uint8_t* mn) {
    uint8_t tmp[QK_K];
    double total = 0;
    for (int j = 0; j < nsub; ++j) {
        const float* xs = x + j * len;
        const int s0 = d > 0 ? nearest_clamped(scales[j] / d, 0, smax) : 0;
        const int m0 = dmin > 0 ? nearest_clamped(mins[j] / dmin, 0, smax) : 0;
        // coordinate search: the scale's neighbours at the rounded min, then the min's
        // neighbours at the best scale (the same float products the dequantizer forms)
        double best = assign_affine(xs, len, nmax, d * s0, dmin * m0, tmp);
        int bs = s0, bm = m0;
        for (int s : {s0 - 1, s0 + 1}) {
            if (s < 0 || s > smax) continue;
            const double e = assign_affine(xs, len, nmax, d * s, dmin * m0, tmp);
            if (e < best) {
                best = e;
                bs = s;
            }
        }
        for (int m : {m0 - 1, m0 + 1}) {
            if (m < 0 || m > smax) continue;
            const double e = assign_affine(xs, len, nmax, d * bs, dmin * m, tmp);
            if (e < best) {
                best = e;
                bm = m;
            }
        }
        sc[j] = (uint8_t)bs;
        mn[j] = (uint8_t)bm;
        total += best;
    }
    return total;
}

// nsub sub-blocks of len elements, levels 0..nmax, integer scales/mins 0..smax.
// Writes the half factors, per sub-block integer scales/mins, and levels (QK_K of them).
void quantize_affine_superblock(const float* x, int nsub, int len, int nmax, int smax, uint16_t* d_out,
                                uint16_t* dmin_out, uint8_t* sc, uint8_t* mn, uint8_t* L) {
    float scales[32], mins[32];
    float max_scale = 0, max_min = 0;
    for (int j = 0; j < nsub; ++j) {
        scales[j] = fit_affine(x + j * len, len, nmax, L + j * len, &mins[j]);
        max_scale = std::fmax(max_scale, scales[j]);
        max_min = std::fmax(max_min, mins[j]);
    }
    uint16_t dh = to_half_factor(max_scale / smax);
    uint16_t mh = to_half_factor(max_min / smax);
    uint8_t sc_try[32], mn_try[32];
    double best = choose_affine_ints(x, nsub, len, nmax, smax, scales, mins, fp16_to_fp32(dh), fp16_to_fp32(mh), sc,
                                     mn);
    // coordinate search over neighbouring half factors: first d, then dmin
    uint16_t cand[8];
    for (int pass = 0; pass < 2; ++pass) {
        const uint16_t base = pass == 0 ? dh : mh;
        if (base == 0) continue;
        const int nc = half_neighbours(base, kFactorRadius, cand);
        for (int c = 0; c < nc; ++c) {
            if (cand[c] == base) continue;
            const uint16_t d_try = pass == 0 ? cand[c] : dh, m_try = pass == 0 ? mh : cand[c];
            const double e = choose_affine_ints(x, nsub, len, nmax, smax, scales, mins, fp16_to_fp32(d_try),
                                                fp16_to_fp32(m_try), sc_try, mn_try);
            if (e < best) {
                best = e;
                dh = d_try;
                mh = m_try;
                std::memcpy(sc, sc_try, (size_t)nsub);
                std::memcpy(mn, mn_try, (size_t)nsub);
            }
        }
    }
    *d_out = dh;
    *dmin_out = mh;
    const float d = fp16_to_fp32(dh), dmin = fp16_to_fp32(mh);
    for (int j = 0; j < nsub; ++j) assign_affine(x + j * len, len, nmax, d * sc[j], dmin * mn[j], L + j * len);
}

// ---- super-blocks with signed scales (Q3_K: scales -32..31, Q6_K: -128..127).

double choose_symmetric_ints(const float* x, int nsub, int len, int nmax, int smin, int smax, const float* scales,
                             float d, int* sc) {
    int tmp[QK_K];
    double total = 0;
    for (int j = 0; j < nsub; ++j) {
        const float* xs = x + j * len;
        const int s0 = d != 0 ? nearest_clamped(scales[j] / d, smin, smax) : 0;
        double best = DBL_MAX;
        int bs = s0;
        for (int ds = -1; ds <= 1; ++ds) {
            const int s = s0 + ds;
            if (s < smin || s > smax) continue;
            const double e = assign_sym(xs, len, nmax, d * s, tmp);
            if (e < best) {
                best = e;
                bs = s;
            }
        }
        sc[j] = bs;
        total += best;
    }
    return total;
}

// Writes the half factor, per sub-block signed scales and signed levels in [-nmax, nmax-1].
void quantize_symmetric_superblock(const float* x, int nsub, int len, int nmax, int smin, int smax,
                                   uint16_t* d_out, int* sc, int* q) {
    float scales[32];
    float amax = 0, max = 0;
    for (int j = 0; j < nsub; ++j) {
        scales[j] = fit_symmetric(x + j * len, len, nmax, q + j * len);
        if (std::fabs(scales[j]) > amax) {
            amax = std::fabs(scales[j]);
            max = scales[j];
        }
    }
    // The largest scale maps to the most negative integer scale, which has the wider range.
    uint16_t dh = to_half_factor(max / (float)smin);
    double best = choose_symmetric_ints(x, nsub, len, nmax, smin, smax, scales, fp16_to_fp32(dh), sc);
    if ((dh & 0x7FFF) != 0) {
        uint16_t cand[8];
        int sc_try[32];
        const uint16_t base = dh;
        const int nc = half_neighbours(base, kFactorRadius, cand);
        for (int c = 0; c < nc; ++c) {
            if (cand[c] == base) continue;
            const double e = choose_symmetric_ints(x, nsub, len, nmax, smin, smax, scales, fp16_to_fp32(cand[c]), sc_try);
            if (e < best) {
                best = e;
                dh = cand[c];
                std::memcpy(sc, sc_try, sizeof(int) * (size_t)nsub);
            }
        }
    }
    *d_out = dh;
    const float d = fp16_to_fp32(dh);
    for (int j = 0; j < nsub; ++j) assign_sym(x + j * len, len, nmax, d * sc[j], q + j * len);
}

// Packs 8 six-bit scales and mins into the 12 bytes of Q4_K/Q5_K (inverse of k_scale_min).
void pack_k_scale_min(const uint8_t* sc, const uint8_t* mn, uint8_t* out) {
    for (int j = 0; j < 4; ++j) {
        out[j] = (uint8_t)((sc[j] & 63) | ((sc[j + 4] >> 4) << 6));
        out[j + 4] = (uint8_t)((mn[j] & 63) | ((mn[j + 4] >> 4) << 6));
        out[j + 8] = (uint8_t)((sc[j + 4] & 0xF) | ((mn[j + 4] & 0xF) << 4));
    }
}

// Packs 16 six-bit values (0..63) into the 12 scale bytes of Q3_K (inverse of q3k_scale6).
void pack_q3k_scales(const int* u, uint8_t* out) {
    std::memset(out, 0, K_SCALE_SIZE);
    for (int j = 0; j < 16; ++j) {
        const int low = u[j] & 0xF, high = (u[j] >> 4) & 3;
        if (j < 8) {
            out[j] |= (uint8_t)low;
        } else {
            out[j - 8] |= (uint8_t)(low << 4);
        }
        out[8 + (j & 3)] |= (uint8_t)(high << (2 * (j >> 2)));
    }
}

}  // namespace

// ====================================================================== quantize

void quantize_row_q2_K(const float* src, void* dst, int64_t n) {
    block_q2_K* b = static_cast<block_q2_K*>(dst);
    for (int64_t i = 0; i < n / QK_K; ++i) {
        uint8_t sc[16], mn[16], L[QK_K];
        quantize_affine_superblock(src + i * QK_K, 16, 16, 3, 15, &b[i].d, &b[i].dmin, sc, mn, L);
        for (int j = 0; j < 16; ++j) b[i].scales[j] = (uint8_t)(sc[j] | (mn[j] << 4));
        std::memset(b[i].qs, 0, sizeof(b[i].qs));
        for (int e = 0; e < QK_K; ++e) {
            const int h = e / 128, k = (e % 128) / 32, l = e % 32;
            b[i].qs[32 * h + l] |= (uint8_t)(L[e] << (2 * k));
        }
    }
}

void quantize_row_q3_K(const float* src, void* dst, int64_t n) {
    block_q3_K* b = static_cast<block_q3_K*>(dst);
    for (int64_t i = 0; i < n / QK_K; ++i) {
        int sc[16], q[QK_K];
        quantize_symmetric_superblock(src + i * QK_K, 16, 16, 4, -32, 31, &b[i].d, sc, q);
        int u[16];
        for (int j = 0; j < 16; ++j) u[j] = sc[j] + 32;
        pack_q3k_scales(u, b[i].scales);
        std::memset(b[i].qs, 0, sizeof(b[i].qs));
        std::memset(b[i].hmask, 0, sizeof(b[i].hmask));
        for (int e = 0; e < QK_K; ++e) {
            const int h = e / 128, k = (e % 128) / 32, l = e % 32;
            const int v = q[e] + 4;  // 0..7
            b[i].qs[32 * h + l] |= (uint8_t)((v & 3) << (2 * k));
            if (v & 4) b[i].hmask[l] |= (uint8_t)(1u << (4 * h + k));
        }
    }
}

void quantize_row_q4_K(const float* src, void* dst, int64_t n) {
    block_q4_K* b = static_cast<block_q4_K*>(dst);
    for (int64_t i = 0; i < n / QK_K; ++i) {
        uint8_t sc[8], mn[8], L[QK_K];
        quantize_affine_superblock(src + i * QK_K, 8, 32, 15, 63, &b[i].d, &b[i].dmin, sc, mn, L);
        pack_k_scale_min(sc, mn, b[i].scales);
        for (int c = 0; c < 4; ++c) {
            for (int l = 0; l < 32; ++l) {
                b[i].qs[32 * c + l] = (uint8_t)(L[64 * c + l] | (L[64 * c + 32 + l] << 4));
            }
        }
    }
}

void quantize_row_q5_K(const float* src, void* dst, int64_t n) {
    block_q5_K* b = static_cast<block_q5_K*>(dst);
    for (int64_t i = 0; i < n / QK_K; ++i) {
        uint8_t sc[8], mn[8], L[QK_K];
        quantize_affine_superblock(src + i * QK_K, 8, 32, 31, 63, &b[i].d, &b[i].dmin, sc, mn, L);
        pack_k_scale_min(sc, mn, b[i].scales);
        std::memset(b[i].qh, 0, sizeof(b[i].qh));
        for (int c = 0; c < 4; ++c) {
            for (int l = 0; l < 32; ++l) {
                const int lo = L[64 * c + l], hi = L[64 * c + 32 + l];
                b[i].qs[32 * c + l] = (uint8_t)((lo & 0xF) | ((hi & 0xF) << 4));
                if (lo & 16) b[i].qh[l] |= (uint8_t)(1u << (2 * c));
                if (hi & 16) b[i].qh[l] |= (uint8_t)(2u << (2 * c));
            }
        }
    }
}

void quantize_row_q6_K(const float* src, void* dst, int64_t n) {
    block_q6_K* b = static_cast<block_q6_K*>(dst);
    for (int64_t i = 0; i < n / QK_K; ++i) {
        int sc[16], q[QK_K];
        quantize_symmetric_superblock(src + i * QK_K, 16, 16, 32, -128, 127, &b[i].d, sc, q);
        for (int j = 0; j < 16; ++j) b[i].scales[j] = (int8_t)sc[j];
        std::memset(b[i].ql, 0, sizeof(b[i].ql));
        std::memset(b[i].qh, 0, sizeof(b[i].qh));
        for (int e = 0; e < QK_K; ++e) {
            const int h = e / 128, k = (e % 128) / 32, l = e % 32;
            const int v = q[e] + 32;  // 0..63
            uint8_t& low = b[i].ql[64 * h + 32 * (k % 2) + l];
            low |= (uint8_t)((v & 0xF) << (k < 2 ? 0 : 4));
            b[i].qh[32 * h + l] |= (uint8_t)((v >> 4) << (2 * k));
        }
    }
}

}  // namespace akunu::ref
