#include "backend/cpu/attention_dispatch.h"

#include <algorithm>
#include <atomic>
#include <string>

#include "backend/cpu/thread_pool.h"
#include "core/error.h"

namespace akunu {

AttentionDispatch::AttentionDispatch(CpuIsa isa, AttentionForm form) : isa_(isa), form_(form), kernels_(nullptr) {
    if (isa == CpuIsa::Scalar) return;
    kernels_ = isa == CpuIsa::Avx512 ? attention_kernels_avx512() : attention_kernels_avx2();
    if (!kernels_) fail(ErrorKind::Unsupported, "cpu", std::string("kernel level ") + cpu_isa_name(isa) + " is not in this build");
}

size_t AttentionDispatch::scratch_floats(int32_t head_dim, int32_t max_ctx) const {
    // The scalar kernel: the scores of one row, then one widened key row (f16 caches).
    return kernels_ ? kernels_->scratch_floats(head_dim) : (size_t)std::max(max_ctx, 1) + (size_t)head_dim;
}

void AttentionDispatch::run(const AttentionArgs& a, ThreadPool& pool, const CpuScratch& scratch) const {
    if (!kernels_) {
        if (a.k_half) {
            cpu_attention(a.q, a.k_half, a.v_half, a.out, a.m, a.pos0, a.n_heads, a.n_kv_heads, a.head_dim, a.max_ctx,
                          a.scale, a.window, a.softcap, pool, scratch);
        } else {
            cpu_attention(a.q, a.k_cache, a.v_cache, a.out, a.m, a.pos0, a.n_heads, a.n_kv_heads, a.head_dim,
                          a.max_ctx, a.scale, a.window, a.softcap, pool, scratch);
        }
        return;
    }
    if (a.m <= 0) return;
    // Units: consecutive rows of one KV head, at most max_unit_rows so that they share each key and
    // value they load. Fewer units than threads would leave threads idle (decode with few KV heads),
    // so then the rows are cut finer, down to one per unit.
    const int64_t rows = (int64_t)a.m * (a.n_heads / a.n_kv_heads);
    const int64_t threads = pool.size();
    int64_t per_head = (rows + kernels_->max_unit_rows - 1) / kernels_->max_unit_rows;
    if (per_head * a.n_kv_heads < threads) per_head = std::min<int64_t>(rows, (threads + a.n_kv_heads - 1) / a.n_kv_heads);
    const int64_t unit_rows = (rows + per_head - 1) / per_head;
    per_head = (rows + unit_rows - 1) / unit_rows;
    const int64_t units = per_head * a.n_kv_heads;
    // Later rows see more keys (causal), so units are handed out last rows first, and on demand: a
    // thread that finishes early (or another process's load that stalls one) evens out.
    std::atomic<int64_t> next{0};
    const AttentionUnitFn unit = kernels_->unit;
    const AttentionForm form = form_;
    pool.parallel_for(threads, 1, [&](int64_t, int64_t, int thread) {
        float* s = scratch.scores + (size_t)thread * scratch.scores_stride;
        for (int64_t u; (u = next.fetch_add(1, std::memory_order_relaxed)) < units;) {
            const int64_t block = per_head - 1 - u / a.n_kv_heads;
            const int32_t kv_head = (int32_t)(u % a.n_kv_heads);
            const int64_t r0 = block * unit_rows, r1 = std::min(rows, r0 + unit_rows);
            unit(a, kv_head, (int32_t)r0, (int32_t)r1, form, s);
        }
    });
}

}  // namespace akunu
