// What the CUDA backend reads from the GPU (cudaGetDeviceProperties + attributes) and the
// DeviceConfig it derives: names, SMs, L2, memory, datasheet bandwidth, and the tuning numbers
// (prefill chunk, chain chunk, fusions) that the planner and engine take from DeviceConfig.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "backend/backend.h"

namespace akunu::cuda {

struct CudaDeviceInfo {
    int device = 0;
    std::string name;
    int cc_major = 0, cc_minor = 0;
    int sms = 0;
    size_t smem_per_block_optin = 0;  // bytes a block may use after cudaFuncSetAttribute
    size_t smem_per_sm = 0;
    size_t l2_bytes = 0;
    int mem_clock_khz = 0;     // peak memory clock
    int bus_width_bits = 0;
    size_t total_mem = 0;
    size_t free_mem = 0;       // at the time of the query
};

// Throws Error(Internal) through AKUNU_CUDA_CHECK when the device cannot be queried.
CudaDeviceInfo query_cuda_device(int device);

// Memory bytes per second of the datasheet: 2 transfers per clock (DDR/HBM) x bus width, in GB/s.
double datasheet_bandwidth_gbs(const CudaDeviceInfo& info);

// The DeviceConfig for this device, with the options' overrides applied.
DeviceConfig cuda_device_config(const CudaDeviceInfo& info, const BackendOptions& options);

}  // namespace akunu::cuda
