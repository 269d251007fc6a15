// The KV cache's element type on the device: float (exact) or __half (rounded to nearest even once,
// when stored). Kernels template on it; every read converts to f32 in registers, so the arithmetic
// after the load is the same for both.
#pragma once

#include <cuda_fp16.h>

#include "format/dtype.h"

namespace akunu::cuda {

__device__ __forceinline__ float kv_to_f32(float x) { return x; }
__device__ __forceinline__ float kv_to_f32(__half x) { return __half2float(x); }

template <class T>
__device__ __forceinline__ T kv_from_f32(float x);
template <>
__device__ __forceinline__ float kv_from_f32<float>(float x) { return x; }
template <>
__device__ __forceinline__ __half kv_from_f32<__half>(float x) { return __float2half_rn(x); }

// Calls f.template operator()<T>() with the element type of a cache of `type` (F32 or F16; the
// backend's validate() refuses the others before anything runs).
template <class F>
void dispatch_kv_type(DType type, F&& f) {
    if (type == DType::F16) f.template operator()<__half>();
    else f.template operator()<float>();
}

}  // namespace akunu::cuda
