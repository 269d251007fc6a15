#include "profile/peak_bandwidth.h"

#include <sys/stat.h>

#include <cctype>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>

namespace akunu {
namespace {

struct Datasheet {
    const char* name_part;  // matched case-insensitively against the device name
    double gbs;
};

// Vendor datasheets (HBM/GDDR peak). Order matters: more specific names first.
const Datasheet kGpus[] = {
    {"H200", 4800}, {"H100 NVL", 3900}, {"H100 PCIe", 2000}, {"H100", 3350}, {"GH200", 4000},
    {"A100-SXM4-80GB", 2039}, {"A100 80GB PCIe", 1935}, {"A100", 1555}, {"L40S", 864}, {"L40", 864},
    {"L4", 300}, {"A10G", 600}, {"A10", 600}, {"RTX 4090", 1008}, {"RTX 3090", 936}, {"V100", 900},
    {"T4", 320},
};

std::string lower(std::string s) {
    for (char& c : s) c = (char)std::tolower((unsigned char)c);
    return s;
}

std::string today() {
    const std::time_t t = std::time(nullptr);
    char buf[32];
    std::strftime(buf, sizeof(buf), "%Y-%m-%d", std::gmtime(&t));
    return buf;
}

}  // namespace

double datasheet_bandwidth_gbs(const std::string& device_name) {
    const std::string name = lower(device_name);
    for (const Datasheet& d : kGpus) {
        if (name.find(lower(d.name_part)) != std::string::npos) return d.gbs;
    }
    return 0;
}

std::string cache_dir() {
    if (const char* d = std::getenv("AKUNU_CACHE_DIR"); d && *d) return d;
    if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::string(x) + "/akunu";
    if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.cache/akunu";
    return "/tmp/akunu-cache";
}

PeakBandwidth measured_peak_bandwidth(const std::string& device_key, bool refresh,
                                      const std::function<double()>& measure) {
    const std::string dir = cache_dir();
    const std::string path = dir + "/peak_bandwidth.json";
    nlohmann::json cache = nlohmann::json::object();
    {
        std::ifstream in(path);
        if (in) {
            try {
                in >> cache;
            } catch (const std::exception&) {
                cache = nlohmann::json::object();  // a corrupt cache is re-measured, not fatal
            }
        }
        if (!cache.is_object()) cache = nlohmann::json::object();
    }
    if (!refresh && cache.contains(device_key) && cache[device_key].is_object() &&
        cache[device_key].value("gbs", 0.0) > 0) {
        const auto& e = cache[device_key];
        return {e.value("gbs", 0.0), "measured (cached " + e.value("date", std::string("?")) + ")"};
    }
    PeakBandwidth p{measure(), "measured"};
    cache[device_key] = {{"gbs", p.gbs}, {"date", today()}};
    // mkdir -p of two levels is enough for the default locations.
    const size_t slash = dir.rfind('/');
    if (slash != std::string::npos && slash > 0) ::mkdir(dir.substr(0, slash).c_str(), 0755);
    ::mkdir(dir.c_str(), 0755);
    std::ofstream out(path);
    if (out) out << cache.dump(2) << "\n";
    return p;
}

}  // namespace akunu
