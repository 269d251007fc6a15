// akunu_benchmark's output: the seed's per-prompt table and the chain decode line as markdown for
// people, or one JSON document with every row and setting for scripts.
#pragma once

#include <ostream>
#include <string>

#include "profile/e2e_benchmark.h"

namespace akunu {

// One line: build commit, model, device, threads, isa, context, system state.
std::string e2e_header(const E2EReport& r, const std::string& model_label);

// Header, settings, the prompt table with its notes, the chain decode table, peak memory, warnings.
void write_e2e_markdown(std::ostream& out, const E2EReport& r, const std::string& model_label);

// One JSON document (nothing else on the stream); skipped prompts carry null measurements.
void write_e2e_json(std::ostream& out, const E2EReport& r, const std::string& model_label);

}  // namespace akunu
