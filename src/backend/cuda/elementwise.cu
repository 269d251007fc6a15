// The light ops: embedding lookup (any weight type, dequantized with the reference's rounding),
// residual add and SwiGLU (one thread per element, the reference's roundings, in place allowed).
#include "backend/cuda/cuda_check.h"
#include "backend/cuda/cuda_common.cuh"
#include "backend/cuda/cuda_ops.h"
#include "backend/cuda/dequant.cuh"
#include "core/error.h"

namespace akunu::cuda {
namespace {

template <DType T>
__global__ void embed_kernel(const int32_t* __restrict__ tokens, const uint8_t* __restrict__ table, size_t row_bytes,
                             float* __restrict__ out, int k) {
    pdl_enter();
    const int t = blockIdx.x;
    const uint8_t* row = table + (size_t)tokens[t] * row_bytes;
    float* o = out + (size_t)t * k;
    if constexpr (kIsDense<T>) {
        for (int i = threadIdx.x; i < k; i += blockDim.x) o[i] = dense_elem<T>(row, i);
    } else {
        for (int u = threadIdx.x; u < k / 32; u += blockDim.x) {
            float v[32];
            deq32<T>(row, u, v);
#pragma unroll
            for (int j = 0; j < 32; ++j) o[32 * u + j] = v[j];
        }
    }
}

__global__ void add_kernel(const float* a, const float* b, float* y, size_t count) {
    pdl_enter();
    const size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < count) y[i] = __fadd_rn(a[i], b[i]);
}

__global__ void swiglu_kernel(const float* gate, const float* up, float* y, size_t count) {
    pdl_enter();
    const size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < count) {
        const float g = gate[i];
        y[i] = __fmul_rn(__fdiv_rn(g, __fadd_rn(1.0f, expf(-g))), up[i]);
    }
}

}  // namespace

void launch_embed_lookup(const OpLaunch& l) {
    const Command& c = *l.cmd;
    const int k = (int)c.k;
    if (l.m <= 0 || k == 0) return;
    const bool ok = dispatch_dtype(c.wtype, [&]<DType T>() {
        const size_t row_bytes = (size_t)(k / TypeInfo<T>::kBlock) * TypeInfo<T>::kBytes;
        launch_pdl(embed_kernel<T>, (unsigned)l.m, 128, 0, l.stream, reinterpret_cast<const int32_t*>(l.in[0]), l.in[1],
                                                             row_bytes, reinterpret_cast<float*>(l.out[0]), k);
        AKUNU_CUDA_LAUNCHED("embed_kernel");
    });
    if (!ok) fail(ErrorKind::Unsupported, "cuda", std::string("EmbedLookup weight type ") + dtype_name(c.wtype));
}

void launch_add(const OpLaunch& l) {
    const size_t count = (size_t)l.m * l.cmd->n;
    if (count == 0) return;
    launch_pdl(add_kernel, ceil_div(count, 256), 256, 0, l.stream, reinterpret_cast<const float*>(l.in[0]),
                                                           reinterpret_cast<const float*>(l.in[1]),
                                                           reinterpret_cast<float*>(l.out[0]), count);
    AKUNU_CUDA_LAUNCHED("add_kernel");
}

void launch_swiglu(const OpLaunch& l) {
    const size_t count = (size_t)l.m * l.cmd->n;
    if (count == 0) return;
    launch_pdl(swiglu_kernel, ceil_div(count, 256), 256, 0, l.stream, reinterpret_cast<const float*>(l.in[0]),
                                                              reinterpret_cast<const float*>(l.in[1]),
                                                              reinterpret_cast<float*>(l.out[0]), count);
    AKUNU_CUDA_LAUNCHED("swiglu_kernel");
}

}  // namespace akunu::cuda
