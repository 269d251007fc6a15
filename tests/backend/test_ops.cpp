// Op tests: every Op on awkward shapes (not multiples of any tile), every weight type, several
// thread counts, checked against the double reference by op_harness. One gtest case per OpCase,
// named like MatMul/OpCaseTest.MatchesReference/Q4_K_n33_k768_m3_t2.
//
// Also here: the coverage listing (Op x dtype the backend takes; fails if an Op has no case), the
// harness's own tests (a fault-injecting backend wrapper proves every check can fail), and a perf
// suite of model-sized shapes that runs only with AKUNU_OP_PERF=1.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/error.h"
#include "op_cases_arch.h"
#include "op_harness.h"

using namespace akunu;
using namespace akunu::optest;

namespace {

std::string str(int64_t v) { return std::to_string(v); }

BufRef R(uint32_t id, uint64_t byte_offset = 0) { return CaseBuilder::ref(id, byte_offset); }

RunState state(int32_t pos, int32_t n_tokens, int32_t step = 0) {
    RunState s;
    s.pos = pos;
    s.n_tokens = n_tokens;
    s.step = step;
    return s;
}

std::vector<DType> all_dtypes() {
    size_t n = 0;
    const DTypeTraits* t = dtype_table(&n);
    std::vector<DType> out;
    for (size_t i = 0; i < n; ++i) out.push_back(t[i].type);
    return out;
}

// ---------------------------------------------------------------- MatMul

// k per block size: f32-like types get tails of the 8-wide dot (7, 33); 32-blocks one block, odd
// counts and many; K-quants one superblock and three.
std::vector<int64_t> matmul_ks(DType t) {
    switch (dtype_traits(t).block_size) {
        case 1: return {7, 33, 160, 768};
        case 32: return {32, 96, 160, 768};
        default: return {256, 768};
    }
}

OpCase matmul_case(DType t, int64_t n, int64_t k, int32_t m, const Target& tg, uint16_t flags = 0,
                   const std::string& suite = "MatMul") {
    std::string name = std::string(dtype_name(t)) + "_n" + str(n) + "_k" + str(k) + "_m" + str(m);
    if (flags & kAccumulate) name += "_acc";
    if (flags & kLastRowOnly) name += "_lastrow";
    if (flags & kSingleRow) name += "_singlerow";
    CaseBuilder b(suite, name, tg);
    const int64_t out_rows = (flags & (kLastRowOnly | kSingleRow)) ? 1 : m;
    const uint32_t w = b.weight("w", t, n, k);
    const uint32_t x = b.f32("x", (size_t)(m * k), Fill::Uniform, -1, 1);
    const uint32_t y = (flags & kAccumulate) ? b.f32("y", (size_t)(out_rows * n), Fill::Gauss, 0, 10)
                                             : b.out_f32("y", (size_t)(out_rows * n));
    Command c;
    c.op = Op::MatMul;
    c.wtype = t;
    c.flags = flags;
    c.in[0] = R(w);
    c.in[1] = R(x);
    c.out[0] = R(y);
    c.n = (uint32_t)n;
    c.k = (uint32_t)k;
    b.add(c);
    return b.build(state(0, m));
}

std::vector<OpCase> matmul_cases() {
    std::vector<OpCase> out;
    for (DType t : all_dtypes()) {
        const std::vector<int64_t> ks = matmul_ks(t);
        for (int64_t k : ks) {
            for (int64_t n : {1, 7, 33, 250}) {
                for (int32_t m : {1, 3, 17}) {
                    // Fewer than two 8-row blocks never split across threads: one thread count.
                    for (const Target& tg : targets(n >= 33)) out.push_back(matmul_case(t, n, k, m, tg));
                }
            }
        }
        for (const Target& tg : targets(true)) out.push_back(matmul_case(t, 33, ks.back(), 3, tg, kAccumulate));
        for (const Target& tg : targets(false)) {
            out.push_back(matmul_case(t, 250, ks.front(), 17, tg, kAccumulate));
            out.push_back(matmul_case(t, 33, ks.back(), 4, tg, kLastRowOnly));
            out.push_back(matmul_case(t, 7, ks.front(), 1, tg, kLastRowOnly));
            out.push_back(matmul_case(t, 33, ks.back(), 4, tg, kSingleRow));
        }
    }
    return out;
}

// The CUDA fast paths' own shapes (quantized-activation targets only): dp4a GEMV rows of several
// 32-block chunks and a partial last chunk (k 1280, 2304, 8448), one warp per row (n 5000) and rows
// shared by 2-8 warps (fewer rows), accumulate; tensor-core prefill at m 8 / 64 / 77 with k not a
// multiple of 64.
std::vector<OpCase> fast_path_cases() {
    std::vector<OpCase> out;
    for (const Target& tg : targets(false)) {
        if (!tg.quantized_activations || tg.kind != BackendKind::Cuda) continue;
        for (DType t : {DType::Q4_0, DType::Q8_0}) {
            for (int64_t k : {256, 1280, 2304}) {
                for (int64_t n : {1, 33, 257, 5000}) out.push_back(matmul_case(t, n, k, 1, tg, 0, "FastPath"));
            }
            // 264 blocks = 9 chunks (the last partial): rows shared by 8 warps at few rows.
            for (int64_t n : {1, 33, 257}) out.push_back(matmul_case(t, n, 8448, 1, tg, 0, "FastPath"));
            out.push_back(matmul_case(t, 5000, 1280, 1, tg, kAccumulate, "FastPath"));
        }
        // Dense GEMV (gemv_float.cu): 1, 2 and 4 rows per CTA (n from 1024 / 2048 up), a short last
        // CTA, rows of 125 / 257 16-byte chunks (a partial strip), one strip and several.
        for (DType t : {DType::F32, DType::F16, DType::BF16}) {
            for (int64_t k : {1000, 2056, 8200}) {
                for (int64_t n : {1100, 2051}) out.push_back(matmul_case(t, n, k, 1, tg, 0, "FastPath"));
            }
            out.push_back(matmul_case(t, 2051, 2056, 1, tg, kAccumulate, "FastPath"));
        }
        // Prefill (cuBLAS on f16): every type's dequantization staged per warp of 32 units, with a
        // partial last warp (37 x 768 / 32 = 888 units), and F16 weights multiplied in place.
        for (DType t : all_dtypes()) out.push_back(matmul_case(t, 37, 768, 64, tg, 0, "FastPath"));
        for (DType t : {DType::Q4_0, DType::Q8_0, DType::Q4_K, DType::Q6_K, DType::F16}) {
            for (int32_t m : {8, 64, 77}) out.push_back(matmul_case(t, 300, 1280, m, tg, 0, "FastPath"));
            out.push_back(matmul_case(t, 300, 1280, 64, tg, kAccumulate, "FastPath"));
        }
    }
    return out;
}

// ---------------------------------------------------------------- EmbedLookup

std::vector<OpCase> embed_cases() {
    std::vector<OpCase> out;
    const int64_t vocab = 37;
    for (DType t : all_dtypes()) {
        const int64_t bs = dtype_traits(t).block_size;
        const std::vector<int64_t> ks = bs == 1 ? std::vector<int64_t>{7, 64} : std::vector<int64_t>{bs, 3 * bs};
        for (int64_t k : ks) {
            for (int32_t m : {1, 5}) {
                for (const Target& tg : targets(false)) {
                    CaseBuilder b("EmbedLookup", std::string(dtype_name(t)) + "_k" + str(k) + "_m" + str(m), tg);
                    // The last row of the table (guard right behind it), the first, repeats.
                    const std::vector<int32_t> tokens = m == 1 ? std::vector<int32_t>{(int32_t)vocab - 1}
                                                               : std::vector<int32_t>{36, 0, 5, 36, 17};
                    const uint32_t tok = b.i32_values("tokens", tokens);
                    const uint32_t table = b.weight("table", t, vocab, k);
                    const uint32_t x = b.out_f32("x", (size_t)(m * k));
                    Command c;
                    c.op = Op::EmbedLookup;
                    c.wtype = t;
                    c.in[0] = R(tok);
                    c.in[1] = R(table);
                    c.out[0] = R(x);
                    c.k = (uint32_t)k;
                    b.add(c);
                    out.push_back(b.build(state(0, m)));
                }
            }
        }
    }
    return out;
}

// ---------------------------------------------------------------- RmsNorm

OpCase rmsnorm_case(int64_t k, int64_t rows_per_token, int32_t m, bool in_place, uint16_t flags, const Target& tg) {
    std::string name = "k" + str(k) + "_rows" + str(rows_per_token) + "_m" + str(m);
    if (in_place) name += "_inplace";
    if (flags & kLastRowOnly) name += "_lastrow";
    if (flags & kSingleRow) name += "_singlerow";
    CaseBuilder b("RmsNorm", name, tg);
    const int64_t out_rows = (flags & (kLastRowOnly | kSingleRow)) ? rows_per_token : m * rows_per_token;
    const uint32_t x = b.f32("x", (size_t)(m * rows_per_token * k), Fill::Gauss, 0.3, 2.0);
    const uint32_t w = b.norm_weight("w", k);
    const uint32_t y = in_place ? x : b.out_f32("y", (size_t)(out_rows * k));
    Command c;
    c.op = Op::RmsNorm;
    c.flags = flags;
    c.in[0] = R(x);
    c.in[1] = R(w);
    c.out[0] = R(y);
    c.k = (uint32_t)k;
    c.p[0] = (uint32_t)rows_per_token;
    c.f0 = k == 1 ? 1e-6f : 1e-5f;
    b.add(c);
    return b.build(state(0, m));
}

std::vector<OpCase> rmsnorm_cases() {
    std::vector<OpCase> out;
    for (const Target& tg : targets(false)) {
        for (int64_t k : {1, 7, 64, 1000}) {
            for (int64_t rows : {1, 3}) {
                for (int32_t m : {1, 4}) {
                    for (bool in_place : {false, true}) out.push_back(rmsnorm_case(k, rows, m, in_place, 0, tg));
                }
            }
        }
        for (int64_t k : {7, 1000}) {
            for (int64_t rows : {1, 3}) out.push_back(rmsnorm_case(k, rows, 4, false, kLastRowOnly, tg));
        }
        out.push_back(rmsnorm_case(64, 1, 1, false, kLastRowOnly, tg));
        out.push_back(rmsnorm_case(64, 1, 4, false, kSingleRow, tg));
    }
    return out;
}

// ---------------------------------------------------------------- Rope

OpCase rope_case(int64_t head_dim, int64_t rope_dim, int style, int32_t pos, int32_t m, float theta,
                 const Target& tg) {
    const int64_t heads = 3;
    std::string name = std::string(style == 0 ? "interleaved" : "neox") + "_hd" + str(head_dim) + "_rd" +
                       str(rope_dim) + "_h" + str(heads) + "_m" + str(m) + "_pos" + str(pos);
    if (theta != 10000.0f) name += "_theta" + str((int64_t)theta);
    CaseBuilder b("Rope", name, tg);
    const uint32_t x = b.f32("x", (size_t)(m * heads * head_dim), Fill::Gauss, 0, 1);
    Command c;
    c.op = Op::Rope;
    c.out[0] = R(x);
    c.p[0] = (uint32_t)heads;
    c.p[1] = (uint32_t)head_dim;
    c.p[2] = (uint32_t)rope_dim;
    c.p[3] = (uint32_t)style;
    c.f0 = theta;
    b.add(c);
    return b.build(state(pos, m));
}

std::vector<OpCase> rope_cases() {
    std::vector<OpCase> out;
    for (const Target& tg : targets(false)) {
        for (int64_t hd : {8, 48, 128}) {
            const int64_t partial = hd == 8 ? 6 : hd == 48 ? 32 : 64;
            for (int64_t rd : {hd, partial}) {
                for (int style : {0, 1}) {
                    for (int32_t pos : {0, 1000}) {
                        for (int32_t m : {1, 3}) out.push_back(rope_case(hd, rd, style, pos, m, 10000.0f, tg));
                    }
                }
            }
        }
        out.push_back(rope_case(128, 128, 1, 1000, 1, 1000000.0f, tg));
        out.push_back(rope_case(48, 48, 0, 37, 2, 500000.0f, tg));
    }
    return out;
}

// ---------------------------------------------------------------- KvStore

OpCase kv_store_case(int64_t kv_heads, int64_t head_dim, int64_t max_ctx, int32_t pos, int32_t m, const Target& tg) {
    CaseBuilder b("KvStore",
                  "kvh" + str(kv_heads) + "_hd" + str(head_dim) + "_ctx" + str(max_ctx) + "_pos" + str(pos) + "_m" +
                      str(m),
                  tg);
    const size_t row = (size_t)(kv_heads * head_dim), cache = (size_t)(kv_heads * max_ctx * head_dim);
    const uint32_t k = b.f32("k", m * row, Fill::Gauss, 0, 1);
    const uint32_t v = b.f32("v", m * row, Fill::Gauss, 0, 1);
    // Caches hold other tokens' rows: every one the op does not write must come back unchanged.
    const uint32_t kc = b.f32("k_cache", cache, Fill::Gauss, 0, 1);
    const uint32_t vc = b.f32("v_cache", cache, Fill::Gauss, 0, 1);
    Command c;
    c.op = Op::KvStore;
    c.in[0] = R(k);
    c.in[1] = R(v);
    c.out[0] = R(kc);
    c.out[1] = R(vc);
    c.p[0] = (uint32_t)kv_heads;
    c.p[1] = (uint32_t)head_dim;
    c.p[2] = (uint32_t)max_ctx;
    b.add(c);
    return b.build(state(pos, m));
}

std::vector<OpCase> kv_store_cases() {
    std::vector<OpCase> out;
    for (const Target& tg : targets(false)) {
        for (int64_t kvh : {1, 4}) {
            for (int64_t hd : {8, 48}) {
                out.push_back(kv_store_case(kvh, hd, 16, 0, 1, tg));
                out.push_back(kv_store_case(kvh, hd, 16, 5, 4, tg));
                out.push_back(kv_store_case(kvh, hd, 16, 12, 4, tg));  // up to the last slot
            }
        }
        out.push_back(kv_store_case(2, 64, 128, 127, 1, tg));
    }
    return out;
}

// ---------------------------------------------------------------- Attention

OpCase attention_case(int64_t n_heads, int64_t n_kv, int64_t head_dim, int32_t pos, int32_t m, bool sharp,
                      const Target& tg) {
    return attention_op_case("Attention", "", n_heads, n_kv, head_dim, pos, m, 0, 0.0f, sharp, tg);
}

std::vector<OpCase> attention_cases() {
    std::vector<OpCase> out;
    const int64_t shapes[][2] = {{8, 4}, {6, 3}, {4, 4}};
    for (const auto& s : shapes) {
        for (int64_t hd : {8, 48}) {
            for (int32_t pos : {0, 5, 100}) {
                for (int32_t m : {1, 4}) {
                    for (const Target& tg : targets(true)) out.push_back(attention_case(s[0], s[1], hd, pos, m, false, tg));
                }
            }
        }
    }
    for (const Target& tg : targets(true)) out.push_back(attention_case(8, 4, 48, 100, 4, true, tg));
    // Prefill chunks at real head dims: the CUDA tensor-core kernel's 64-token tiles with a partial
    // last one (m = 70), keys from several tiles and a chunk that starts mid-context (pos 37).
    for (const Target& tg : targets(false)) {
        for (int64_t hd : {64, 128}) {
            out.push_back(attention_case(4, 2, hd, 0, 70, false, tg));
            out.push_back(attention_case(4, 1, hd, 37, 33, false, tg));
        }
    }
    for (const Target& tg : targets(false)) out.push_back(attention_case(6, 3, 8, 0, 4, true, tg));
    return out;
}

// ---------------------------------------------------------------- Add, SwiGlu

OpCase binary_case(Op op, int64_t n, int32_t m, bool in_place, double sigma, const Target& tg,
                   const std::vector<float>* gate_values = nullptr) {
    std::string name = "n" + str(n) + "_m" + str(m) + (in_place ? "_inplace" : "");
    if (sigma != 1.0) name += "_sigma" + str((int64_t)sigma);
    if (gate_values) name = "extremes_n" + str(n);
    CaseBuilder b(op == Op::Add ? "Add" : "SwiGlu", name, tg);
    const uint32_t a = gate_values ? b.f32_values("in0", *gate_values) : b.f32("in0", (size_t)(m * n), Fill::Gauss, 0, sigma);
    const uint32_t x = b.f32("in1", (size_t)(m * n), Fill::Gauss, 0, 1);
    const uint32_t y = in_place ? a : b.out_f32("out", (size_t)(m * n));
    Command c;
    c.op = op;
    c.in[0] = R(a);
    c.in[1] = R(x);
    c.out[0] = R(y);
    c.n = (uint32_t)n;
    b.add(c);
    return b.build(state(0, m));
}

std::vector<OpCase> add_cases() {
    std::vector<OpCase> out;
    for (const Target& tg : targets(false)) {
        for (int64_t n : {1, 31, 4097}) {
            for (int32_t m : {1, 3}) {
                for (bool ip : {false, true}) out.push_back(binary_case(Op::Add, n, m, ip, 1.0, tg));
            }
        }
    }
    return out;
}

std::vector<OpCase> swiglu_cases() {
    std::vector<OpCase> out;
    for (const Target& tg : targets(false)) {
        for (int64_t n : {1, 31, 4097}) {
            for (int32_t m : {1, 3}) {
                for (bool ip : {false, true}) out.push_back(binary_case(Op::SwiGlu, n, m, ip, 1.0, tg));
            }
        }
        out.push_back(binary_case(Op::SwiGlu, 4097, 1, false, 30.0, tg));
        // Where exp(-g) overflows or underflows f32.
        const std::vector<float> extremes = {-1000.f, -100.f, -89.f, -88.f, -20.f, -1e-30f, 0.f, 1e-30f,
                                             20.f,    88.f,   89.f,  100.f, 1000.f, -0.5f,  0.5f};
        out.push_back(binary_case(Op::SwiGlu, (int64_t)extremes.size(), 1, false, 1.0, tg, &extremes));
    }
    return out;
}

// ---------------------------------------------------------------- Argmax

// Deterministic logits without the harness's generator (crafted cases need exact values).
std::vector<float> wavy(int64_t n, float lo, float hi) {
    std::vector<float> v((size_t)n);
    uint32_t s = 12345;
    for (float& x : v) {
        s = s * 1664525u + 1013904223u;
        x = lo + (hi - lo) * (float)((s >> 8) & 0xffff) / 65536.0f;
    }
    return v;
}

OpCase argmax_case(const std::string& what, std::vector<float> logits, int32_t step, int32_t chain_len,
                   const Target& tg) {
    const int64_t n = (int64_t)logits.size();
    std::string name = "n" + str(n) + "_" + what + (chain_len ? "_step" + str(step) : "_nochain");
    CaseBuilder b("Argmax", name, tg);
    const uint32_t x = logits.empty() ? 0 : b.f32_values("logits", logits);
    const uint32_t tok = b.i32("token", 2, Fill::Poison);  // element 0 written, element 1 must not be
    Command c;
    c.op = Op::Argmax;
    c.in[0] = R(x);
    c.out[0] = R(tok);
    if (chain_len) c.out[1] = R(b.i32("chain_out", (size_t)chain_len, Fill::Poison));
    c.n = (uint32_t)n;
    b.add(c);
    return b.build(state(0, 1, step));
}

OpCase argmax_random_case(int64_t n, int32_t step, int32_t chain_len, const Target& tg) {
    CaseBuilder b("Argmax", "n" + str(n) + "_gauss" + (chain_len ? "_step" + str(step) : "_nochain"), tg);
    const uint32_t x = b.f32("logits", (size_t)n, Fill::Gauss, 0, 3);
    const uint32_t tok = b.i32("token", 2, Fill::Poison);
    Command c;
    c.op = Op::Argmax;
    c.in[0] = R(x);
    c.out[0] = R(tok);
    if (chain_len) c.out[1] = R(b.i32("chain_out", (size_t)chain_len, Fill::Poison));
    c.n = (uint32_t)n;
    b.add(c);
    return b.build(state(0, 1, step));
}

std::vector<OpCase> argmax_cases() {
    std::vector<OpCase> out;
    for (const Target& tg : targets(false)) {
        out.push_back(argmax_case("single", {-3.5f}, 0, 4, tg));
        out.push_back(argmax_random_case(511, 0, 4, tg));
        out.push_back(argmax_random_case(511, 5, 8, tg));
        out.push_back(argmax_random_case(511, 0, 0, tg));
        out.push_back(argmax_random_case(32000, 3, 4, tg));
        std::vector<float> v = wavy(511, -2, 2);
        std::vector<float> ties = v;
        ties[100] = ties[200] = ties[510] = 5.0f;  // first index wins
        out.push_back(argmax_case("ties", ties, 2, 4, tg));
        std::vector<float> ends = v;
        ends[0] = ends[510] = 5.0f;
        out.push_back(argmax_case("tie_first_last", ends, 1, 4, tg));
        out.push_back(argmax_case("all_equal", std::vector<float>(511, 0.25f), 3, 4, tg));
        std::vector<float> neg = wavy(511, -10, -1);  // a max below zero
        out.push_back(argmax_case("negative", neg, 0, 0, tg));
        std::vector<float> last = v;
        last[510] = 3.0f;
        out.push_back(argmax_case("max_last", last, 0, 4, tg));
        std::vector<float> close = v;  // one ulp apart
        close[300] = 4.0f;
        close[301] = std::nextafter(4.0f, 5.0f);
        out.push_back(argmax_case("one_ulp", close, 0, 4, tg));
    }
    return out;
}

// ---------------------------------------------------------------- few-command blocks

// The head of the forward table: final norm of the last token, logits of one row, argmax.
OpCase head_case(DType t, int64_t dim, int64_t vocab, int32_t m, RunMode mode, const Target& tg) {
    CaseBuilder b("Block",
                  std::string("head_") + dtype_name(t) + "_dim" + str(dim) + "_vocab" + str(vocab) + "_m" + str(m) +
                      (mode == RunMode::Profiled ? "_profiled" : ""),
                  tg);
    const uint32_t x = b.f32("x", (size_t)(m * dim), Fill::Gauss, 0, 1);
    const uint32_t nw = b.norm_weight("output_norm", dim);
    const uint32_t xn = b.out_f32("xn", (size_t)dim);
    const uint32_t w = b.weight("output", t, vocab, dim, 1.0 / std::sqrt((double)dim));
    const uint32_t logits = b.out_f32("logits", (size_t)vocab);
    const uint32_t tok = b.i32("tokens", (size_t)m, Fill::Poison);
    const uint32_t chain = b.i32("chain_out", 4, Fill::Poison);
    Command norm;
    norm.op = Op::RmsNorm;
    norm.flags = kLastRowOnly;
    norm.in[0] = R(x);
    norm.in[1] = R(nw);
    norm.out[0] = R(xn);
    norm.k = (uint32_t)dim;
    norm.p[0] = 1;
    norm.f0 = 1e-5f;
    b.add(norm);
    Command mm;
    mm.op = Op::MatMul;
    mm.wtype = t;
    mm.flags = kSingleRow;
    mm.in[0] = R(w);
    mm.in[1] = R(xn);
    mm.out[0] = R(logits);
    mm.n = (uint32_t)vocab;
    mm.k = (uint32_t)dim;
    b.add(mm);
    Command am;
    am.op = Op::Argmax;
    am.in[0] = R(logits);
    am.out[0] = R(tok);
    am.out[1] = R(chain);
    am.n = (uint32_t)vocab;
    b.add(am);
    OpCase c = b.build(state(0, m, 2), mode);
    c.min_argmax_margin = 1e-4;
    return c;
}

// A decode/prefill step's KV write followed by the attention that reads it.
OpCase kv_attention_case(int32_t pos, int32_t m, const Target& tg) {
    const int64_t nh = 6, nkv = 2, hd = 16, ctx = pos + m + 2;
    CaseBuilder b("Block", "kv_attention_pos" + str(pos) + "_m" + str(m), tg);
    const uint32_t q = b.f32("q", (size_t)(m * nh * hd), Fill::Gauss, 0, 1);
    const uint32_t k = b.f32("k", (size_t)(m * nkv * hd), Fill::Gauss, 0, 1);
    const uint32_t v = b.f32("v", (size_t)(m * nkv * hd), Fill::Gauss, 0, 1);
    const uint32_t kc = b.f32("k_cache", (size_t)(nkv * ctx * hd), Fill::Gauss, 0, 1);
    const uint32_t vc = b.f32("v_cache", (size_t)(nkv * ctx * hd), Fill::Gauss, 0, 1);
    const uint32_t o = b.out_f32("attn", (size_t)(m * nh * hd));
    Command st;
    st.op = Op::KvStore;
    st.in[0] = R(k);
    st.in[1] = R(v);
    st.out[0] = R(kc);
    st.out[1] = R(vc);
    st.p[0] = (uint32_t)nkv;
    st.p[1] = (uint32_t)hd;
    st.p[2] = (uint32_t)ctx;
    b.add(st);
    Command at;
    at.op = Op::Attention;
    at.in[0] = R(q);
    at.in[1] = R(kc);
    at.in[2] = R(vc);
    at.out[0] = R(o);
    at.p[0] = (uint32_t)nh;
    at.p[1] = (uint32_t)nkv;
    at.p[2] = (uint32_t)hd;
    at.p[3] = (uint32_t)ctx;
    at.f0 = 0.25f;
    b.add(at);
    return b.build(state(pos, m));
}

// x += W h, fused (kAccumulate) or as MatMul into tmp then an in-place Add.
OpCase residual_case(DType t, bool fused, int32_t m, const Target& tg) {
    const int64_t dim = 64, ffn = dtype_traits(t).block_size == 256 ? 256 : 96;
    CaseBuilder b("Block", std::string(fused ? "residual_fused_" : "residual_unfused_") + dtype_name(t) + "_m" + str(m),
                  tg);
    const uint32_t x = b.f32("x", (size_t)(m * dim), Fill::Gauss, 0, 1);
    const uint32_t h = b.f32("h", (size_t)(m * ffn), Fill::Gauss, 0, 1);
    const uint32_t w = b.weight("w", t, dim, ffn, 1.0 / std::sqrt((double)ffn));
    Command mm;
    mm.op = Op::MatMul;
    mm.wtype = t;
    mm.in[0] = R(w);
    mm.in[1] = R(h);
    mm.n = (uint32_t)dim;
    mm.k = (uint32_t)ffn;
    if (fused) {
        mm.flags = kAccumulate;
        mm.out[0] = R(x);
        b.add(mm);
    } else {
        const uint32_t tmp = b.out_f32("tmp", (size_t)(m * dim));
        mm.out[0] = R(tmp);
        b.add(mm);
        Command add;
        add.op = Op::Add;
        add.in[0] = R(x);
        add.in[1] = R(tmp);
        add.out[0] = R(x);
        add.n = (uint32_t)dim;
        b.add(add);
    }
    return b.build(state(0, m));
}

// Tensors addressed at an offset inside a larger tensor: the KV cache of layer 1 in a buffer that
// holds two layers, q/k/v as slices of one fused qkv buffer.
OpCase offsets_case(const Target& tg) {
    const int64_t nh = 4, nkv = 2, hd = 8, ctx = 12, m = 3, pos = 4;
    CaseBuilder b("Block", "offsets_qkv_slices_layer1_cache", tg);
    const size_t qd = nh * hd, kvd = nkv * hd;
    // q [m][qd], k [m][kvd], v [m][kvd] as consecutive blocks of one buffer.
    const uint32_t qkv = b.f32("qkv", (size_t)(m * (qd + 2 * kvd)), Fill::Gauss, 0, 1);
    const uint32_t kc = b.f32("k_cache_2layers", (size_t)(2 * nkv * ctx * hd), Fill::Gauss, 0, 1);
    const uint32_t vc = b.f32("v_cache_2layers", (size_t)(2 * nkv * ctx * hd), Fill::Gauss, 0, 1);
    const uint32_t o = b.f32("attn_2x", (size_t)(2 * m * qd), Fill::Poison);
    const uint64_t q_off = 0, k_off = m * qd * 4, v_off = k_off + m * kvd * 4;
    const uint64_t layer1 = (uint64_t)nkv * ctx * hd * 4;
    Command rope;
    rope.op = Op::Rope;
    rope.out[0] = R(qkv, k_off);
    rope.p[0] = (uint32_t)nkv;
    rope.p[1] = (uint32_t)hd;
    rope.p[2] = (uint32_t)hd;
    rope.p[3] = 1;
    rope.f0 = 10000.0f;
    b.add(rope);
    Command st;
    st.op = Op::KvStore;
    st.in[0] = R(qkv, k_off);
    st.in[1] = R(qkv, v_off);
    st.out[0] = R(kc, layer1);
    st.out[1] = R(vc, layer1);
    st.p[0] = (uint32_t)nkv;
    st.p[1] = (uint32_t)hd;
    st.p[2] = (uint32_t)ctx;
    b.add(st);
    Command at;
    at.op = Op::Attention;
    at.in[0] = R(qkv, q_off);
    at.in[1] = R(kc, layer1);
    at.in[2] = R(vc, layer1);
    at.out[0] = R(o, (uint64_t)m * qd * 4);  // the second half; the first must stay poisoned
    at.p[0] = (uint32_t)nh;
    at.p[1] = (uint32_t)nkv;
    at.p[2] = (uint32_t)hd;
    at.p[3] = (uint32_t)ctx;
    at.f0 = (float)(1.0 / std::sqrt((double)hd));
    b.add(at);
    return b.build(state((int32_t)pos, (int32_t)m));
}

std::vector<OpCase> block_cases() {
    std::vector<OpCase> out;
    for (const Target& tg : targets(true)) {
        out.push_back(head_case(DType::Q6_K, 256, 300, 4, RunMode::Run, tg));
        out.push_back(head_case(DType::Q8_0, 96, 50, 1, RunMode::Run, tg));
        out.push_back(kv_attention_case(0, 1, tg));
        out.push_back(kv_attention_case(7, 4, tg));
    }
    for (const Target& tg : targets(false)) {
        out.push_back(head_case(DType::F16, 96, 50, 3, RunMode::Profiled, tg));
        for (DType t : {DType::F32, DType::Q4_0, DType::Q4_K}) {
            out.push_back(residual_case(t, true, 3, tg));
            out.push_back(residual_case(t, false, 3, tg));
        }
        out.push_back(offsets_case(tg));
    }
    return out;
}

// ---------------------------------------------------------------- a whole (tiny) model

struct MiniTypes {
    const char* tag;
    DType embed, q, k, v, o, gate, up, down, out;
};

// One transformer layer plus embedding and head, every op of the enum, laid out as
// plan/table_builder.cpp does (fused residuals, qk-less, final norm kLastRowOnly, logits kSingleRow).
// Chain mode runs it as greedy decode steps (each Argmax feeds the next EmbedLookup); Run and
// Profiled run it once as a prefill of m tokens.
OpCase decoder_case(const MiniTypes& ty, int64_t dim, RunMode mode, int32_t m_or_steps, int32_t pos,
                    const Target& tg) {
    // ffn a multiple of every block size the weights may use (256 for K-quants).
    const int64_t nh = 4, nkv = 2, hd = dim / nh, ffn = dim == 256 ? 512 : 96, vocab = 53;
    const bool chain = mode == RunMode::Chain;
    const int32_t m = chain ? 1 : m_or_steps, steps = chain ? m_or_steps : 1;
    const int64_t ctx = pos + (chain ? steps : m) + 2;
    std::string name = std::string("decoder_") + ty.tag + "_dim" + str(dim) + "_pos" + str(pos) +
                       (chain ? "_steps" + str(steps) : "_m" + str(m));
    if (mode == RunMode::Profiled) name += "_profiled";
    CaseBuilder b(chain ? "Chain" : "Block", name, tg);
    auto s = [](int64_t k) { return 1.0 / std::sqrt((double)k); };
    std::vector<int32_t> toks((size_t)m);
    for (int32_t i = 0; i < m; ++i) toks[(size_t)i] = (int32_t)((7 + 13 * i) % vocab);
    const uint32_t tokens = b.i32_values("tokens", toks);
    const uint32_t embd = b.weight("token_embd", ty.embed, vocab, dim);
    const uint32_t attn_norm = b.norm_weight("attn_norm", dim);
    const uint32_t wq = b.weight("wq", ty.q, nh * hd, dim, s(dim));
    const uint32_t wk = b.weight("wk", ty.k, nkv * hd, dim, s(dim));
    const uint32_t wv = b.weight("wv", ty.v, nkv * hd, dim, s(dim));
    const uint32_t wo = b.weight("wo", ty.o, dim, nh * hd, s(nh * hd));
    const uint32_t ffn_norm = b.norm_weight("ffn_norm", dim);
    const uint32_t wg = b.weight("ffn_gate", ty.gate, ffn, dim, s(dim));
    const uint32_t wu = b.weight("ffn_up", ty.up, ffn, dim, s(dim));
    const uint32_t wd = b.weight("ffn_down", ty.down, dim, ffn, s(ffn));
    const uint32_t out_norm = b.norm_weight("output_norm", dim);
    const uint32_t wout = b.weight("output", ty.out, vocab, dim, 3 * s(dim));
    const uint32_t x = b.out_f32("x", (size_t)(m * dim));
    const uint32_t xn = b.out_f32("xn", (size_t)(m * dim));
    const uint32_t q = b.out_f32("q", (size_t)(m * nh * hd));
    const uint32_t k = b.out_f32("k", (size_t)(m * nkv * hd));
    const uint32_t v = b.out_f32("v", (size_t)(m * nkv * hd));
    const uint32_t kc = b.f32("k_cache", (size_t)(nkv * ctx * hd), Fill::Gauss, 0, 1);
    const uint32_t vc = b.f32("v_cache", (size_t)(nkv * ctx * hd), Fill::Gauss, 0, 1);
    const uint32_t attn = b.out_f32("attn", (size_t)(m * nh * hd));
    const uint32_t gate = b.out_f32("gate", (size_t)(m * ffn));
    const uint32_t up = b.out_f32("up", (size_t)(m * ffn));
    const uint32_t logits = b.out_f32("logits", (size_t)vocab);
    const uint32_t chain_out = b.i32("chain_out", (size_t)steps + 2, Fill::Poison);

    Command c;
    c.op = Op::EmbedLookup;
    c.wtype = ty.embed;
    c.in[0] = R(tokens);
    c.in[1] = R(embd);
    c.out[0] = R(x);
    c.k = (uint32_t)dim;
    b.add(c);
    auto norm = [&](uint32_t in, uint32_t w, uint32_t outb, uint16_t flags) {
        Command n;
        n.op = Op::RmsNorm;
        n.flags = flags;
        n.in[0] = R(in);
        n.in[1] = R(w);
        n.out[0] = R(outb);
        n.k = (uint32_t)dim;
        n.p[0] = 1;
        n.f0 = 1e-5f;
        b.add(n);
    };
    auto mm = [&](DType t, uint32_t w, uint32_t in, uint32_t outb, int64_t rows, int64_t cols, uint16_t flags) {
        Command n;
        n.op = Op::MatMul;
        n.wtype = t;
        n.flags = flags;
        n.in[0] = R(w);
        n.in[1] = R(in);
        n.out[0] = R(outb);
        n.n = (uint32_t)rows;
        n.k = (uint32_t)cols;
        b.add(n);
    };
    auto rope = [&](uint32_t buf, int64_t heads) {
        Command n;
        n.op = Op::Rope;
        n.out[0] = R(buf);
        n.p[0] = (uint32_t)heads;
        n.p[1] = (uint32_t)hd;
        n.p[2] = (uint32_t)hd;
        n.p[3] = 1;
        n.f0 = 10000.0f;
        b.add(n);
    };
    norm(x, attn_norm, xn, 0);
    mm(ty.q, wq, xn, q, nh * hd, dim, 0);
    mm(ty.k, wk, xn, k, nkv * hd, dim, 0);
    mm(ty.v, wv, xn, v, nkv * hd, dim, 0);
    rope(q, nh);
    rope(k, nkv);
    c = Command();
    c.op = Op::KvStore;
    c.in[0] = R(k);
    c.in[1] = R(v);
    c.out[0] = R(kc);
    c.out[1] = R(vc);
    c.p[0] = (uint32_t)nkv;
    c.p[1] = (uint32_t)hd;
    c.p[2] = (uint32_t)ctx;
    b.add(c);
    c = Command();
    c.op = Op::Attention;
    c.in[0] = R(q);
    c.in[1] = R(kc);
    c.in[2] = R(vc);
    c.out[0] = R(attn);
    c.p[0] = (uint32_t)nh;
    c.p[1] = (uint32_t)nkv;
    c.p[2] = (uint32_t)hd;
    c.p[3] = (uint32_t)ctx;
    c.f0 = (float)s(hd);
    b.add(c);
    mm(ty.o, wo, attn, x, dim, nh * hd, kAccumulate);
    norm(x, ffn_norm, xn, 0);
    mm(ty.gate, wg, xn, gate, ffn, dim, 0);
    mm(ty.up, wu, xn, up, ffn, dim, 0);
    c = Command();
    c.op = Op::SwiGlu;
    c.in[0] = R(gate);
    c.in[1] = R(up);
    c.out[0] = R(gate);
    c.n = (uint32_t)ffn;
    b.add(c);
    mm(ty.down, wd, gate, x, dim, ffn, kAccumulate);
    norm(x, out_norm, xn, kLastRowOnly);
    mm(ty.out, wout, xn, logits, vocab, dim, kSingleRow);
    c = Command();
    c.op = Op::Argmax;
    c.in[0] = R(logits);
    c.out[0] = R(tokens);
    c.out[1] = R(chain_out);
    c.n = (uint32_t)vocab;
    b.add(c);
    // Errors compound through a dozen commands (and steps): the loosest op tolerance times 10.
    for (uint32_t i = 0; i <= chain_out; ++i) {
        if (b.spec(i).elem == Elem::F32) b.spec(i).tol = 1e-4;
    }
    OpCase oc = b.build(state(pos, m, 1), mode, steps);
    oc.min_argmax_margin = 2e-3;
    return oc;
}

std::vector<OpCase> decoder_cases() {
    const MiniTypes legacy = {"legacy", DType::Q8_0, DType::Q4_0, DType::Q4_1, DType::Q5_0, DType::Q5_1,
                              DType::F16,  DType::BF16, DType::F32,  DType::Q8_0};
    const MiniTypes kq = {"kquants", DType::Q6_K, DType::Q2_K, DType::Q3_K, DType::Q4_K, DType::Q5_K,
                          DType::Q4_K, DType::Q5_K, DType::Q6_K, DType::Q6_K};
    std::vector<OpCase> out;
    for (const Target& tg : targets(true)) {
        out.push_back(decoder_case(legacy, 64, RunMode::Chain, 6, 3, tg));
        out.push_back(decoder_case(kq, 256, RunMode::Chain, 4, 0, tg));
        out.push_back(decoder_case(legacy, 64, RunMode::Run, 5, 2, tg));
    }
    for (const Target& tg : targets(false)) {
        out.push_back(decoder_case(kq, 256, RunMode::Run, 3, 5, tg));
        out.push_back(decoder_case(legacy, 64, RunMode::Profiled, 4, 0, tg));
    }
    return out;
}

// ---------------------------------------------------------------- model-sized shapes (perf only)

std::vector<OpCase> perf_cases() {
    std::vector<OpCase> out;
    const Target all{BackendKind::Cpu, 0};
    std::vector<Target> tgs = {all};
    for (const Target& t : targets(false)) {
        if (t.kind != BackendKind::Cpu) tgs.push_back(t);
    }
    for (const Target& tg : tgs) {
        for (DType t : all_dtypes()) {
            out.push_back(matmul_case(t, 4096, 4096, 1, tg, 0, "Perf"));
            out.push_back(matmul_case(t, 4096, 4096, 16, tg, 0, "Perf"));
        }
        if (tg.kind != BackendKind::Cpu) {  // llama-3-8B's ffn shapes, where decode time goes
            for (DType t : {DType::Q4_0, DType::Q8_0}) {
                out.push_back(matmul_case(t, 14336, 4096, 1, tg, 0, "Perf"));
                out.push_back(matmul_case(t, 4096, 14336, 1, tg, 0, "Perf"));
            }
        }
        OpCase a = attention_case(32, 8, 128, 1000, 1, false, tg);
        a.suite = "Perf";
        out.push_back(a);
        OpCase a16 = attention_case(32, 8, 128, 1000, 16, false, tg);
        a16.suite = "Perf";
        out.push_back(a16);
    }
    return out;
}

// ---------------------------------------------------------------- gtest glue

std::vector<OpCase> all_cases() {
    std::vector<OpCase> out;
    for (auto gen : {matmul_cases, embed_cases, rmsnorm_cases, rope_cases, kv_store_cases, attention_cases,
                     add_cases, swiglu_cases, argmax_cases, block_cases, decoder_cases, add_bias_cases, geglu_cases,
                     scale_cases, softcap_cases, attention_window_cases, rope_freq_factor_cases}) {
        std::vector<OpCase> v = gen();
        out.insert(out.end(), v.begin(), v.end());
    }
    return out;
}

std::string case_name(const ::testing::TestParamInfo<OpCase>& info) { return info.param.name; }

void check(const OpCase& c) {
    const CaseResult r = run_case(c);
    if (!r.perf_line.empty()) std::printf("%s\n", r.perf_line.c_str());
    if (r.status == CaseResult::Status::Unsupported) GTEST_SKIP() << "unsupported: " << r.message;
    ASSERT_TRUE(r.status == CaseResult::Status::Pass) << c.full_name() << " failed:\n" << r.message;
}

}  // namespace

