// Which x86 SIMD level the CPU kernels run at: detected once, lowered on request (tests force
// every level the machine supports; users may force a lower one to compare or to work around a
// bad kernel).
#pragma once

#include <string>

namespace akunu {

// Ordered: a level implies the ones below it.
enum class CpuIsa : int {
    Scalar = 0,  // portable C++ (any CPU)
    Avx2 = 1,    // AVX2 + FMA + F16C (Haswell, Zen 1 and later)
    Avx512 = 2,  // AVX-512 F/BW/VL/VNNI + F16C + FMA (Ice Lake, Zen 4 and later)
};

struct CpuFeatures {
    bool avx2 = false, fma = false, f16c = false;
    bool avx512f = false, avx512bw = false, avx512vl = false, avx512vnni = false, avx512bf16 = false;
};

// What this CPU (and its OS: register state enabled) supports. Detected once.
const CpuFeatures& cpu_features();

bool cpu_supports(CpuIsa isa);
CpuIsa best_cpu_isa();

// The option spelling: "scalar", "avx2", "avx512".
const char* cpu_isa_name(CpuIsa isa);
// What DeviceConfig.isa reports: "scalar", "avx2", "avx512-vnni".
const char* cpu_isa_description(CpuIsa isa);
// Parses "scalar" / "avx2" / "avx512" (case-insensitive); false if unknown ("auto" is not a level).
bool parse_cpu_isa(const std::string& name, CpuIsa* out);

// Resolves BackendOptions::isa to the level the kernels use:
//   "auto" (or empty): the environment variable AKUNU_ISA if set and not "auto", else the best level.
//   "scalar" | "avx2" | "avx512": that level.
// An explicit option wins over AKUNU_ISA. A level this CPU lacks throws Error(Unsupported); an unknown
// name throws Error(InvalidArgument).
CpuIsa resolve_cpu_isa(const std::string& requested);

}  // namespace akunu
