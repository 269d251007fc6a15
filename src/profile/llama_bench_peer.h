// Runs llama-bench (found by path, never built by us) on the same file with the flags that match
// one of our tests, and turns its JSON-lines output into a BenchRecord for side-by-side rows.
#pragma once

#include <string>

#include "profile/bench_record.h"
#include "profile/bench_runner.h"

namespace akunu {

struct PeerSettings {
    std::string executable;  // path to llama-bench
    std::string model_path;  // the GGUF both engines load
    int threads = 0;
    bool gpu = false;        // -ngl 99 -fa 1 (else -ngl 0)
    int reps = 5;
    std::string kv_type;     // -ctk/-ctv for llama-bench (empty: its default, f16; it has no f32 cache)
};

// The command line (for the record and for the user to rerun by hand).
std::string llama_bench_command(const PeerSettings& s, const BenchTest& t);

// Runs it; throws akunu::Error(Io/Format) with llama-bench's exit status or a parse failure.
BenchRecord run_llama_bench(const PeerSettings& s, const BenchTest& t);

}  // namespace akunu