class OpCaseTest : public ::testing::TestWithParam<OpCase> {};

TEST_P(OpCaseTest, MatchesReference) { check(GetParam()); }

INSTANTIATE_TEST_SUITE_P(MatMul, OpCaseTest, ::testing::ValuesIn(matmul_cases()), case_name);
INSTANTIATE_TEST_SUITE_P(FastPath, OpCaseTest, ::testing::ValuesIn(fast_path_cases()), case_name);
INSTANTIATE_TEST_SUITE_P(EmbedLookup, OpCaseTest, ::testing::ValuesIn(embed_cases()), case_name);
INSTANTIATE_TEST_SUITE_P(RmsNorm, OpCaseTest, ::testing::ValuesIn(rmsnorm_cases()), case_name);
INSTANTIATE_TEST_SUITE_P(Rope, OpCaseTest, ::testing::ValuesIn(rope_cases()), case_name);
INSTANTIATE_TEST_SUITE_P(KvStore, OpCaseTest, ::testing::ValuesIn(kv_store_cases()), case_name);
INSTANTIATE_TEST_SUITE_P(Attention, OpCaseTest, ::testing::ValuesIn(attention_cases()), case_name);
INSTANTIATE_TEST_SUITE_P(Add, OpCaseTest, ::testing::ValuesIn(add_cases()), case_name);
INSTANTIATE_TEST_SUITE_P(SwiGlu, OpCaseTest, ::testing::ValuesIn(swiglu_cases()), case_name);
INSTANTIATE_TEST_SUITE_P(Argmax, OpCaseTest, ::testing::ValuesIn(argmax_cases()), case_name);
INSTANTIATE_TEST_SUITE_P(Block, OpCaseTest, ::testing::ValuesIn(block_cases()), case_name);
INSTANTIATE_TEST_SUITE_P(Chain, OpCaseTest, ::testing::ValuesIn(decoder_cases()), case_name);
INSTANTIATE_TEST_SUITE_P(AddBias, OpCaseTest, ::testing::ValuesIn(add_bias_cases()), case_name);
INSTANTIATE_TEST_SUITE_P(GeluGlu, OpCaseTest, ::testing::ValuesIn(geglu_cases()), case_name);
INSTANTIATE_TEST_SUITE_P(Scale, OpCaseTest, ::testing::ValuesIn(scale_cases()), case_name);
INSTANTIATE_TEST_SUITE_P(SoftCap, OpCaseTest, ::testing::ValuesIn(softcap_cases()), case_name);
INSTANTIATE_TEST_SUITE_P(AttentionWindow, OpCaseTest, ::testing::ValuesIn(attention_window_cases()), case_name);
INSTANTIATE_TEST_SUITE_P(RopeFreqFactors, OpCaseTest, ::testing::ValuesIn(rope_freq_factor_cases()), case_name);

