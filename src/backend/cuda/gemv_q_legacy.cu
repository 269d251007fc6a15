// Launchers of the GEMV kernels whose work units gemv_q_legacy.cuh defines.
#include "backend/cuda/cuda_ops.h"
#include "backend/cuda/gemv_q_legacy.cuh"
#include "backend/cuda/gemv_q_coop.cuh"

namespace akunu::cuda {

bool launch_gemv_q_legacy(DType type, const uint8_t* w, const float* x, float* y, int n, int k, bool accumulate,
                          cudaStream_t s) {
    if (!aligned16(x)) return false;
    // Q4_0 / Q8_0: the cooperative kernel (gemv_q_coop.cuh) when blocks are 2-byte aligned.
    const bool coop_ok = k % 32 == 0 && ((uintptr_t)w & 1u) == 0;
    if (coop_ok && type == DType::Q4_0) { launch_gemv_coop<DType::Q4_0>(w, x, y, n, k, accumulate, s); return true; }
    if (coop_ok && type == DType::Q8_0) { launch_gemv_coop<DType::Q8_0>(w, x, y, n, k, accumulate, s); return true; }
    switch (type) {
        case DType::Q4_0: launch_gemv_units<DType::Q4_0>(w, x, y, n, k, accumulate, s); return true;
        case DType::Q4_1: launch_gemv_units<DType::Q4_1>(w, x, y, n, k, accumulate, s); return true;
        case DType::Q5_0: launch_gemv_units<DType::Q5_0>(w, x, y, n, k, accumulate, s); return true;
        case DType::Q5_1: launch_gemv_units<DType::Q5_1>(w, x, y, n, k, accumulate, s); return true;
        case DType::Q8_0: launch_gemv_units<DType::Q8_0>(w, x, y, n, k, accumulate, s); return true;
        default: return false;
    }
}

}  // namespace akunu::cuda
