// The attention kernels of one ISA level, as a table of plain functions (the same split as
// matmul_kernels.h: each level's table lives in a TU compiled with that level's flags,
// attention_avx2.cpp / attention_avx512.cpp; attention_dispatch.cpp picks one at run time).
//
// A kernel computes one *unit*: a range of the query rows that share one KV head. The rows of KV
// head g are numbered i = t * group + j (token t of the run, query head g * group + j), so a unit
// of consecutive rows covers a few tokens x all their heads of the group; every row reads the same
// keys and values, which is what makes a unit worth vectorising. Row i attends to positions
// 0..pos0 + t (causal), or to the last `window` of them. Keys are visited in tiles with an online softmax (flash-attention style),
// so no score array longer than a tile exists and the context length is unbounded.
//
// Only POD types and declarations here (see matmul_kernels.h for why).
#pragma once

#include <cstddef>
#include <cstdint>

namespace akunu {

// The operands of one Attention command (layouts as cpu_attention in cpu_kernels.h):
// q, out: [m][n_heads][head_dim]; k_cache, v_cache: [n_kv_heads][max_ctx][head_dim] (head-major f32,
// or f16 through k_half / v_half).
struct AttentionArgs {
    const float* q = nullptr;
    const float* k_cache = nullptr;
    const float* v_cache = nullptr;
    // An f16 cache instead (same layout, uint16 elements): k_cache / v_cache are then unused.
    const uint16_t* k_half = nullptr;
    const uint16_t* v_half = nullptr;
    float* out = nullptr;
    int32_t m = 0;
    int32_t pos0 = 0;
    int32_t n_heads = 0;
    int32_t n_kv_heads = 0;
    int32_t head_dim = 0;
    int32_t max_ctx = 0;
    float scale = 1.0f;
    int32_t window = 0;    // > 0: position p sees keys p - window + 1 .. p only
    float softcap = 0.0f;  // > 0: scores become softcap * tanh(score / softcap) before the softmax
};

// How a unit forms its scores (both give the same values up to f32 rounding):
//   RowDots: one dot product per (row, key), vectorised along head_dim. Best for a handful of rows
//            (decode: the group's heads of one token).
//   RowLanes: the unit's queries transposed so that vector lanes hold rows; each key element is
//            broadcast against them, no horizontal sums. Best from about half a vector of rows up
//            (prefill).
//   Auto: RowLanes from AttentionKernels::min_lane_rows rows, else RowDots.
enum class AttentionForm : int { Auto = 0, RowDots = 1, RowLanes = 2 };

// scratch: AttentionKernels::scratch_floats(head_dim) floats of this thread, any alignment.
using AttentionUnitFn = void (*)(const AttentionArgs& a, int32_t kv_head, int32_t row0, int32_t row1,
                                 AttentionForm form, float* scratch);

struct AttentionKernels {
    const char* name;
    int32_t max_unit_rows;   // a unit holds at most this many rows
    int32_t min_lane_rows;   // Auto takes RowLanes from this many rows of a unit
    size_t (*scratch_floats)(int32_t head_dim);
    AttentionUnitFn unit;
};

// nullptr where the level is not compiled in (non-x86 builds). The scalar level has no table: it
// runs cpu_attention (cpu_kernels.h), the oracle these kernels are tested against.
const AttentionKernels* attention_kernels_avx2();
const AttentionKernels* attention_kernels_avx512();

}  // namespace akunu
