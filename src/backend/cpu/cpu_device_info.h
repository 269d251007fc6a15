// What the CPU backend knows about the machine: cores, model name, memory, cache.
#pragma once

#include <cstdint>

#include "backend/device_config.h"

namespace akunu {

// n_threads <= 0 picks one thread per usable core.
DeviceConfig detect_cpu_device(int32_t n_threads);

// MemAvailable from /proc/meminfo (bytes), or 0 when unknown.
uint64_t available_memory_bytes();

// Usable cores (affinity mask), at least 1.
int32_t usable_cores();

}  // namespace akunu
