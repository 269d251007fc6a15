#include "backend/cuda/cuda_device_config.h"

#include <cuda_runtime.h>

#include <algorithm>

#include "backend/cuda/cuda_check.h"

namespace akunu::cuda {
namespace {

// Kept free for the CUDA context, cuBLAS-free kernels' stacks and graphs: the engine's memory
// check compares weights + KV + scratch against what is left.
constexpr size_t kReserveBytes = size_t(512) << 20;

// Tokens per prefill batch: 512 fills a 64-token GEMM tile grid 8 deep and matches llama.cpp's
// default ubatch; tokens per chain submission: one synchronisation per 64 tokens.
constexpr uint32_t kPrefillChunk = 512;
constexpr uint32_t kChainChunk = 64;

}  // namespace

CudaDeviceInfo query_cuda_device(int device) {
    CudaDeviceInfo info;
    info.device = device;
    cudaDeviceProp p{};
    AKUNU_CUDA_CHECK(cudaGetDeviceProperties(&p, device));
    info.name = p.name;
    info.cc_major = p.major;
    info.cc_minor = p.minor;
    info.sms = p.multiProcessorCount;
    info.smem_per_block_optin = p.sharedMemPerBlockOptin;
    info.smem_per_sm = p.sharedMemPerMultiprocessor;
    info.l2_bytes = (size_t)p.l2CacheSize;
    info.total_mem = p.totalGlobalMem;
    // CUDA 13 dropped the clock fields from cudaDeviceProp; the attributes remain.
    AKUNU_CUDA_CHECK(cudaDeviceGetAttribute(&info.mem_clock_khz, cudaDevAttrMemoryClockRate, device));
    AKUNU_CUDA_CHECK(cudaDeviceGetAttribute(&info.bus_width_bits, cudaDevAttrGlobalMemoryBusWidth, device));
    size_t free_b = 0, total_b = 0;
    AKUNU_CUDA_CHECK(cudaMemGetInfo(&free_b, &total_b));
    info.free_mem = free_b;
    return info;
}

double datasheet_bandwidth_gbs(const CudaDeviceInfo& info) {
    // H100 SXM: 2619 MHz x 5120 bits -> 2 x 2.619e9 x 640 B = 3352 GB/s (datasheet 3.35 TB/s).
    return 2.0 * (double)info.mem_clock_khz * 1e3 * ((double)info.bus_width_bits / 8.0) / 1e9;
}

DeviceConfig cuda_device_config(const CudaDeviceInfo& info, const BackendOptions& options) {
    DeviceConfig c;
    c.kind = BackendKind::Cuda;
    c.backend_name = "cuda";
    c.device_name = info.name;
    c.n_cores = info.sms;
    c.n_threads = info.sms;
    c.isa = "sm_" + std::to_string(info.cc_major) + std::to_string(info.cc_minor);
    c.memory_bytes = info.free_mem > kReserveBytes ? info.free_mem - kReserveBytes : 0;
    c.cache_bytes = info.l2_bytes;
    c.datasheet_bandwidth_gbs = datasheet_bandwidth_gbs(info);
    c.prefill_chunk = options.prefill_chunk > 0 ? options.prefill_chunk : kPrefillChunk;
    c.chain_chunk = kChainChunk;
    c.fuse_residual_add = options.fuse_residual_add;
    return c;
}

}  // namespace akunu::cuda
