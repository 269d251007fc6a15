#include "profile/gpu_monitor.h"

#include <dlfcn.h>

#include <mutex>

namespace akunu {
namespace {

// The few NVML entry points we use, with the C signatures from nvml.h (device handles are opaque
// pointers; return 0 is NVML_SUCCESS).
using InitFn = int (*)();
using HandleFn = int (*)(unsigned, void**);
using ClockFn = int (*)(void*, int, unsigned*);
using TempFn = int (*)(void*, int, unsigned*);
using PowerFn = int (*)(void*, unsigned*);
using ReasonsFn = int (*)(void*, unsigned long long*);

struct Nvml {
    bool ok = false;
    void* device = nullptr;
    ClockFn clock = nullptr;
    TempFn temp = nullptr;
    PowerFn power = nullptr;
    ReasonsFn reasons = nullptr;
};

const Nvml& nvml() {
    static Nvml n;
    static std::once_flag once;
    std::call_once(once, [] {
        void* lib = dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
        if (!lib) return;
        auto init = reinterpret_cast<InitFn>(dlsym(lib, "nvmlInit_v2"));
        auto handle = reinterpret_cast<HandleFn>(dlsym(lib, "nvmlDeviceGetHandleByIndex_v2"));
        n.clock = reinterpret_cast<ClockFn>(dlsym(lib, "nvmlDeviceGetClockInfo"));
        n.temp = reinterpret_cast<TempFn>(dlsym(lib, "nvmlDeviceGetTemperature"));
        n.power = reinterpret_cast<PowerFn>(dlsym(lib, "nvmlDeviceGetPowerUsage"));
        n.reasons = reinterpret_cast<ReasonsFn>(dlsym(lib, "nvmlDeviceGetCurrentClocksEventReasons"));
        if (!n.reasons) n.reasons = reinterpret_cast<ReasonsFn>(dlsym(lib, "nvmlDeviceGetCurrentClocksThrottleReasons"));
        if (!init || !handle || !n.clock || !n.temp || !n.power || !n.reasons) return;
        if (init() != 0 || handle(0, &n.device) != 0) return;
        n.ok = true;
    });
    return n;
}

}  // namespace

GpuSnapshot take_gpu_snapshot() {
    GpuSnapshot s;
    const Nvml& n = nvml();
    if (!n.ok) return s;
    unsigned mw = 0;
    s.valid = n.clock(n.device, 1 /* NVML_CLOCK_SM */, &s.sm_mhz) == 0;
    n.clock(n.device, 2 /* NVML_CLOCK_MEM */, &s.mem_mhz);
    n.temp(n.device, 0 /* NVML_TEMPERATURE_GPU */, &s.temperature_c);
    if (n.power(n.device, &mw) == 0) s.power_w = mw / 1000.0;
    n.reasons(n.device, &s.throttle_reasons);
    return s;
}

std::vector<std::string> gpu_throttle_names(unsigned long long r) {
    std::vector<std::string> names;
    if (r & 0x4ull) names.push_back("software power cap");
    if (r & 0x8ull) names.push_back("hardware slowdown");
    if (r & 0x20ull) names.push_back("software thermal slowdown");
    if (r & 0x40ull) names.push_back("hardware thermal slowdown");
    if (r & 0x80ull) names.push_back("hardware power brake");
    return names;
}

}  // namespace akunu
