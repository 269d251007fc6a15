// Everything hardware-specific that the planner and the tools need, in one struct. Filled by the
// backend from the device it runs on; every tuning number lives here (DESIGN.md: DeviceConfig).
#pragma once

#include <cstdint>
#include <string>

namespace akunu {

enum class BackendKind { Cpu, Cuda };

struct DeviceConfig {
    BackendKind kind = BackendKind::Cpu;
    std::string backend_name;  // "cpu", "cuda"
    std::string device_name;   // "AMD EPYC (2 threads)", "NVIDIA H100 80GB HBM3"
    int32_t n_threads = 1;
    int32_t n_cores = 1;
    std::string isa;                      // CPU: the kernel path chosen ("scalar", "avx2", ...)
    uint64_t memory_bytes = 0;            // memory available for weights + KV + scratch
    uint64_t cache_bytes = 0;             // last-level cache
    double datasheet_bandwidth_gbs = 0;   // 0 when unknown
    uint32_t prefill_chunk = 256;         // tokens per prefill batch
    uint32_t chain_chunk = 64;            // tokens per chain submission
    bool fuse_residual_add = true;        // MatMul accumulates into the residual instead of a separate Add
};

const char* backend_kind_name(BackendKind kind);

}  // namespace akunu