class OpPerfTest : public ::testing::TestWithParam<OpCase> {};

TEST_P(OpPerfTest, Timed) {
    if (!HarnessOptions::from_env().perf) GTEST_SKIP() << "set AKUNU_OP_PERF=1";
    check(GetParam());
}

INSTANTIATE_TEST_SUITE_P(Perf, OpPerfTest, ::testing::ValuesIn(perf_cases()), case_name);

// ---------------------------------------------------------------- coverage

// Prints Op x dtype: how many cases exercise each cell and whether the CPU backend takes them
// (prepare() succeeds on a representative case). Fails if an Op of the enum has no case, or if a
// registered dtype has no MatMul or EmbedLookup case.
TEST(OpCoverage, EveryOpHasACase) {
    const std::vector<OpCase> cases = all_cases();
    const std::vector<DType> dtypes = all_dtypes();
    auto typed = [](Op op) { return op == Op::MatMul || op == Op::EmbedLookup; };
    std::map<std::pair<int, uint32_t>, std::vector<const OpCase*>> cells;
    for (const OpCase& c : cases) {
        std::set<std::pair<int, uint32_t>> seen;
        for (const Command& cmd : c.table.commands) {
            seen.insert({(int)cmd.op, typed(cmd.op) ? (uint32_t)cmd.wtype : (uint32_t)DType::F32});
        }
        for (const auto& key : seen) cells[key].push_back(&c);
    }
    std::printf("\nOp x dtype coverage on the CPU backend (cases in the cell; ok = prepare() accepts it,\n"
                "UNSUP = backend refuses, ---- = no case, blank = not a typed op):\n%-10s", "");
    for (DType t : dtypes) std::printf(" %9s", dtype_name(t));
    std::printf("\n");
    size_t total_cells = 0, unsupported = 0;
    for (int o = 0; o < (int)Op::Count; ++o) {
        const Op op = (Op)o;
        std::printf("%-10s", op_name(op));
        size_t op_cases = 0;
        for (DType t : dtypes) {
            if (!typed(op) && t != DType::F32) {
                std::printf(" %9s", "");
                continue;
            }
            auto it = cells.find({o, (uint32_t)t});
            if (it == cells.end()) {
                std::printf(" %9s", "----");
                if (typed(op)) ADD_FAILURE() << op_name(op) << " has no case for " << dtype_name(t);
                continue;
            }
            op_cases += it->second.size();
            const OpCase* rep = nullptr;
            for (const OpCase* c : it->second) {
                if (c->target.kind == BackendKind::Cpu && (!rep || c->table.size() < rep->table.size())) rep = c;
            }
            OpCase probe = *rep;
            probe.target = Target{BackendKind::Cpu, 1};
            const bool ok = backend_supports(probe);
            ++total_cells;
            unsupported += !ok;
            std::printf(" %9s", ((ok ? "ok " : "UNSUP ") + std::to_string(it->second.size())).c_str());
        }
        std::printf("\n");
        EXPECT_GT(op_cases, 0u) << "Op " << op_name(op) << " has no test case";
    }
    std::printf("%zu cases in all; %zu Op x dtype cells, %zu unsupported on the CPU backend\n\n", cases.size(),
                total_cells, unsupported);
}

