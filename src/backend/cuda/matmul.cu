// MatMul dispatch: one token goes to the GEMV kernel of its weight family (gemv_float.cu,
// gemv_q_legacy.cu, gemv_k_quants.cu), several tokens (or a GEMV whose alignment conditions fail)
// to the tiled kernel (gemm_tiled.cu). With rounded activations allowed, Q4_0 / Q8_0 GEMVs take the
// dp4a kernel and prefill takes cuBLAS on tensor cores, each where its conditions hold.
#include "backend/cuda/cuda_ops.h"
#include "core/error.h"

namespace akunu::cuda {

bool cuda_supports_weight_type(DType type) {
    switch (type) {
        case DType::F32: case DType::F16: case DType::BF16:
        case DType::Q4_0: case DType::Q4_1: case DType::Q5_0: case DType::Q5_1: case DType::Q8_0:
        case DType::Q2_K: case DType::Q3_K: case DType::Q4_K: case DType::Q5_K: case DType::Q6_K:
            return true;
    }
    return false;
}

void launch_matmul(const OpLaunch& l) {
    const Command& c = *l.cmd;
    const uint8_t* w = l.in[0];
    const float* x = reinterpret_cast<const float*>(l.in[1]) + (size_t)l.skip_rows * c.k;
    float* y = reinterpret_cast<float*>(l.out[0]);
    const bool acc = (c.flags & kAccumulate) != 0;
    const int n = (int)c.n, k = (int)c.k;
    if (l.m <= 0 || n == 0) return;
    if (!l.exact_activations) {
        if (l.m == 1 && l.q8_scratch && (l.packed_w || dp4a_gemv_eligible(c.wtype, k, w))) {
            const Q8Activations a = q8_activations_at(l.q8_scratch, k);
            if (!l.q8_fresh) launch_quantize_q8(x, a, k, l.stream);
            if (l.packed_w) {
                const PackedGemv one{l.packed_w, y, n};
                launch_gemv_q_packed(c.wtype, &one, 1, a, k, acc, l.stream);
            } else {
                launch_gemv_q_dp4a(c.wtype, w, a, y, n, k, acc, l.stream);
            }
            return;
        }
        if (l.m >= kCublasMinRows && launch_gemm_cublas(l.gemm, c.wtype, w, x, y, l.m, n, k, acc, l.stream)) return;
    }
    if (l.m == 1 && (launch_gemv_float(c.wtype, w, x, y, n, k, acc, l.stream) ||
                     launch_gemv_q_legacy(c.wtype, w, x, y, n, k, acc, l.stream) ||
                     launch_gemv_k_quants(c.wtype, w, x, y, n, k, acc, l.stream))) {
        return;
    }
    if (!launch_gemm_tiled(c.wtype, w, x, y, l.m, n, k, acc, l.stream)) {
        fail(ErrorKind::Unsupported, "cuda", std::string("MatMul weight type ") + dtype_name(c.wtype));
    }
}

}  // namespace akunu::cuda
