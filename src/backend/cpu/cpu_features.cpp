#include "backend/cpu/cpu_features.h"

#include <cctype>
#include <cstdlib>

#include "core/error.h"

namespace akunu {
namespace {

CpuFeatures detect() {
    CpuFeatures f;
#if defined(__x86_64__) || defined(__i386__)
    // libgcc's cpu model also checks XCR0, so a feature is reported only where the OS saves its
    // registers.
    __builtin_cpu_init();
    f.avx2 = __builtin_cpu_supports("avx2");
    f.fma = __builtin_cpu_supports("fma");
    f.f16c = __builtin_cpu_supports("f16c");
    f.avx512f = __builtin_cpu_supports("avx512f");
    f.avx512bw = __builtin_cpu_supports("avx512bw");
    f.avx512vl = __builtin_cpu_supports("avx512vl");
    f.avx512vnni = __builtin_cpu_supports("avx512vnni");
    f.avx512bf16 = __builtin_cpu_supports("avx512bf16");
#endif
    return f;
}

std::string lower(std::string s) {
    for (char& c : s) c = (char)std::tolower((unsigned char)c);
    return s;
}

}  // namespace

const CpuFeatures& cpu_features() {
    static const CpuFeatures f = detect();
    return f;
}

bool cpu_supports(CpuIsa isa) {
    const CpuFeatures& f = cpu_features();
    const bool avx2 = f.avx2 && f.fma && f.f16c;
    switch (isa) {
        case CpuIsa::Scalar: return true;
        case CpuIsa::Avx2: return avx2;
        case CpuIsa::Avx512: return avx2 && f.avx512f && f.avx512bw && f.avx512vl && f.avx512vnni;
    }
    return false;
}

CpuIsa best_cpu_isa() {
    if (cpu_supports(CpuIsa::Avx512)) return CpuIsa::Avx512;
    if (cpu_supports(CpuIsa::Avx2)) return CpuIsa::Avx2;
    return CpuIsa::Scalar;
}

const char* cpu_isa_name(CpuIsa isa) {
    switch (isa) {
        case CpuIsa::Scalar: return "scalar";
        case CpuIsa::Avx2: return "avx2";
        case CpuIsa::Avx512: return "avx512";
    }
    return "?";
}

const char* cpu_isa_description(CpuIsa isa) {
    switch (isa) {
        case CpuIsa::Scalar: return "scalar";
        case CpuIsa::Avx2: return "avx2";
        case CpuIsa::Avx512: return "avx512-vnni";
    }
    return "?";
}

bool parse_cpu_isa(const std::string& name, CpuIsa* out) {
    const std::string s = lower(name);
    if (s == "scalar") {
        *out = CpuIsa::Scalar;
    } else if (s == "avx2") {
        *out = CpuIsa::Avx2;
    } else if (s == "avx512" || s == "avx512-vnni") {
        *out = CpuIsa::Avx512;
    } else {
        return false;
    }
    return true;
}

CpuIsa resolve_cpu_isa(const std::string& requested) {
    std::string name = lower(requested);
    std::string source = "isa option";
    if (name.empty() || name == "auto") {
        // AKUNU_ISA: the one place the environment picks the CPU kernel level ("scalar", "avx2",
        // "avx512" or "auto"). Used when the option is "auto"; an explicit option wins.
        const char* env = std::getenv("AKUNU_ISA");
        if (!env || !*env || lower(env) == "auto") return best_cpu_isa();
        name = lower(env);
        source = "AKUNU_ISA";
    }
    CpuIsa isa;
    if (!parse_cpu_isa(name, &isa)) {
        fail(ErrorKind::InvalidArgument, "cpu",
             source + " '" + name + "' is not a CPU kernel level (auto, scalar, avx2, avx512)");
    }
    if (!cpu_supports(isa)) {
        fail(ErrorKind::Unsupported, "cpu",
             source + " '" + name + "': this CPU does not support it (best: " + cpu_isa_name(best_cpu_isa()) + ")");
    }
    return isa;
}

}  // namespace akunu