TEST(OpCoverage, EveryOpHasATolerance) {
    for (int o = 0; o < (int)Op::Count; ++o) {
        for (DType t : all_dtypes()) EXPECT_NO_THROW(tolerance((Op)o, t)) << op_name((Op)o) << " " << dtype_name(t);
    }
}

// ---------------------------------------------------------------- the harness's own tests
// A wrapper around the CPU backend that damages the result after each run in one specific way;
// each test proves that one check of the harness catches that kind of bug. Buffers on a fresh CPU
// backend get ids 0, 1, 2 ... in creation order, i.e. the case's tensor indices.

namespace {

class FaultyBackend final : public Backend {
public:
    using Fault = std::function<void(Backend&)>;
    FaultyBackend(std::unique_ptr<Backend> inner, Fault fault) : inner_(std::move(inner)), fault_(std::move(fault)) {}
    const DeviceConfig& config() const override { return inner_->config(); }
    BufferId create_buffer(size_t bytes, const char* name) override { return inner_->create_buffer(bytes, name); }
    BufferId import_weights(const void* host, size_t bytes, const char* name) override {
        return inner_->import_weights(host, bytes, name);
    }
    void write(BufferId buf, size_t offset, const void* src, size_t bytes) override {
        inner_->write(buf, offset, src, bytes);
    }
    void read(BufferId buf, size_t offset, void* dst, size_t bytes) override { inner_->read(buf, offset, dst, bytes); }
    void prepare(const DispatchTable& table) override { inner_->prepare(table); }
    void run(const DispatchTable& table, const RunState& state) override {
        inner_->run(table, state);
        fault_(*inner_);
    }
    void run_chain(const DispatchTable& table, const RunState& first, int32_t n_steps) override {
        inner_->run_chain(table, first, n_steps);
        fault_(*inner_);
    }
    void run_profiled(const DispatchTable& table, const RunState& state, double* ms) override {
        inner_->run_profiled(table, state, ms);
        fault_(*inner_);
    }
    uint64_t allocated_bytes() const override { return inner_->allocated_bytes(); }
    double measure_read_bandwidth_gbs() override { return inner_->measure_read_bandwidth_gbs(); }

private:
    std::unique_ptr<Backend> inner_;
    Fault fault_;
};

HarnessOptions with_fault(FaultyBackend::Fault fault) {
    HarnessOptions o;
    o.make_backend = [fault](const Target& t) -> std::unique_ptr<Backend> {
        BackendOptions bo;
        bo.n_threads = t.n_threads;
        return std::make_unique<FaultyBackend>(create_backend(t.kind, bo), fault);
    };
    return o;
}

float peek(Backend& be, BufferId id, size_t element) {
    float v;
    be.read(id, kGuardBytes + 4 * element, &v, 4);
    return v;
}
void poke(Backend& be, BufferId id, size_t element, float v) { be.write(id, kGuardBytes + 4 * element, &v, 4); }
void poke_bits(Backend& be, BufferId id, size_t element, uint32_t bits) {
    be.write(id, kGuardBytes + 4 * element, &bits, 4);
}

// Tensors of matmul_case: 0 w, 1 x, 2 y [3][33].
const OpCase& probe_matmul() {
    static const OpCase c = matmul_case(DType::Q4_K, 33, 256, 3, Target{BackendKind::Cpu, 1});
    return c;
}

CaseResult run_with(const OpCase& c, FaultyBackend::Fault fault) { return run_case(c, with_fault(std::move(fault))); }

void expect_fails(const CaseResult& r, const std::string& needle) {
    EXPECT_EQ(r.status, CaseResult::Status::Fail);
    EXPECT_NE(r.message.find(needle), std::string::npos) << "message was:\n" << r.message;
}

}  // namespace

