// Roofline analysis: each profiled kernel placed by arithmetic intensity (flops per byte moved)
// against the device's bandwidth roof and compute roof, written as an SVG plot.
#pragma once

#include <string>
#include <vector>

#include "profile/kernel_profile.h"

namespace akunu {

struct Roofs {
    double peak_gbs = 0;     // bandwidth roof
    double peak_gflops = 0;  // compute roof (0: unknown, not drawn)
    std::string compute_source;  // "estimated: 2 cores x 2.6 GHz x 32 flop/cycle"
};

// A rough compute roof for a CPU: cores x clock x 32 f32 flops per cycle (two 8-wide FMA units).
Roofs cpu_roofs(double peak_gbs, int cores, double mhz);

// Knee: the intensity where the two roofs meet (0 if the compute roof is unknown).
double roofline_knee(const Roofs& r);

std::string roofline_svg(const std::vector<KernelRow>& rows, const Roofs& roofs, const std::string& title);

}  // namespace akunu
