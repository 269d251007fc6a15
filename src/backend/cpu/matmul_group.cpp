// MatMuls that read the same input back to back (a layer's Q, K and V; FFN gate and up) run as one
// group: their activations are quantized once instead of per MatMul, and one pool dispatch streams
// all their weight rows, so a decode step pays one hand-off and one stream ramp-up where it paid
// three. Found once per table in prepare(); run() and run_chain() use the groups, run_profiled()
// keeps timing every command on its own.
#include <vector>

#include "backend/cpu/cpu_backend.h"

namespace akunu {
namespace {

constexpr int32_t kMaxGroup = 4;

bool same_input_matmuls(const Command& a, const Command& b) {
    return a.op == Op::MatMul && b.op == Op::MatMul && a.wtype == b.wtype && a.k == b.k && a.flags == b.flags;
}

}  // namespace

void CpuBackend::group_matmuls(const DispatchTable& table, std::vector<Resolved>& resolved) const {
    for (size_t i = 0; i < table.size();) {
        const Command& lead = table.commands[i];
        // Single-row commands (the logits after the last-row norm) stand alone; so does anything the
        // dispatcher would not run on the integer path.
        if (lead.op != Op::MatMul || (lead.flags & (kLastRowOnly | kSingleRow)) ||
            !matmul_->groupable(lead.wtype, lead.n)) {
            ++i;
            continue;
        }
        size_t j = i + 1;
        while (j < table.size() && (int32_t)(j - i) < kMaxGroup && same_input_matmuls(lead, table.commands[j]) &&
               resolved[j].in[1] == resolved[i].in[1] && matmul_->groupable(table.commands[j].wtype, table.commands[j].n)) {
            // Every output distinct from the input and from the others: the members are independent.
            bool independent = resolved[j].out[0] != resolved[i].in[1];
            for (size_t o = i; o < j; ++o) independent = independent && resolved[o].out[0] != resolved[j].out[0];
            if (!independent) break;
            ++j;
        }
        resolved[i].group = (int32_t)(j - i);
        for (size_t o = i + 1; o < j; ++o) resolved[o].group = 0;
        i = j;
    }
}

void CpuBackend::execute_group(const Command* cmds, const Resolved* rs, int32_t count, const RunState& s) {
    MatMulPart parts[kMaxGroup];
    for (int32_t i = 0; i < count; ++i) {
        parts[i].w = rs[i].in[0];
        parts[i].y = reinterpret_cast<float*>(rs[i].out[0]);
        parts[i].n = cmds[i].n;
    }
    const Command& c = cmds[0];
    matmul_->run_group(parts, count, c.wtype, reinterpret_cast<const float*>(rs[0].in[1]), s.n_tokens, c.k,
                       (c.flags & kAccumulate) != 0, *pool_, scratch_);
}

}  // namespace akunu
