// One benchmark result (a test on a model with every setting), and the writers that print a list
// of them as llama-bench-shaped markdown, CSV, JSON, JSON lines or SQL.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace akunu {

struct BenchRecord {
    std::string engine = "akunu";  // or "llama.cpp" for peer rows
    std::string build_commit;
    std::string timestamp;  // ISO 8601, UTC
    // Machine.
    std::string backend;  // "CPU", "CUDA"
    std::string device;
    std::string isa;
    int32_t threads = 0;
    double peak_bandwidth_gbs = 0;    // the device's measured read peak (0: unknown)
    std::string peak_bandwidth_source;  // "measured", "datasheet"
    // Model.
    std::string model_file;
    std::string model_desc;  // "qwen3 0.6B Q4_0", as llama-bench prints it
    std::string weight_type;
    uint64_t model_size = 0;  // weight bytes
    uint64_t n_params = 0;
    // Test settings.
    std::string test;  // "pp512", "tg128", "pp512+tg128", with " @ d4096" at depth
    int64_t n_prompt = 0;
    int64_t n_gen = 0;
    int64_t depth = 0;
    int32_t reps = 0;
    std::string decode_mode;  // "chain", "step"
    uint32_t max_context = 0;
    uint32_t prefill_chunk = 0;
    uint32_t chain_chunk = 0;
    // Results.
    std::vector<double> samples_ms;  // wall time of each repetition
    std::vector<double> samples_ts;  // tokens/s of each repetition
    double mean_ts = 0;
    double stddev_ts = 0;
    double bytes_per_token = 0;  // decode: weights + mean KV read per token (0 for prefill)
    double gbs = 0;              // bytes_per_token * mean_ts / 1e9
    double pct_peak = 0;         // gbs / peak_bandwidth_gbs * 100
    double ratio = 0;            // akunu / llama.cpp on the same test, when compared (0: none)
    std::vector<std::string> warnings;
};

// Mean and sample standard deviation (n - 1); stddev 0 for fewer than two samples.
void mean_stddev(const std::vector<double>& v, double* mean, double* stddev);

// "312.45 MiB", "4.21 GiB" as llama-bench prints sizes; "596.05 M", "8.03 B" for parameters.
std::string format_size(uint64_t bytes);
std::string format_params(uint64_t n);

enum class ReportFormat { Markdown, Csv, Json, Jsonl, Sql };
bool parse_report_format(const std::string& name, ReportFormat* out);

void write_report(std::ostream& out, ReportFormat format, const std::vector<BenchRecord>& records);

}  // namespace akunu
