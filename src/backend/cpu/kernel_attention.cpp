// Causal attention over the head-major KV cache: token t of the run (position pos0 + t) attends to
// positions 0..pos0+t (the last `window` of them when window > 0). Query heads share KV heads in
// groups (GQA).
#include <cmath>

#include "backend/cpu/cpu_kernels.h"
#include "backend/cpu/thread_pool.h"

namespace akunu {

void cpu_kv_store(const float* k, const float* v, float* k_cache, float* v_cache, int32_t m, int32_t pos0,
                  int32_t kv_heads, int32_t head_dim, int32_t max_ctx) {
    for (int32_t t = 0; t < m; ++t) {
        const size_t pos = (size_t)(pos0 + t);
        for (int32_t h = 0; h < kv_heads; ++h) {
            const float* ks = k + ((size_t)t * kv_heads + h) * head_dim;
            const float* vs = v + ((size_t)t * kv_heads + h) * head_dim;
            float* kd = k_cache + ((size_t)h * max_ctx + pos) * head_dim;
            float* vd = v_cache + ((size_t)h * max_ctx + pos) * head_dim;
            for (int32_t d = 0; d < head_dim; ++d) {
                kd[d] = ks[d];
                vd[d] = vs[d];
            }
        }
    }
}

void cpu_attention(const float* q, const float* k_cache, const float* v_cache, float* out, int32_t m, int32_t pos0,
                   int32_t n_heads, int32_t n_kv_heads, int32_t head_dim, int32_t max_ctx, float scale,
                   int32_t window, float softcap, ThreadPool& pool, const CpuScratch& scratch) {
    const int32_t group = n_heads / n_kv_heads;
    pool.parallel_for((int64_t)m * n_heads, 1, [&](int64_t begin, int64_t end, int thread) {
        float* scores = scratch.scores + (size_t)thread * scratch.scores_stride;
        for (int64_t unit = begin; unit < end; ++unit) {
            const int32_t t = (int32_t)(unit / n_heads), h = (int32_t)(unit % n_heads);
            const int32_t kvh = h / group;
            const int32_t last = pos0 + t;
            const int32_t first = window > 0 && last - window + 1 > 0 ? last - window + 1 : 0;
            const int32_t len = last - first + 1;
            const float* qh = q + ((size_t)t * n_heads + h) * head_dim;
            const float* kh = k_cache + ((size_t)kvh * max_ctx + first) * head_dim;
            const float* vh = v_cache + ((size_t)kvh * max_ctx + first) * head_dim;
            float mx = -INFINITY;
            for (int32_t p = 0; p < len; ++p) {
                float s = dot_f32(qh, kh + (size_t)p * head_dim, head_dim) * scale;
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
                const float* vp = vh + (size_t)p * head_dim;
                for (int32_t d = 0; d < head_dim; ++d) oh[d] += wgt * vp[d];
            }
        }
    });
}

}  // namespace akunu