TEST(OpHarnessSelfTest, CleanRunPasses) {
    EXPECT_EQ(run_with(probe_matmul(), [](Backend&) {}).status, CaseResult::Status::Pass);
}

TEST(OpHarnessSelfTest, F32RoundingNoisePasses) {
    // Every output off by ~1e-7 relative (another summation order) is within tolerance.
    const CaseResult r = run_with(probe_matmul(), [](Backend& be) {
        for (size_t i = 0; i < 99; ++i) poke(be, 2, i, peek(be, 2, i) * (1.0f + ((i % 2) ? 1.2e-7f : -1.2e-7f)));
    });
    EXPECT_EQ(r.status, CaseResult::Status::Pass) << r.message;
}

TEST(OpHarnessSelfTest, UniformDriftFails) {
    expect_fails(run_with(probe_matmul(),
                          [](Backend& be) {
                              for (size_t i = 0; i < 99; ++i) poke(be, 2, i, peek(be, 2, i) * (1.0f + 3e-5f));
                          }),
                 "normalized error");
}

TEST(OpHarnessSelfTest, OneWrongElementFails) {
    expect_fails(run_with(probe_matmul(), [](Backend& be) { poke(be, 2, 40, peek(be, 2, 40) * 1.001f); }),
                 "worst at element 40");
}

