// Causal attention over the head-major KV cache: token t of the run (position pos0 + t) attends to
// positions 0..pos0+t (the last `window` of them when window > 0). Query heads share KV heads in
// groups (GQA).
#include <cmath>

#include "backend/cpu/cpu_kernels.h"
#include "backend/cpu/thread_pool.h"
#include "core/half.h"

namespace akunu {

namespace {

inline void put(float* d, float x) { *d = x; }
inline void put(uint16_t* d, float x) { *d = fp32_to_fp16(x); }
inline float get(const float* p) { return *p; }
inline float get(const uint16_t* p) { return fp16_to_fp32(*p); }

template <class T>
void kv_store(const float* k, const float* v, T* k_cache, T* v_cache, int32_t m, int32_t pos0, int32_t kv_heads,
              int32_t head_dim, int32_t max_ctx) {
    for (int32_t t = 0; t < m; ++t) {
        const size_t pos = (size_t)(pos0 + t);
        for (int32_t h = 0; h < kv_heads; ++h) {
            const float* ks = k + ((size_t)t * kv_heads + h) * head_dim;
            const float* vs = v + ((size_t)t * kv_heads + h) * head_dim;
            T* kd = k_cache + ((size_t)h * max_ctx + pos) * head_dim;
            T* vd = v_cache + ((size_t)h * max_ctx + pos) * head_dim;
            for (int32_t d = 0; d < head_dim; ++d) {
                put(kd + d, ks[d]);
                put(vd + d, vs[d]);
            }
        }
    }
}

// f32 caches are read in place; f16 rows are widened into `row` first (one row per thread).
inline const float* key_row(const float* k, float*, int32_t) { return k; }
inline const float* key_row(const uint16_t* k, float* row, int32_t head_dim) {
    for (int32_t d = 0; d < head_dim; ++d) row[d] = fp16_to_fp32(k[d]);
    return row;
}

template <class T>
void attention(const float* q, const T* k_cache, const T* v_cache, float* out, int32_t m, int32_t pos0,
               int32_t n_heads, int32_t n_kv_heads, int32_t head_dim, int32_t max_ctx, float scale, int32_t window,
               float softcap, ThreadPool& pool, const CpuScratch& scratch) {
    const int32_t group = n_heads / n_kv_heads;
    pool.parallel_for((int64_t)m * n_heads, 1, [&](int64_t begin, int64_t end, int thread) {
        float* scores = scratch.scores + (size_t)thread * scratch.scores_stride;
        float* row = scores + max_ctx;  // f16 caches: one widened key row
        for (int64_t unit = begin; unit < end; ++unit) {
            const int32_t t = (int32_t)(unit / n_heads), h = (int32_t)(unit % n_heads);
            const int32_t kvh = h / group;
            const int32_t last = pos0 + t;
            const int32_t first = window > 0 && last - window + 1 > 0 ? last - window + 1 : 0;
            const int32_t len = last - first + 1;
            const float* qh = q + ((size_t)t * n_heads + h) * head_dim;
            const T* kh = k_cache + ((size_t)kvh * max_ctx + first) * head_dim;
            const T* vh = v_cache + ((size_t)kvh * max_ctx + first) * head_dim;
            float mx = -INFINITY;
            for (int32_t p = 0; p < len; ++p) {
                float s = dot_f32(qh, key_row(kh + (size_t)p * head_dim, row, head_dim), head_dim) * scale;
                if (softcap > 0) s = softcap * std::tanh(s / softcap);
                scores[p] = s;
                mx = s > mx ? s : mx;
            }
            double sum = 0;
            for (int32_t p = 0; p < len; ++p) {
                scores[p] = std::exp(scores[p] - mx);
                sum += scores[p];
            }
            const float inv = (float)(1.0 / sum);
            float* oh = out + ((size_t)t * n_heads + h) * head_dim;
            for (int32_t d = 0; d < head_dim; ++d) oh[d] = 0;
            for (int32_t p = 0; p < len; ++p) {
                const float wgt = scores[p] * inv;
                const T* vp = vh + (size_t)p * head_dim;
                for (int32_t d = 0; d < head_dim; ++d) oh[d] += wgt * get(vp + d);
            }
        }
    });
}

}  // namespace

void cpu_kv_store(const float* k, const float* v, float* k_cache, float* v_cache, int32_t m, int32_t pos0,
                  int32_t kv_heads, int32_t head_dim, int32_t max_ctx) {
    kv_store(k, v, k_cache, v_cache, m, pos0, kv_heads, head_dim, max_ctx);
}

void cpu_kv_store(const float* k, const float* v, uint16_t* k_cache, uint16_t* v_cache, int32_t m, int32_t pos0,
                  int32_t kv_heads, int32_t head_dim, int32_t max_ctx) {
    kv_store(k, v, k_cache, v_cache, m, pos0, kv_heads, head_dim, max_ctx);
}

void cpu_attention(const float* q, const float* k_cache, const float* v_cache, float* out, int32_t m, int32_t pos0,
                   int32_t n_heads, int32_t n_kv_heads, int32_t head_dim, int32_t max_ctx, float scale,
                   int32_t window, float softcap, ThreadPool& pool, const CpuScratch& scratch) {
    attention(q, k_cache, v_cache, out, m, pos0, n_heads, n_kv_heads, head_dim, max_ctx, scale, window, softcap, pool,
              scratch);
}

void cpu_attention(const float* q, const uint16_t* k_cache, const uint16_t* v_cache, float* out, int32_t m,
                   int32_t pos0, int32_t n_heads, int32_t n_kv_heads, int32_t head_dim, int32_t max_ctx, float scale,
                   int32_t window, float softcap, ThreadPool& pool, const CpuScratch& scratch) {
    attention(q, k_cache, v_cache, out, m, pos0, n_heads, n_kv_heads, head_dim, max_ctx, scale, window, softcap, pool,
              scratch);
}

}  // namespace akunu
