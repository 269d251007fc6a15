#include "profile/roofline.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace akunu {

Roofs cpu_roofs(double peak_gbs, int cores, double mhz) {
    Roofs r;
    r.peak_gbs = peak_gbs;
    r.peak_gflops = cores * mhz / 1000.0 * 32.0;
    char buf[128];
    std::snprintf(buf, sizeof(buf), "estimated: %d cores x %.2f GHz x 32 flop/cycle", cores, mhz / 1000.0);
    r.compute_source = buf;
    return r;
}

double roofline_knee(const Roofs& r) { return r.peak_gflops > 0 && r.peak_gbs > 0 ? r.peak_gflops / r.peak_gbs : 0; }

namespace {
std::string esc(const std::string& s) {
    std::string o;
    for (char c : s) {
        if (c == '<') o += "&lt;";
        else if (c == '>') o += "&gt;";
        else if (c == '&') o += "&amp;";
        else if (c == '"') o += "&quot;";
        else o += c;
    }
    return o;
}
}  // namespace

std::string roofline_svg(const std::vector<KernelRow>& rows, const Roofs& roofs, const std::string& title) {
    const double W = 900, H = 600, L = 80, R = 30, T = 50, B = 60;
    // Log axes: intensity 1e-2..1e3 flop/byte; throughput spans the data and the roofs.
    const double x0 = -2, x1 = 3;
    double ymax = std::max(roofs.peak_gflops, roofs.peak_gbs * 1000.0);
    double ymin = 1e-3;
    for (const KernelRow& r : rows) {
        if (r.total_ms > 0 && r.flops > 0) {
            const double gf = r.flops / (r.total_ms * 1e6);
            ymin = std::min(ymin, gf);
            ymax = std::max(ymax, gf);
        }
    }
    const double y0 = std::floor(std::log10(std::max(ymin, 1e-6))), y1 = std::ceil(std::log10(std::max(ymax, 1.0)));
    auto px = [&](double ai) { return L + (std::log10(ai) - x0) / (x1 - x0) * (W - L - R); };
    auto py = [&](double gf) { return H - B - (std::log10(gf) - y0) / (y1 - y0) * (H - T - B); };

    std::ostringstream s;
    s << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << W << "\" height=\"" << H << "\" font-family=\"sans-serif\" font-size=\"11\">\n";
    s << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
    s << "<text x=\"" << W / 2 << "\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">" << esc(title) << "</text>\n";
    // Grid and axis labels.
    for (int e = (int)x0; e <= (int)x1; ++e) {
        const double x = px(std::pow(10.0, e));
        s << "<line x1=\"" << x << "\" y1=\"" << T << "\" x2=\"" << x << "\" y2=\"" << H - B << "\" stroke=\"#ddd\"/>\n";
        s << "<text x=\"" << x << "\" y=\"" << H - B + 16 << "\" text-anchor=\"middle\">1e" << e << "</text>\n";
    }
    for (int e = (int)y0; e <= (int)y1; ++e) {
        const double y = py(std::pow(10.0, e));
        s << "<line x1=\"" << L << "\" y1=\"" << y << "\" x2=\"" << W - R << "\" y2=\"" << y << "\" stroke=\"#ddd\"/>\n";
        s << "<text x=\"" << L - 6 << "\" y=\"" << y + 4 << "\" text-anchor=\"end\">1e" << e << "</text>\n";
    }
    s << "<text x=\"" << (L + W - R) / 2 << "\" y=\"" << H - 20 << "\" text-anchor=\"middle\">arithmetic intensity (flop/byte)</text>\n";
    s << "<text x=\"18\" y=\"" << (T + H - B) / 2 << "\" transform=\"rotate(-90 18 " << (T + H - B) / 2
      << ")\" text-anchor=\"middle\">achieved GFLOP/s</text>\n";
    // Roofs: bandwidth (slope 1 on log-log) up to the knee, then compute.
    if (roofs.peak_gbs > 0) {
        const double knee = roofs.peak_gflops > 0 ? roofline_knee(roofs) : std::pow(10.0, x1);
        const double a0 = std::pow(10.0, x0), a1 = std::min(knee, std::pow(10.0, x1));
        s << "<line x1=\"" << px(a0) << "\" y1=\"" << py(roofs.peak_gbs * a0) << "\" x2=\"" << px(a1) << "\" y2=\""
          << py(roofs.peak_gbs * a1) << "\" stroke=\"#c00\" stroke-width=\"2\"/>\n";
        s << "<text x=\"" << px(a0) + 8 << "\" y=\"" << py(roofs.peak_gbs * a0) - 8 << "\" fill=\"#c00\">" << roofs.peak_gbs
          << " GB/s (measured read peak)</text>\n";
        if (roofs.peak_gflops > 0 && knee < std::pow(10.0, x1)) {
            s << "<line x1=\"" << px(knee) << "\" y1=\"" << py(roofs.peak_gflops) << "\" x2=\"" << px(std::pow(10.0, x1))
              << "\" y2=\"" << py(roofs.peak_gflops) << "\" stroke=\"#06c\" stroke-width=\"2\"/>\n";
            s << "<text x=\"" << px(knee) << "\" y=\"" << py(roofs.peak_gflops) - 8 << "\" fill=\"#06c\">"
              << esc(std::to_string((int)roofs.peak_gflops) + " GFLOP/s (" + roofs.compute_source + ")") << "</text>\n";
        }
    }
    // Kernels: one dot each, labelled.
    for (const KernelRow& r : rows) {
        if (r.total_ms <= 0 || r.flops <= 0 || r.bytes <= 0) continue;
        const double ai = r.flops / r.bytes;
        const double gf = r.flops / (r.total_ms * 1e6);
        const double x = px(std::clamp(ai, std::pow(10.0, x0), std::pow(10.0, x1)));
        const double y = py(gf);
        s << "<circle cx=\"" << x << "\" cy=\"" << y << "\" r=\"4\" fill=\"#333\" fill-opacity=\"0.7\"><title>"
          << esc(r.label) << "</title></circle>\n";
        s << "<text x=\"" << x + 6 << "\" y=\"" << y - 4 << "\" font-size=\"9\">" << esc(r.label) << "</text>\n";
    }
    s << "</svg>\n";
    return s.str();
}

}  // namespace akunu
