// The state of the machine around a measurement: CPU frequency governor and clocks, thermal
// throttle counters; a warning when the run throttled (the seed's thermal caveat, made automatic).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "profile/gpu_monitor.h"

namespace akunu {

struct SystemSnapshot {
    std::string governor;           // scaling_governor of cpu0, "" if not exposed (VMs)
    double cpu_mhz = 0;             // mean current frequency over cores
    double cpu_max_mhz = 0;         // cpuinfo_max_freq of cpu0, 0 if not exposed
    uint64_t throttle_events = 0;   // sum of core/package thermal throttle counters
    double load_average = 0;        // 1-minute load average
    GpuSnapshot gpu;                // NVIDIA GPU state when NVML is present
};

SystemSnapshot take_system_snapshot();

// Human-readable warnings comparing the state before and after a run (throttling, busy machine,
// a power-saving governor). Empty when nothing is wrong.
std::vector<std::string> system_warnings(const SystemSnapshot& before, const SystemSnapshot& after, int threads,
                                         int cores);

// One line describing the machine state, for report headers.
std::string describe_snapshot(const SystemSnapshot& s);

}  // namespace akunu
