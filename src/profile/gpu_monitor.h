// The NVIDIA GPU's clocks, temperature, power and throttle reasons through NVML, loaded at run
// time (dlopen), so builds and machines without the driver simply report "no GPU monitor".
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace akunu {

struct GpuSnapshot {
    bool valid = false;
    unsigned sm_mhz = 0;
    unsigned mem_mhz = 0;
    unsigned temperature_c = 0;
    double power_w = 0;
    unsigned long long throttle_reasons = 0;  // NVML clocks-event reason bits
};

GpuSnapshot take_gpu_snapshot();

// Names of the throttle reasons that slow the GPU down (idle and application-clock bits excluded).
std::vector<std::string> gpu_throttle_names(unsigned long long reasons);

}  // namespace akunu