TEST(OpHarnessSelfTest, NonFiniteOutputFails) {
    expect_fails(run_with(probe_matmul(), [](Backend& be) { poke(be, 2, 7, INFINITY); }), "non-finite");
}

TEST(OpHarnessSelfTest, UnwrittenOutputFails) {
    // An element the kernel never wrote still holds the poison NaN.
    expect_fails(run_with(probe_matmul(), [](Backend& be) { poke_bits(be, 2, 98, kPoisonBits); }), "non-finite");
}

TEST(OpHarnessSelfTest, WriteAfterTheTensorFails) {
    expect_fails(run_with(probe_matmul(),
                          [](Backend& be) {
                              const uint8_t z = 0;
                              be.write(2, kGuardBytes + 99 * 4 + 5, &z, 1);
                          }),
                 "guard byte(s) after");
}

TEST(OpHarnessSelfTest, WriteBeforeTheTensorFails) {
    expect_fails(run_with(probe_matmul(),
                          [](Backend& be) {
                              const float z = 0;
                              be.write(2, kGuardBytes - 4, &z, 4);
                          }),
                 "guard byte(s) before");
}

TEST(OpHarnessSelfTest, ModifiedActivationInputFails) {
    expect_fails(run_with(probe_matmul(), [](Backend& be) { poke(be, 1, 3, peek(be, 1, 3) + 1.0f); }),
                 "must not write");
}

