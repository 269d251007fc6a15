// The attention inputs in one kernel: [QK-norm on q and k] + RoPE on q and k + KV store, the run of
// 3 (llama) or 5 (qwen3) table commands between the V projection and Attention. The backend fuses
// that run when it matches exactly (cuda_backend.cu, fuse_attention_inputs); the unfused commands
// stay the oracle and what the profile times one by one.
//
// One CTA per (head, token): heads 0..n_heads-1 are q heads, the next n_kv_heads are k heads (which
// also write the rotated k and the v head into the caches at state->pos + token, as f32 or rounded
// to f16 like kv_store.cu). Every formula is
// the unfused kernels' own (rmsnorm.cu: sum of squares in double, two roundings; rope.cu: the angle
// and its cos/sin in double, the same four roundings); only the order of the double sum of squares
// differs (thread count), so fused and unfused agree to the last bit of a double before rounding.
//
// Why: for qwen3-0.6B a decode step is ~450 kernels of a few microseconds each; these 5 commands
// per layer are 140 of them. Prediction: 4 fewer launches per layer -> ~10-15% off a 0.6B step.
#include "backend/cuda/cuda_check.h"
#include "backend/cuda/cuda_common.cuh"
#include "backend/cuda/cuda_ops.h"
#include "backend/cuda/kv_elem.cuh"

namespace akunu::cuda {
namespace {

constexpr int kThreads = 128;

template <class T>
__global__ void __launch_bounds__(kThreads)
    qk_rope_store_kernel(float* q, float* k, const float* __restrict__ v, const float* __restrict__ q_norm,
                         const float* __restrict__ k_norm, float eps, T* __restrict__ kc, T* __restrict__ vc,
                         const DevState* __restrict__ state, int heads, int kv_heads, int hd, int rope_dim, int style,
                         float theta, const float* __restrict__ factors, int max_ctx) {
    pdl_enter();
    extern __shared__ float head[];  // hd floats
    __shared__ double scratch[32];
    const int h = blockIdx.x, t = blockIdx.y;
    const bool is_k = h >= heads;
    const int hh = is_k ? h - heads : h;
    float* x = is_k ? k + ((size_t)t * kv_heads + hh) * hd : q + ((size_t)t * heads + hh) * hd;
    const float* w = is_k ? k_norm : q_norm;
    for (int i = threadIdx.x; i < hd; i += blockDim.x) head[i] = x[i];
    if (w) {  // block-uniform
        double ss = 0.0;
        for (int i = threadIdx.x; i < hd; i += blockDim.x) {
            const double e = head[i];
            ss += e * e;
        }
        ss = block_sum(ss, scratch);
        const float scale = (float)(1.0 / sqrt(ss / (double)hd + (double)eps));
        for (int i = threadIdx.x; i < hd; i += blockDim.x) head[i] = __fmul_rn(__fmul_rn(head[i], scale), w[i]);
    }
    __syncthreads();
    const int half = rope_dim / 2;
    const int pos = state->pos + t;
    for (int i = threadIdx.x; i < half; i += blockDim.x) {
        double angle = (double)pos * pow((double)theta, -2.0 * i / rope_dim);
        if (factors) angle /= (double)factors[i];
        double sd, cd;
        sincos(angle, &sd, &cd);
        const float c = (float)cd, s = (float)sd;
        const int a = style == 0 ? 2 * i : i;
        const int b = style == 0 ? 2 * i + 1 : i + half;
        const float x0 = head[a], x1 = head[b];
        head[a] = __fsub_rn(__fmul_rn(x0, c), __fmul_rn(x1, s));
        head[b] = __fadd_rn(__fmul_rn(x0, s), __fmul_rn(x1, c));
    }
    __syncthreads();
    const bool store = is_k && pos >= 0 && pos < max_ctx;
    const size_t dst = ((size_t)hh * max_ctx + pos) * hd;
    const float* vr = v + ((size_t)t * kv_heads + hh) * hd;
    for (int i = threadIdx.x; i < hd; i += blockDim.x) {
        x[i] = head[i];
        if (store) {
            kc[dst + i] = kv_from_f32<T>(head[i]);
            vc[dst + i] = kv_from_f32<T>(vr[i]);
        }
    }
}

}  // namespace

void launch_qk_rope_store(const QkRopeStore& f, int m, const DevState* state, cudaStream_t s) {
    if (m <= 0) return;
    const dim3 grid((unsigned)(f.heads + f.kv_heads), (unsigned)m);
    dispatch_kv_type(f.kv_type, [&]<class T>() {
        launch_pdl(qk_rope_store_kernel<T>, grid, kThreads, (size_t)f.head_dim * sizeof(float), s, f.q, f.k,
                   (const float*)f.v, (const float*)f.q_norm, (const float*)f.k_norm, f.eps,
                   static_cast<T*>(f.k_cache), static_cast<T*>(f.v_cache), state, f.heads, f.kv_heads, f.head_dim,
                   f.rope_dim, f.style, f.theta, f.freq_factors, f.max_ctx);
        AKUNU_CUDA_LAUNCHED("qk_rope_store_kernel");
    });
}

}  // namespace akunu::cuda
