#include <cmath>
#include <cstdio>

#include "profile/bench_record.h"

namespace akunu {

void mean_stddev(const std::vector<double>& v, double* mean, double* stddev) {
    double m = 0;
    for (double x : v) m += x;
    m = v.empty() ? 0 : m / (double)v.size();
    double ss = 0;
    for (double x : v) ss += (x - m) * (x - m);
    *mean = m;
    *stddev = v.size() > 1 ? std::sqrt(ss / (double)(v.size() - 1)) : 0;
}

std::string format_size(uint64_t bytes) {
    char buf[32];
    const double mib = (double)bytes / (1024.0 * 1024.0);
    if (mib >= 1024.0) {
        std::snprintf(buf, sizeof(buf), "%.2f GiB", mib / 1024.0);
    } else {
        std::snprintf(buf, sizeof(buf), "%.2f MiB", mib);
    }
    return buf;
}

std::string format_params(uint64_t n) {
    char buf[32];
    if (n >= 1000000000ull) {
        std::snprintf(buf, sizeof(buf), "%.2f B", (double)n / 1e9);
    } else if (n >= 1000000ull) {
        std::snprintf(buf, sizeof(buf), "%.2f M", (double)n / 1e6);
    } else {
        std::snprintf(buf, sizeof(buf), "%.2f K", (double)n / 1e3);
    }
    return buf;
}

}  // namespace akunu
