// RoPE in place on [m][heads][head_dim]: one thread per (token, rotated pair) computes the angle
// pos * theta^(-2i/rope_dim) and its cos/sin in double, exactly as cpu_rope does, then rotates that
// pair in every head. The position is read from the device RunState (state->pos + token), so a
// captured decode step rotates at the right position on every replay. Elements past rope_dim are
// not touched. Style 0 rotates (x[2i], x[2i+1]) (interleaved), otherwise (x[i], x[i + rope_dim/2]).
// factors (optional, Llama 3.1's rope_freqs) divide pair i's angle.
#include "backend/cuda/cuda_check.h"
#include "backend/cuda/cuda_common.cuh"
#include "backend/cuda/cuda_ops.h"

namespace akunu::cuda {
namespace {

__global__ void rope_kernel(float* x, const DevState* __restrict__ state, int m, int heads, int head_dim, int rope_dim,
                            int style, float theta, const float* __restrict__ factors) {
    pdl_enter();
    const int half = rope_dim / 2;
    const int idx = blockIdx.x * blockDim.x + threadIdx.x;
    if (idx >= m * half) return;
    const int t = idx / half, i = idx % half;
    const double pos = (double)(state->pos + t);
    double angle = pos * pow((double)theta, -2.0 * i / rope_dim);
    if (factors) angle /= (double)factors[i];
    double sd, cd;
    sincos(angle, &sd, &cd);
    const float c = (float)cd, s = (float)sd;
    const int a = style == 0 ? 2 * i : i;
    const int b = style == 0 ? 2 * i + 1 : i + half;
    for (int h = 0; h < heads; ++h) {
        float* v = x + ((size_t)t * heads + h) * head_dim;
        const float x0 = v[a], x1 = v[b];
        v[a] = __fsub_rn(__fmul_rn(x0, c), __fmul_rn(x1, s));
        v[b] = __fadd_rn(__fmul_rn(x0, s), __fmul_rn(x1, c));
    }
}

}  // namespace

void launch_rope(const OpLaunch& l) {
    const Command& c = *l.cmd;
    const int half = (int)c.p[2] / 2;
    const size_t threads = (size_t)l.m * half;
    if (threads == 0) return;
    launch_pdl(rope_kernel, ceil_div(threads, 128), 128, 0, l.stream, reinterpret_cast<float*>(l.out[0]), l.state, l.m,
                                                              (int)c.p[0], (int)c.p[1], (int)c.p[2], (int)c.p[3], c.f0,
                                                              reinterpret_cast<const float*>(l.in[0]));
    AKUNU_CUDA_LAUNCHED("rope_kernel");
}

}  // namespace akunu::cuda
