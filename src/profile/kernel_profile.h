// Where the time of a decode step goes: every command of the decode table run and timed on its
// own (akunu_profile_decode_step), accumulated over several tokens, with the bytes and flops the
// table says each command moves, so every row has GB/s and % of the device's peak.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "akunu/akunu.h"

namespace akunu {

struct KernelRow {
    std::string label;  // "L3 GEMV ffn_down Q4_0", or an op name when grouped
    std::string op;
    int32_t layer = -1;
    int32_t index = -1;      // command index (-1 when grouped)
    int64_t dispatches = 0;
    double total_ms = 0;
    double bytes = 0;        // summed over dispatches
    double flops = 0;
    double first_start_ms = 0;  // start within the first profiled step (for traces)
    double first_ms = 0;        // duration within the first profiled step
};

struct KernelProfile {
    std::vector<KernelRow> rows;  // in table order
    int32_t tokens = 0;
    int32_t start_position = 0;
    double sum_ms = 0;          // sum of per-command times over all tokens
    double normal_step_ms = 0;  // one decode step in normal mode (chain decode), for comparison
};

// Prefills `depth` BOS tokens (at least one), then profiles `tokens` decode steps.
KernelProfile profile_decode(akunu_model* model, int32_t tokens, int32_t depth);

// Rows summed by op kind ("matmul", "attention", ...).
std::vector<KernelRow> group_by_op(const std::vector<KernelRow>& rows);

// Sorted by total time, largest first.
std::vector<KernelRow> sorted_by_time(std::vector<KernelRow> rows);

// Chrome trace (chrome://tracing, Perfetto) of the first profiled step: one slice per command.
std::string chrome_trace_json(const KernelProfile& p, const std::string& model_desc);

// Time of one normal (batched) decode step at the current depth, from a short chain decode.
double normal_decode_step_ms(akunu_model* model, int32_t depth, int32_t steps);

}  // namespace akunu
