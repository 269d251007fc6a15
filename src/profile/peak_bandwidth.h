// The bandwidth ceiling of a device: datasheet numbers for known GPUs and a measured read peak,
// cached per device so that every benchmark compares against the same number.
#pragma once

#include <functional>
#include <string>

namespace akunu {

struct PeakBandwidth {
    double gbs = 0;      // 1e9 bytes/s
    std::string source;  // "measured", "measured (cached <date>)", "datasheet", "unknown"
};

// Datasheet memory bandwidth of known GPUs by name ("NVIDIA H100 80GB HBM3" -> 3350); 0 if unknown.
double datasheet_bandwidth_gbs(const std::string& device_name);

// Where cached measurements live: $AKUNU_CACHE_DIR, else $XDG_CACHE_HOME/akunu, else ~/.cache/akunu.
std::string cache_dir();

// The measured peak for `device_key` from the cache, or measure() now (and store it) when absent
// or when `refresh` is set. A cache that cannot be written is not an error.
PeakBandwidth measured_peak_bandwidth(const std::string& device_key, bool refresh,
                                      const std::function<double()>& measure);

}  // namespace akunu
