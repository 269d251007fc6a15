// The engine against the independent float64 reference (reference_forward.h) on random-weight
// models of odd shapes: head_dim 48, 3 KV heads, ffn 200, vocab 300, head_dim != dim / n_heads,
// partial rotary, QK-norm + NeoX + tied output (qwen3), quantized weights; through decode steps,
// prefill (chunked and not) and the unfused residual path.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "format/gguf_file.h"
#include "format/gguf_writer.h"
#include "model/synthetic_model.h"
#include "runtime/engine.h"
#include "runtime/reference_forward.h"

namespace akunu {
namespace {

using reftest::ReferenceModel;
using reftest::rel_l2;

constexpr double kTol = 1e-4;  // relative L2 error of the logits at every position
constexpr int kPrompt = 13;
constexpr int kDecode = 7;

ModelConfig make_config(const char* arch, uint32_t dim, uint32_t layers, uint32_t heads, uint32_t kv_heads,
                        uint32_t head_dim, uint32_t ffn, uint32_t vocab, uint32_t rope_dim, float theta, float eps,
                        bool tied) {
    ModelConfig c;
    c.architecture = arch;
    c.name = std::string("ref-") + arch;
    c.dim = dim;
    c.n_layers = layers;
    c.n_heads = heads;
    c.n_kv_heads = kv_heads;
    c.head_dim = head_dim;
    c.ffn_dim = ffn;
    c.vocab_size = vocab;
    c.context_length = 64;
    c.rope_dim = rope_dim;
    c.rope_theta = theta;
    c.norm_eps = eps;
    c.tied_output = tied;
    const ArchSpec* spec = find_arch_spec(arch);
    c.rope_style = spec->rope_style;
    c.has_qk_norm = spec->has_qk_norm;
    return c;
}

std::vector<uint8_t> synthetic_bytes(const ModelConfig& c, DType type, uint64_t seed) {
    GgufWriter w;
    build_synthetic_gguf(c, type, seed, w);
    return w.to_bytes();
}

std::unique_ptr<GgufFile> open_bytes(const std::vector<uint8_t>& bytes, const std::string& name) {
    return GgufFile::from_memory(bytes.data(), bytes.size(), name);
}

std::vector<int32_t> random_tokens(uint32_t vocab, int n, uint32_t seed) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int32_t> dist(0, (int32_t)vocab - 1);
    std::vector<int32_t> t(n);
    for (int32_t& x : t) x = dist(rng);
    return t;
}

size_t count_ops(const DispatchTable& t, Op op) {
    return (size_t)std::count_if(t.commands.begin(), t.commands.end(), [&](const Command& c) { return c.op == op; });
}

struct Errors {
    double prefill = 0;  // max over the prefixes 1..kPrompt, each one prefill
    double decode = 0;   // max over the decode steps after the prompt
    double steps = 0;    // max over the prompt fed one decode step at a time
    double max() const { return std::max({prefill, decode, steps}); }
};

// Runs the engine three ways on a 13-token prompt + 7 decode steps and compares every position
// with the float64 reference. `label` goes into failure messages.
Errors compare_with_reference(const std::vector<uint8_t>& bytes, const EngineOptions& options,
                              const std::string& label) {
    auto ref_file = open_bytes(bytes, label);
    ReferenceModel ref(*ref_file);
    const std::vector<int32_t> tokens = random_tokens(ref.config().vocab_size, kPrompt + kDecode, 77);
    const std::vector<std::vector<double>> want = ref.forward(tokens);

    auto engine = Engine::load(open_bytes(bytes, label), options);
    Errors e;

    // Every prefix of the prompt as one prefill: checks each position through the prefill table.
    for (int n = 1; n <= kPrompt; ++n) {
        engine->reset();
        const int32_t next = engine->prefill(tokens.data(), n);
        const std::vector<float>& got = engine->logits();
        const double err = rel_l2(got, want[n - 1]);
        EXPECT_LE(err, kTol) << label << ": prefill of " << n << " tokens";
        EXPECT_EQ(next, reftest::argmax_of(got)) << label << ": prefill's argmax vs its logits";
        e.prefill = std::max(e.prefill, err);
    }
    EXPECT_EQ(engine->position(), kPrompt);
    // Then decode steps after the full prompt.
    for (int i = 0; i < kDecode; ++i) {
        const int32_t next = engine->decode_step(tokens[kPrompt + i]);
        const std::vector<float>& got = engine->logits();
        const double err = rel_l2(got, want[kPrompt + i]);
        EXPECT_LE(err, kTol) << label << ": decode step at position " << kPrompt + i;
        EXPECT_EQ(next, reftest::argmax_of(got)) << label << ": decode's argmax vs its logits";
        e.decode = std::max(e.decode, err);
    }
    // The whole sequence as decode steps from an empty cache.
    engine->reset();
    for (size_t i = 0; i < tokens.size(); ++i) {
        engine->decode_step(tokens[i]);
        const double err = rel_l2(engine->logits(), want[i]);
        EXPECT_LE(err, kTol) << label << ": step-only path at position " << i;
        e.steps = std::max(e.steps, err);
    }
    return e;
}

void report(const std::string& label, const Errors& e) {
    char buf[256];
    std::snprintf(buf, sizeof(buf), "[reference] %-34s max rel L2: prefill %.3g  decode %.3g  steps %.3g", label.c_str(),
                  e.prefill, e.decode, e.steps);
    std::cout << buf << std::endl;
    testing::Test::RecordProperty(label, std::to_string(e.max()));
}

// ---- F32 models of odd shapes, every engine path ----

struct ShapeCase {
    const char* name;
    ModelConfig config;
};

std::vector<ShapeCase> shape_cases() {
    return {
        // head_dim 48, 3 KV heads (GQA group 2), ffn 200, vocab 300, 3 layers.
        {"llama_hd48_kv3", make_config("llama", 288, 3, 6, 3, 48, 200, 300, 48, 10000.0f, 1e-5f, false)},
        // head_dim 48 with dim 96: q_dim 288 != dim; partial rotary (32 of 48 dims).
        {"llama_partial_rotary", make_config("llama", 96, 3, 6, 3, 48, 200, 300, 32, 10000.0f, 1e-5f, false)},
        // qwen3: QK-norm, NeoX, tied output, head_dim 48 != 160 / 4.
        {"qwen3_hd48_tied", make_config("qwen3", 160, 3, 4, 2, 48, 200, 300, 48, 1000000.0f, 1e-6f, true)},
        // qwen3 with partial rotary (NeoX halves of the first 24 dims) and 1 KV head (group 4).
        {"qwen3_partial_rotary", make_config("qwen3", 160, 2, 4, 1, 48, 200, 300, 24, 10000.0f, 1e-6f, true)},
        // llama with a tied output and MHA (no grouping).
        {"llama_tied_mha", make_config("llama", 120, 2, 5, 5, 24, 200, 300, 24, 10000.0f, 1e-5f, true)},
    };
}

class ReferenceShapes : public testing::TestWithParam<ShapeCase> {};

TEST_P(ReferenceShapes, ConfigReadBackMatches) {
    const ModelConfig& c = GetParam().config;
    const std::vector<uint8_t> bytes = synthetic_bytes(c, DType::F32, 11);
    auto engine = Engine::load(open_bytes(bytes, GetParam().name), EngineOptions{});
    auto file = open_bytes(bytes, GetParam().name);
    const ModelConfig r = reftest::reference_config(*file);
    for (const ModelConfig* m : {&engine->config(), &r}) {
        EXPECT_EQ(m->dim, c.dim);
        EXPECT_EQ(m->n_layers, c.n_layers);
        EXPECT_EQ(m->n_heads, c.n_heads);
        EXPECT_EQ(m->n_kv_heads, c.n_kv_heads);
        EXPECT_EQ(m->head_dim, c.head_dim);
        EXPECT_EQ(m->rope_dim, c.rope_dim);
        EXPECT_EQ(m->ffn_dim, c.ffn_dim);
        EXPECT_EQ(m->vocab_size, c.vocab_size);
        EXPECT_EQ(m->tied_output, c.tied_output);
        EXPECT_EQ(m->has_qk_norm, c.has_qk_norm);
        EXPECT_EQ(m->rope_style, c.rope_style);
        EXPECT_EQ(m->rope_theta, c.rope_theta);
        EXPECT_EQ(m->norm_eps, c.norm_eps);
    }
}

TEST_P(ReferenceShapes, DefaultOptions) {
    const std::vector<uint8_t> bytes = synthetic_bytes(GetParam().config, DType::F32, 11);
    const Errors e = compare_with_reference(bytes, EngineOptions{}, GetParam().name);
    report(std::string(GetParam().name) + " f32", e);
}

TEST_P(ReferenceShapes, PrefillChunk5) {
    const std::vector<uint8_t> bytes = synthetic_bytes(GetParam().config, DType::F32, 12);
    EngineOptions o;
    o.prefill_chunk = 5;  // 13 tokens = 5 + 5 + 3; prefixes of 6 and 11 end in a 1-token chunk
    auto probe = Engine::load(open_bytes(bytes, "probe"), o);
    ASSERT_EQ(probe->prefill_table().max_tokens, 5u);
    const Errors e = compare_with_reference(bytes, o, std::string(GetParam().name) + " chunk5");
    report(std::string(GetParam().name) + " f32 chunk5", e);
}

TEST_P(ReferenceShapes, UnfusedResidual) {
    const std::vector<uint8_t> bytes = synthetic_bytes(GetParam().config, DType::F32, 13);
    EngineOptions fused;
    auto f = Engine::load(open_bytes(bytes, "fused"), fused);
    EXPECT_TRUE(f->device().fuse_residual_add);
    EXPECT_EQ(count_ops(f->decode_table(), Op::Add), 0u);

    EngineOptions o;
    o.fuse_residual_add = false;
    o.prefill_chunk = 4;
    auto u = Engine::load(open_bytes(bytes, "unfused"), o);
    ASSERT_FALSE(u->device().fuse_residual_add);
    // Two residual adds per layer, in both tables.
    EXPECT_EQ(count_ops(u->decode_table(), Op::Add), 2u * GetParam().config.n_layers);
    EXPECT_EQ(count_ops(u->prefill_table(), Op::Add), 2u * GetParam().config.n_layers);
    const Errors e = compare_with_reference(bytes, o, std::string(GetParam().name) + " unfused");
    report(std::string(GetParam().name) + " f32 unfused chunk4", e);
}

TEST_P(ReferenceShapes, ThreeThreads) {
    const std::vector<uint8_t> bytes = synthetic_bytes(GetParam().config, DType::F32, 14);
    EngineOptions o;
    o.n_threads = 3;  // uneven row and head splits
    const Errors e = compare_with_reference(bytes, o, std::string(GetParam().name) + " 3 threads");
    report(std::string(GetParam().name) + " f32 3 threads", e);
}

INSTANTIATE_TEST_SUITE_P(Odd, ReferenceShapes, testing::ValuesIn(shape_cases()),
                         [](const testing::TestParamInfo<ShapeCase>& info) { return std::string(info.param.name); });

// ---- Quantized weights: the reference dequantizes the same bytes, so 1e-4 still holds ----

struct QuantCase {
    const char* name;
    DType type;
    ModelConfig config;
};

std::vector<QuantCase> quant_cases() {
    // dim and ffn multiples of 256 so K-quants cover the projections. In the qwen3 config q_dim is
    // 192, so attn_output (192 columns) stays F32 for K-quants: a mixed-type model.
    const ModelConfig llama = make_config("llama", 256, 2, 4, 2, 64, 512, 300, 64, 10000.0f, 1e-5f, false);
    const ModelConfig qwen = make_config("qwen3", 256, 2, 4, 2, 48, 512, 300, 48, 1000000.0f, 1e-6f, true);
    return {
        {"llama_Q8_0", DType::Q8_0, llama}, {"llama_Q4_0", DType::Q4_0, llama}, {"llama_Q4_K", DType::Q4_K, llama},
        {"llama_Q6_K", DType::Q6_K, llama}, {"qwen3_Q8_0", DType::Q8_0, qwen},  {"qwen3_Q4_0", DType::Q4_0, qwen},
        {"qwen3_Q4_K", DType::Q4_K, qwen},  {"qwen3_Q6_K", DType::Q6_K, qwen},
    };
}

class ReferenceQuant : public testing::TestWithParam<QuantCase> {};

TEST_P(ReferenceQuant, MatchesReference) {
    const QuantCase& q = GetParam();
    const std::vector<uint8_t> bytes = synthetic_bytes(q.config, q.type, 21);
    {
        // The model really holds the type under test (embedding, projections, FFN).
        auto file = open_bytes(bytes, q.name);
        EXPECT_EQ(file->tensor("token_embd.weight").type, q.type);
        EXPECT_EQ(file->tensor("blk.0.attn_q.weight").type, q.type);
        EXPECT_EQ(file->tensor("blk.1.ffn_down.weight").type, q.type);
        EXPECT_EQ(file->tensor("blk.0.ffn_gate.weight").type, q.type);
    }
    const Errors e = compare_with_reference(bytes, EngineOptions{}, q.name);
    report(q.name, e);
    EngineOptions o;
    o.prefill_chunk = 5;
    const Errors e5 = compare_with_reference(bytes, o, std::string(q.name) + " chunk5");
    report(std::string(q.name) + " chunk5", e5);
}

INSTANTIATE_TEST_SUITE_P(Types, ReferenceQuant, testing::ValuesIn(quant_cases()),
                         [](const testing::TestParamInfo<QuantCase>& info) { return std::string(info.param.name); });

// ---- The comparison itself can fail: a perturbed weight is caught ----

TEST(ReferenceSelfCheck, DetectsAWrongWeight) {
    const ModelConfig c = make_config("llama", 96, 2, 6, 3, 16, 200, 300, 16, 10000.0f, 1e-5f, false);
    std::vector<uint8_t> bytes = synthetic_bytes(c, DType::F32, 31);
    auto ref_file = open_bytes(bytes, "ref");
    ReferenceModel ref(*ref_file);
    const std::vector<int32_t> tokens = random_tokens(c.vocab_size, 6, 5);
    const std::vector<std::vector<double>> want = ref.forward(tokens);

    // Scale the first row of blk.1.ffn_down by 1.5 in the bytes the engine loads.
    auto f = open_bytes(bytes, "probe");
    const GgufTensorInfo& t = f->tensor("blk.1.ffn_down.weight");
    ASSERT_EQ(t.type, DType::F32);
    float* w = reinterpret_cast<float*>(bytes.data() + f->data_offset() + t.offset);
    for (int i = 0; i < 200; ++i) w[i] *= 1.5f;
    auto engine = Engine::load(open_bytes(bytes, "perturbed"), EngineOptions{});
    engine->prefill(tokens.data(), (int32_t)tokens.size());
    const double err = rel_l2(engine->logits(), want.back());
    std::cout << "[reference] perturbed ffn_down row: rel L2 " << err << std::endl;
    EXPECT_GT(err, 1e-3);

    // A reference built from the same perturbed bytes agrees with the engine again.
    ReferenceModel ref2(*open_bytes(bytes, "ref2"));
    EXPECT_LE(rel_l2(engine->logits(), ref2.forward(tokens).back()), kTol);
}

// The reference's NeoX RoPE is the interleaved one (which stories260K's llama.cpp logits validate)
// after permuting Q/K rows within each head: interleaved row 2i <- NeoX row i, row 2i+1 <- NeoX
// row i + rope_dim/2 (what the HF->GGUF converter does for llama). QK-norm weights get the same
// permutation; RMSNorm and q.k are invariant under it. Partial rotary: rows past rope_dim stay.
TEST(ReferenceSelfCheck, NeoxEqualsPermutedInterleaved) {
    const ModelConfig c = make_config("qwen3", 160, 2, 4, 2, 48, 200, 300, 24, 10000.0f, 1e-6f, true);
    const std::vector<uint8_t> bytes = synthetic_bytes(c, DType::F32, 51);
    std::vector<uint8_t> permuted = bytes;
    auto f = open_bytes(bytes, "neox");
    const uint32_t hd = c.head_dim, half = c.rope_dim / 2;
    std::vector<uint32_t> src(hd);  // interleaved dim d takes NeoX dim src[d]
    for (uint32_t d = 0; d < hd; ++d) src[d] = d;
    for (uint32_t i = 0; i < half; ++i) {
        src[2 * i] = i;
        src[2 * i + 1] = i + half;
    }
    auto permute_rows = [&](const std::string& name) {
        const GgufTensorInfo& t = f->tensor(name);
        ASSERT_EQ(t.type, DType::F32);
        const int64_t cols = t.ne[0], rows = t.n_rows();
        const float* in = reinterpret_cast<const float*>(bytes.data() + f->data_offset() + t.offset);
        float* out = reinterpret_cast<float*>(permuted.data() + f->data_offset() + t.offset);
        ASSERT_EQ(rows % hd, 0);
        for (int64_t r = 0; r < rows; ++r) {
            const int64_t from = r / hd * hd + src[r % hd];
            std::copy(in + from * cols, in + (from + 1) * cols, out + r * cols);
        }
    };
    for (uint32_t l = 0; l < c.n_layers; ++l) {
        const std::string b = "blk." + std::to_string(l) + ".";
        permute_rows(b + "attn_q.weight");
        permute_rows(b + "attn_k.weight");
        // A norm weight is one row of hd: permute its elements.
        for (const char* n : {"attn_q_norm.weight", "attn_k_norm.weight"}) {
            const GgufTensorInfo& t = f->tensor(b + n);
            const float* in = reinterpret_cast<const float*>(bytes.data() + f->data_offset() + t.offset);
            float* out = reinterpret_cast<float*>(permuted.data() + f->data_offset() + t.offset);
            for (uint32_t d = 0; d < hd; ++d) out[d] = in[src[d]];
        }
    }
    const std::vector<int32_t> tokens = random_tokens(c.vocab_size, 9, 3);
    ReferenceModel neox(*f);
    auto pf = open_bytes(permuted, "interleaved");
    ModelConfig ic = reftest::reference_config(*pf);
    ic.rope_style = RopeStyle::Interleaved;
    ReferenceModel inter(*pf, ic);
    const auto a = neox.forward(tokens);
    const auto b = inter.forward(tokens);
    // Unpermuted bytes read as interleaved must NOT match (the check has teeth).
    ReferenceModel wrong(*f, ic);
    const auto w = wrong.forward(tokens);
    for (size_t p = 0; p < tokens.size(); ++p) {
        const std::vector<float> fa(a[p].begin(), a[p].end());
        EXPECT_LE(rel_l2(fa, b[p]), 1e-6) << "position " << p;
        if (p > 0) {
            EXPECT_GT(rel_l2(fa, w[p]), 1e-3) << "position " << p;
        }
    }
}

}  // namespace
}  // namespace akunu
