// Launchers of the GEMV kernels whose work units gemv_k_quants.cuh defines.
#include "backend/cuda/cuda_ops.h"
#include "backend/cuda/gemv_k_quants.cuh"

namespace akunu::cuda {

bool launch_gemv_k_quants(DType type, const uint8_t* w, const float* x, float* y, int n, int k, bool accumulate,
                          cudaStream_t s) {
    if (!aligned16(x)) return false;
    switch (type) {
        case DType::Q2_K: launch_gemv_units<DType::Q2_K>(w, x, y, n, k, accumulate, s); return true;
        case DType::Q3_K: launch_gemv_units<DType::Q3_K>(w, x, y, n, k, accumulate, s); return true;
        case DType::Q4_K: launch_gemv_units<DType::Q4_K>(w, x, y, n, k, accumulate, s); return true;
        case DType::Q5_K: launch_gemv_units<DType::Q5_K>(w, x, y, n, k, accumulate, s); return true;
        case DType::Q6_K: launch_gemv_units<DType::Q6_K>(w, x, y, n, k, accumulate, s); return true;
        default: return false;
    }
}

}  // namespace akunu::cuda
