// KV store: copies k and v of the run's tokens [m][kv_heads][head_dim] into the head-major caches
// [kv_heads][max_ctx][head_dim] at positions state->pos + t (read from the device RunState).
// F32 caches: a bit-exact copy; F16: each value rounded to nearest even (kv_elem.cuh). Positions
// at or past max_ctx are dropped (the engine never asks for them).
#include "backend/cuda/cuda_check.h"
#include "backend/cuda/cuda_common.cuh"
#include "backend/cuda/cuda_ops.h"
#include "backend/cuda/kv_elem.cuh"

namespace akunu::cuda {
namespace {

template <class T>
__global__ void kv_store_kernel(const float* __restrict__ k, const float* __restrict__ v, T* __restrict__ kc,
                                T* __restrict__ vc, const DevState* __restrict__ state, int m, int kv_heads,
                                int head_dim, int max_ctx) {
    pdl_enter();
    const size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    const size_t per_token = (size_t)kv_heads * head_dim;
    if (i >= (size_t)m * per_token) return;
    const int t = (int)(i / per_token);
    const int h = (int)((i % per_token) / head_dim);
    const int d = (int)(i % head_dim);
    const int pos = state->pos + t;
    if (pos < 0 || pos >= max_ctx) return;
    const size_t dst = ((size_t)h * max_ctx + pos) * head_dim + d;
    kc[dst] = kv_from_f32<T>(k[i]);
    vc[dst] = kv_from_f32<T>(v[i]);
}

}  // namespace

void launch_kv_store(const OpLaunch& l) {
    const Command& c = *l.cmd;
    const size_t count = (size_t)l.m * c.p[0] * c.p[1];
    if (count == 0) return;
    dispatch_kv_type(c.wtype, [&]<class T>() {
        launch_pdl(kv_store_kernel<T>, ceil_div(count, 256), 256, 0, l.stream,
                   reinterpret_cast<const float*>(l.in[0]), reinterpret_cast<const float*>(l.in[1]),
                   reinterpret_cast<T*>(l.out[0]), reinterpret_cast<T*>(l.out[1]), l.state, l.m, (int)c.p[0],
                   (int)c.p[1], (int)c.p[2]);
        AKUNU_CUDA_LAUNCHED("kv_store_kernel");
    });
}

}  // namespace akunu::cuda
