#include "backend/cpu/cpu_device_info.h"

#include "backend/cpu/cpu_features.h"

#include <sched.h>

#include <fstream>
#include <sstream>
#include <string>
#include <thread>

namespace akunu {

int32_t usable_cores() {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof(set), &set) == 0) {
        const int n = CPU_COUNT(&set);
        if (n > 0) return n;
    }
    const unsigned hc = std::thread::hardware_concurrency();
    return hc > 0 ? (int32_t)hc : 1;
}

uint64_t available_memory_bytes() {
    std::ifstream in("/proc/meminfo");
    std::string key;
    uint64_t value = 0;
    std::string unit;
    while (in >> key >> value >> unit) {
        if (key == "MemAvailable:") return value * 1024;
    }
    return 0;
}

namespace {

std::string cpu_model_name() {
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("model name", 0) == 0) {
            const size_t colon = line.find(':');
            if (colon != std::string::npos) return line.substr(colon + 2);
        }
    }
    return "unknown CPU";
}

uint64_t last_level_cache_bytes() {
    uint64_t best = 0;
    for (int index = 0; index < 8; ++index) {
        std::ifstream in("/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(index) + "/size");
        std::string s;
        if (!(in >> s)) break;
        uint64_t v = std::stoull(s);
        if (!s.empty() && (s.back() == 'K')) v *= 1024;
        if (!s.empty() && (s.back() == 'M')) v *= 1024 * 1024;
        if (v > best) best = v;
    }
    return best;
}

}  // namespace

DeviceConfig detect_cpu_device(int32_t n_threads) {
    DeviceConfig c;
    c.kind = BackendKind::Cpu;
    c.backend_name = "cpu";
    c.n_cores = usable_cores();
    c.n_threads = n_threads > 0 ? n_threads : c.n_cores;
    c.device_name = cpu_model_name();
    c.isa = cpu_isa_description(best_cpu_isa());  // the backend replaces it with the level it uses
    c.memory_bytes = available_memory_bytes();
    c.cache_bytes = last_level_cache_bytes();
    c.prefill_chunk = 256;
    c.chain_chunk = 64;
    c.fuse_residual_add = true;
    return c;
}

}  // namespace akunu
