// The per-element ops of the non-LLaMA families: Q/K/V bias add (Qwen2), GeGLU, scale (Gemma's
// embedding scale) and soft-cap (Gemma 2's final logits). One thread per element, in place allowed,
// the CPU reference's formulas (cpu_kernels.h) with explicitly rounded f32 steps.
#include "backend/cuda/cuda_check.h"
#include "backend/cuda/cuda_common.cuh"
#include "backend/cuda/cuda_ops.h"

namespace akunu::cuda {
namespace {

__global__ void add_bias_kernel(const float* x, const float* __restrict__ bias, float* y, size_t count, unsigned n) {
    pdl_enter();
    const size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < count) y[i] = __fadd_rn(x[i], bias[i % n]);
}

// gelu_tanh(g) = g / (1 + exp(-2u)), u = sqrt(2/pi) (g + 0.044715 g^3): cpu_geglu's form.
__global__ void geglu_kernel(const float* gate, const float* up, float* y, size_t count) {
    pdl_enter();
    const size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < count) {
        const float g = gate[i];
        const float u = __fmul_rn(0.7978845608028654f, __fadd_rn(g, __fmul_rn(__fmul_rn(__fmul_rn(0.044715f, g), g), g)));
        y[i] = __fmul_rn(__fdiv_rn(g, __fadd_rn(1.0f, expf(__fmul_rn(-2.0f, u)))), up[i]);
    }
}

__global__ void scale_kernel(const float* x, float* y, size_t count, float s) {
    pdl_enter();
    const size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < count) y[i] = __fmul_rn(x[i], s);
}

__global__ void softcap_kernel(const float* x, float* y, size_t count, float cap) {
    pdl_enter();
    const size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < count) y[i] = __fmul_rn(cap, tanhf(__fdiv_rn(x[i], cap)));
}

const float* f32_in(const OpLaunch& l, int j) { return reinterpret_cast<const float*>(l.in[j]); }
float* f32_out(const OpLaunch& l) { return reinterpret_cast<float*>(l.out[0]); }

}  // namespace

void launch_add_bias(const OpLaunch& l) {
    const size_t count = (size_t)l.m * l.cmd->n;
    if (count == 0) return;
    launch_pdl(add_bias_kernel, ceil_div(count, 256), 256, 0, l.stream, f32_in(l, 0), f32_in(l, 1), f32_out(l), count,
               (unsigned)l.cmd->n);
    AKUNU_CUDA_LAUNCHED("add_bias_kernel");
}

void launch_geglu(const OpLaunch& l) {
    const size_t count = (size_t)l.m * l.cmd->n;
    if (count == 0) return;
    launch_pdl(geglu_kernel, ceil_div(count, 256), 256, 0, l.stream, f32_in(l, 0), f32_in(l, 1), f32_out(l), count);
    AKUNU_CUDA_LAUNCHED("geglu_kernel");
}

void launch_scale(const OpLaunch& l) {
    const size_t count = (size_t)l.m * l.cmd->n;
    if (count == 0) return;
    launch_pdl(scale_kernel, ceil_div(count, 256), 256, 0, l.stream, f32_in(l, 0), f32_out(l), count, l.cmd->f0);
    AKUNU_CUDA_LAUNCHED("scale_kernel");
}

void launch_softcap(const OpLaunch& l) {
    const size_t count = (size_t)l.m * l.cmd->n;
    if (count == 0) return;
    launch_pdl(softcap_kernel, ceil_div(count, 256), 256, 0, l.stream, f32_in(l, 0), f32_out(l), count, l.cmd->f0);
    AKUNU_CUDA_LAUNCHED("softcap_kernel");
}

}  // namespace akunu::cuda