TEST(OpHarnessSelfTest, ModifiedWeightFails) {
    expect_fails(run_with(probe_matmul(),
                          [](Backend& be) {
                              uint8_t byte;
                              be.read(0, kGuardBytes + 17, &byte, 1);
                              byte ^= 0x10;
                              be.write(0, kGuardBytes + 17, &byte, 1);
                          }),
                 "input weight was modified");
}

TEST(OpHarnessSelfTest, KvStoreTouchingAnotherPositionFails) {
    // kv_store_case tensors: 0 k, 1 v, 2 k_cache, 3 v_cache [kvh][ctx][hd]; writes positions 5..8.
    const OpCase c = kv_store_case(1, 8, 16, 5, 4, Target{BackendKind::Cpu, 1});
    EXPECT_EQ(run_with(c, [](Backend&) {}).status, CaseResult::Status::Pass);
    expect_fails(run_with(c, [](Backend& be) { poke(be, 3, 9 * 8 + 2, 0.0f); }), "must not write");
    // Bit-exact: a copy that is off by one ulp fails.
    expect_fails(run_with(c, [](Backend& be) { poke(be, 2, 5 * 8, std::nextafter(peek(be, 2, 5 * 8), 1e9f)); }),
                 "not bit-identical");
}

TEST(OpHarnessSelfTest, RopeTouchingTheTailFails) {
    // rope_dim 32 of 48: elements 32..47 of each head must come back unchanged.
    const OpCase c = rope_case(48, 32, 1, 1000, 1, 10000.0f, Target{BackendKind::Cpu, 1});
    EXPECT_EQ(run_with(c, [](Backend&) {}).status, CaseResult::Status::Pass);
    expect_fails(run_with(c, [](Backend& be) { poke(be, 0, 48 + 40, peek(be, 0, 48 + 40) * 0.5f); }),
                 "must not write");
}

