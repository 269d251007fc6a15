// RMSNorm: one block per row; the sum of squares is accumulated in double like the reference
// (cpu_rmsnorm), then y = x * scale * w with the reference's two roundings. In place allowed: each
// thread rewrites only the elements it read.
#include "backend/cuda/cuda_check.h"
#include "backend/cuda/cuda_common.cuh"
#include "backend/cuda/cuda_ops.h"

namespace akunu::cuda {
namespace {

__global__ void rmsnorm_kernel(const float* x, const float* __restrict__ w, float* y, int k, float eps) {
    pdl_enter();
    __shared__ double scratch[32];
    const float* xr = x + (size_t)blockIdx.x * k;
    float* yr = y + (size_t)blockIdx.x * k;
    double ss = 0.0;
    for (int i = threadIdx.x; i < k; i += blockDim.x) {
        const double v = xr[i];
        ss += v * v;
    }
    ss = block_sum(ss, scratch);
    const float scale = (float)(1.0 / sqrt(ss / (double)k + (double)eps));
    for (int i = threadIdx.x; i < k; i += blockDim.x) yr[i] = __fmul_rn(__fmul_rn(xr[i], scale), w[i]);
}

}  // namespace

void launch_rmsnorm(const OpLaunch& l) {
    const Command& c = *l.cmd;
    const int k = (int)c.k;
    const size_t rows = (size_t)l.m * c.p[0];
    if (rows == 0 || k == 0) return;
    const float* x = reinterpret_cast<const float*>(l.in[0]) + (size_t)l.skip_rows * c.p[0] * k;
    int threads = 32;
    while (threads < 1024 && threads * 4 < k) threads *= 2;
    launch_pdl(rmsnorm_kernel, (unsigned)rows, threads, 0, l.stream, x, reinterpret_cast<const float*>(l.in[1]),
                                                            reinterpret_cast<float*>(l.out[0]), k, c.f0);
    AKUNU_CUDA_LAUNCHED("rmsnorm_kernel");
}

}  // namespace akunu::cuda
