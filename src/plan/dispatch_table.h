// The forward pass as data: a hot array of POD commands and a parallel cold array of labels and
// costs (only the profiler and reports read the cold side).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "plan/command.h"

namespace akunu {

struct CommandInfo {
    std::string label;          // "L3 GEMV ffn_down Q4_0"
    int32_t layer = -1;         // -1 outside the layers
    uint64_t weight_bytes = 0;  // weight bytes read once per run
    uint64_t act_bytes = 0;     // activation / KV bytes read+written per token (KV part at depth 0)
    uint64_t flops = 0;         // per token
    uint64_t kv_bytes_per_position = 0;  // Attention: K+V bytes read for each cached position
};

struct DispatchTable {
    std::vector<Command> commands;
    std::vector<CommandInfo> info;  // info[i] describes commands[i]
    uint32_t max_tokens = 1;        // the largest M this table may be run with

    void add(const Command& cmd, CommandInfo meta) {
        commands.push_back(cmd);
        info.push_back(std::move(meta));
    }
    size_t size() const { return commands.size(); }
};

}  // namespace akunu