TEST(OpHarnessSelfTest, ArgmaxWrongTokenOrSlotFails) {
    // argmax_case tensors: 0 logits, 1 token [2], 2 chain_out [4]; step 2.
    std::vector<float> v(511, 0.0f);
    v[100] = v[200] = 1.0f;
    const OpCase c = argmax_case("selftest", v, 2, 4, Target{BackendKind::Cpu, 1});
    EXPECT_EQ(run_with(c, [](Backend&) {}).status, CaseResult::Status::Pass);
    auto put = [](BufferId id, size_t i, int32_t t) {
        return [=](Backend& be) { be.write(id, kGuardBytes + 4 * i, &t, 4); };
    };
    expect_fails(run_with(c, put(1, 0, 200)), "wrong integer");  // last of the tied, not first
    expect_fails(run_with(c, put(2, 2, 200)), "wrong integer");
    expect_fails(run_with(c, put(2, 1, 100)), "must not write");  // another step's slot
    expect_fails(run_with(c, put(1, 1, 100)), "must not write");
}

TEST(OpHarnessSelfTest, UnsupportedIsReportedNotFailed) {
    HarnessOptions o;
    o.make_backend = [](const Target&) -> std::unique_ptr<Backend> {
        fail(ErrorKind::Unsupported, "test", "no such backend here");
    };
    const CaseResult r = run_case(probe_matmul(), o);
    EXPECT_EQ(r.status, CaseResult::Status::Unsupported);
    EXPECT_NE(r.message.find("no such backend"), std::string::npos);
}

TEST(OpHarnessSelfTest, MalformedCaseIsRejected) {
    // An output tensor one row short: the reference refuses the case instead of the backend
    // writing out of bounds.
    OpCase c = probe_matmul();
    c.tensors[2].bytes -= 33 * 4;
    expect_fails(run_case(c), "bad case");
}

TEST(OpHarnessSelfTest, ReferenceAgreesWithHandComputedValues) {
    // A few values worked by hand, so that the reference is not only checked against a backend.
    double y[2];
    const float w[4] = {1, 2, 3, 4};
    const double x[2] = {0.5, -1};
    ref_matmul(reinterpret_cast<const uint8_t*>(w), DType::F32, 2, 2, x, 1, y, false);
    EXPECT_DOUBLE_EQ(y[0], -1.5);
    EXPECT_DOUBLE_EQ(y[1], -2.5);
    double r[2] = {3, 4};
    const double rw[2] = {1, 2};
    ref_rmsnorm(r, rw, y, 1, 2, 0.0);  // rms = sqrt(12.5)
    EXPECT_NEAR(y[0], 3 / std::sqrt(12.5), 1e-15);
    EXPECT_NEAR(y[1], 8 / std::sqrt(12.5), 1e-15);
    double v[4] = {1, 0, 1, 0};  // one head, head_dim 4, position 1, theta 1: pair 0 turns 1 rad
    ref_rope(v, 1, 1, 1, 4, 4, 0, 1.0);
    EXPECT_NEAR(v[0], std::cos(1.0), 1e-15);
    EXPECT_NEAR(v[1], std::sin(1.0), 1e-15);
    double nv[4] = {1, 1, 0, 0};  // NeoX pairs (0, 2), (1, 3)
    ref_rope(nv, 1, 1, 1, 4, 4, 1, 1.0);
    EXPECT_NEAR(nv[0], std::cos(1.0), 1e-15);
    EXPECT_NEAR(nv[2], std::sin(1.0), 1e-15);
    // Position 0 sees only itself; position 1 weighs two values by softmax of the scores.
    const double q[2] = {1, 1};
    const double kc[2] = {0, std::log(3.0)};  // head_dim 1: scores 0 and ln 3 -> weights 1/4, 3/4
    const double vc[2] = {10, 20};
    double o[2];
    ref_attention(q, kc, vc, o, 2, 0, 1, 1, 1, 2, 1.0);
    EXPECT_NEAR(o[0], 10, 1e-12);
    EXPECT_NEAR(o[1], 0.25 * 10 + 0.75 * 20, 1e-12);
    const double ties[5] = {1, 3, 2, 3, -1};
    double margin = -1;
    EXPECT_EQ(ref_argmax(ties, 5, &margin), 1);
    EXPECT_EQ(margin, 0.0);
    EXPECT_NEAR(ref_silu(1.0), 1.0 / (1.0 + std::exp(-1.0)), 1e-15);
}
