#include "profile/system_monitor.h"

#include <cstdio>
#include <fstream>
#include <sstream>

namespace akunu {
namespace {

template <typename T>
bool read_value(const std::string& path, T* out) {
    std::ifstream in(path);
    return static_cast<bool>(in >> *out);
}

}  // namespace

SystemSnapshot take_system_snapshot() {
    SystemSnapshot s;
    read_value("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", &s.governor);
    uint64_t khz = 0;
    if (read_value("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq", &khz)) s.cpu_max_mhz = khz / 1000.0;
    // /proc/cpuinfo's "cpu MHz" exists on VMs too, where cpufreq is often absent.
    std::ifstream info("/proc/cpuinfo");
    std::string line;
    double sum = 0;
    int n = 0;
    while (std::getline(info, line)) {
        if (line.rfind("cpu MHz", 0) == 0) {
            const size_t colon = line.find(':');
            if (colon != std::string::npos) {
                sum += std::atof(line.c_str() + colon + 1);
                ++n;
            }
        }
    }
    s.cpu_mhz = n ? sum / n : 0;
    for (int cpu = 0; cpu < 1024; ++cpu) {
        const std::string base = "/sys/devices/system/cpu/cpu" + std::to_string(cpu) + "/thermal_throttle/";
        uint64_t core = 0, pkg = 0;
        const bool a = read_value(base + "core_throttle_count", &core);
        const bool b = read_value(base + "package_throttle_count", &pkg);
        if (!a && !b) break;
        s.throttle_events += core + pkg;
    }
    read_value("/proc/loadavg", &s.load_average);
    s.gpu = take_gpu_snapshot();
    return s;
}

std::vector<std::string> system_warnings(const SystemSnapshot& before, const SystemSnapshot& after, int threads,
                                         int cores) {
    std::vector<std::string> w;
    if (after.throttle_events > before.throttle_events) {
        w.push_back("CPU thermal throttling during the run (" +
                    std::to_string(after.throttle_events - before.throttle_events) + " events): results are low");
    }
    if (!before.governor.empty() && before.governor != "performance") {
        w.push_back("CPU frequency governor is '" + before.governor + "', not 'performance': clocks may vary");
    }
    if (before.cpu_max_mhz > 0 && after.cpu_mhz > 0 && after.cpu_mhz < 0.8 * before.cpu_max_mhz) {
        char buf[128];
        std::snprintf(buf, sizeof(buf), "CPU clock %.0f MHz is below 80%% of its maximum %.0f MHz", after.cpu_mhz,
                      before.cpu_max_mhz);
        w.push_back(buf);
    }
    // The reasons the GPU reported at the end of the run (sampled; a throttle in between that has
    // ended is not seen, the clock drop below is the second witness).
    const std::vector<std::string> gpu_reasons = gpu_throttle_names(after.gpu.throttle_reasons);
    if (after.gpu.valid && !gpu_reasons.empty()) {
        std::string list;
        for (const std::string& n : gpu_reasons) list += (list.empty() ? "" : ", ") + n;
        w.push_back("GPU throttled during the run (" + list + "): results are low");
    }
    if (before.gpu.valid && after.gpu.valid && before.gpu.sm_mhz > 0 && after.gpu.sm_mhz > 0 &&
        after.gpu.sm_mhz < 0.9 * before.gpu.sm_mhz) {
        char buf[128];
        std::snprintf(buf, sizeof(buf), "GPU SM clock fell from %u to %u MHz during the run", before.gpu.sm_mhz,
                      after.gpu.sm_mhz);
        w.push_back(buf);
    }
    // The 1-minute load includes our own earlier tests, so only clear oversubscription is reported.
    if (before.load_average > (double)cores + 0.5) {
        char buf[160];
        std::snprintf(buf, sizeof(buf),
                      "machine was busy before the run (load average %.2f on %d cores): other processes compete",
                      before.load_average, cores);
        w.push_back(buf);
    }
    return w;
}

std::string describe_snapshot(const SystemSnapshot& s) {
    std::ostringstream out;
    out << "governor " << (s.governor.empty() ? "n/a" : s.governor);
    char buf[96];
    std::snprintf(buf, sizeof(buf), ", cpu %.0f MHz", s.cpu_mhz);
    out << buf;
    if (s.cpu_max_mhz > 0) {
        std::snprintf(buf, sizeof(buf), " (max %.0f)", s.cpu_max_mhz);
        out << buf;
    }
    std::snprintf(buf, sizeof(buf), ", load %.2f, throttle events %llu", s.load_average,
                  (unsigned long long)s.throttle_events);
    out << buf;
    if (s.gpu.valid) {
        std::snprintf(buf, sizeof(buf), "; gpu sm %u MHz, mem %u MHz, %u C, %.0f W, throttle 0x%llx", s.gpu.sm_mhz,
                      s.gpu.mem_mhz, s.gpu.temperature_c, s.gpu.power_w, s.gpu.throttle_reasons);
        out << buf;
    }
    return out.str();
}

}  // namespace akunu
