#include "backend/cpu/elementwise_dispatch.h"

#include <algorithm>
#include <string>

#include "backend/cpu/cpu_kernels.h"
#include "backend/cpu/thread_pool.h"
#include "core/error.h"

namespace akunu {
namespace {
// Elements per pool grain: ~10 µs of SwiGLU or RMSNorm work, well above a hand-off's cost, so a
// decode step (at most a few grains) runs inline and a prefill chunk splits evenly.
constexpr int64_t kElementGrain = 16384;
}  // namespace

ElementwiseDispatch::ElementwiseDispatch(CpuIsa isa) : isa_(isa), kernels_(nullptr) {
    if (isa == CpuIsa::Scalar) return;
    kernels_ = isa == CpuIsa::Avx512 ? elementwise_kernels_avx512() : elementwise_kernels_avx2();
    if (!kernels_) fail(ErrorKind::Unsupported, "cpu", std::string("kernel level ") + cpu_isa_name(isa) + " is not in this build");
}

void ElementwiseDispatch::swiglu(const float* gate, const float* up, float* y, int64_t count, ThreadPool& pool) const {
    auto f = kernels_ ? kernels_->swiglu : cpu_swiglu;
    pool.parallel_for(count, kElementGrain, [&](int64_t b, int64_t e, int) { f(gate + b, up + b, y + b, e - b); });
}

void ElementwiseDispatch::geglu(const float* gate, const float* up, float* y, int64_t count, ThreadPool& pool) const {
    auto f = kernels_ ? kernels_->geglu : cpu_geglu;
    pool.parallel_for(count, kElementGrain, [&](int64_t b, int64_t e, int) { f(gate + b, up + b, y + b, e - b); });
}

void ElementwiseDispatch::rmsnorm(const float* x, const float* w, float* y, int64_t rows, int64_t k, float eps,
                                  ThreadPool& pool) const {
    auto f = kernels_ ? kernels_->rmsnorm : cpu_rmsnorm;
    const int64_t grain = std::max<int64_t>(1, kElementGrain / std::max<int64_t>(k, 1));
    pool.parallel_for(rows, grain, [&](int64_t b, int64_t e, int) { f(x + b * k, w, y + b * k, e - b, k, eps); });
}

int32_t ElementwiseDispatch::argmax(const float* x, int64_t n) const {
    return kernels_ ? kernels_->argmax(x, n) : cpu_argmax(x, n);
}

void ElementwiseDispatch::kv_store_f16(const float* k, const float* v, uint16_t* k_cache, uint16_t* v_cache, int32_t m,
                                       int32_t pos0, int32_t kv_heads, int32_t head_dim, int32_t max_ctx) const {
    if (!kernels_) {
        cpu_kv_store(k, v, k_cache, v_cache, m, pos0, kv_heads, head_dim, max_ctx);
        return;
    }
    for (int32_t t = 0; t < m; ++t) {
        for (int32_t h = 0; h < kv_heads; ++h) {
            const size_t src = ((size_t)t * kv_heads + h) * head_dim, dst = ((size_t)h * max_ctx + pos0 + t) * head_dim;
            kernels_->to_f16(k + src, k_cache + dst, head_dim);
            kernels_->to_f16(v + src, v_cache + dst, head_dim);
        }
    }
}

}  // namespace akunu
