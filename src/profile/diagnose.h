// The seed's diagnostic flowcharts, walked for the user: decode bandwidth utilisation against 70%,
// idle time between kernels, the slowest kernels and their % of peak, memory headroom, and TTFT
// against prompt length and prefill chunking. Each finding ends in the next thing to try.
#pragma once

#include <string>
#include <vector>

#include "akunu/akunu.h"
#include "profile/kernel_profile.h"

namespace akunu {

struct DiagnoseInput {
    const KernelProfile* profile = nullptr;
    double peak_gbs = 0;
    akunu_memory memory{};
    akunu_device_info device{};
    uint64_t kv_bytes_per_position = 0;
    // (prompt tokens, TTFT ms) measured by the caller, ascending.
    std::vector<std::pair<int, double>> ttft;
};

struct Finding {
    std::string check;    // "bandwidth", "idle gaps", ...
    std::string verdict;  // what we measured and what it means
    std::string next;     // the next thing to try ("" when nothing)
};

std::vector<Finding> diagnose(const DiagnoseInput& in);

// Measures TTFT (prefill + one decode step) for the given prompt lengths of BOS tokens.
std::vector<std::pair<int, double>> measure_ttft(akunu_model* model, const std::vector<int>& lengths);

}  // namespace akunu
