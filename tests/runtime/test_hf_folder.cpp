// Hugging Face folders: our in-memory conversion equals llama.cpp's own (llamacpp-f32.gguf, the
// same folder through convert_hf_to_gguf.py) tensor by tensor and key by key; F16/BF16/quantized
// conversions load; and the engine on a folder reproduces transformers' float64 logits and greedy
// ids (reference.json) on the exact CPU path, for every architecture the engine runs.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "core/error.h"
#include "format/gguf_file.h"
#include "runtime/engine.h"
#include "runtime/hf_fixtures.h"
#include "runtime/hf_folder.h"
#include "runtime/reference_forward.h"

namespace akunu {
namespace {

using reftest::rel_l2;

bool same_value(const GgufValue& a, const GgufValue& b) {
    if (a.type != b.type) return false;
    switch (a.type) {
        case GgufType::STRING: return a.s == b.s;
        case GgufType::FLOAT32:
        case GgufType::FLOAT64: return a.f == b.f;
        case GgufType::INT8:
        case GgufType::INT16:
        case GgufType::INT32:
        case GgufType::INT64: return a.i == b.i;
        case GgufType::ARRAY:
            if (a.elem_type != b.elem_type || a.elems.size() != b.elems.size()) return false;
            for (size_t k = 0; k < a.elems.size(); ++k) {
                if (!same_value(a.elems[k], b.elems[k])) return false;
            }
            return true;
        default: return a.u == b.u;
    }
}

// Keys llama.cpp's file has that are about the file, not the model.
const std::set<std::string> kIgnoredKeys = {"general.name", "general.size_label"};
// Keys we write beyond llama.cpp's fixture: its fixture replaced the vocabulary step (no
// add_*_token, no template) and dropped the empty merge list, and for Gemma 2 we record what
// llama.cpp leaves to defaults.
const std::set<std::string> kExtraKeys = {"tokenizer.ggml.add_bos_token", "tokenizer.ggml.add_eos_token",
                                          "tokenizer.ggml.merges",        "tokenizer.chat_template",
                                          "gemma2.attention.scale",       "gemma2.rope.freq_base"};

class HfFolder : public ::testing::TestWithParam<std::string> {};

TEST_P(HfFolder, F32ConversionEqualsLlamaCpps) {
    const std::string dir = hf_fixtures::dir(GetParam());
    const auto ours = open_hf_folder(dir, std::nullopt);
    const auto theirs = GgufFile::open(dir + "/llamacpp-f32.gguf");

    for (const GgufKV& kv : theirs->metadata()) {
        if (kIgnoredKeys.count(kv.key)) continue;
        const GgufValue* v = ours->find(kv.key);
        ASSERT_NE(v, nullptr) << "missing key " << kv.key;
        EXPECT_TRUE(same_value(*v, kv.value)) << "key " << kv.key << " differs";
    }
    for (const GgufKV& kv : ours->metadata()) {
        if (!theirs->has(kv.key)) {
            EXPECT_TRUE(kExtraKeys.count(kv.key) || kIgnoredKeys.count(kv.key)) << "extra key " << kv.key;
        }
    }

    ASSERT_EQ(ours->tensors().size(), theirs->tensors().size());
    for (const GgufTensorInfo& t : theirs->tensors()) {
        SCOPED_TRACE(t.name);
        const GgufTensorInfo* o = ours->find_tensor(t.name);
        ASSERT_NE(o, nullptr) << "missing tensor";
        EXPECT_EQ(o->n_dims, t.n_dims);
        for (int d = 0; d < 4; ++d) EXPECT_EQ(o->ne[d], t.ne[d]) << "dimension " << d;
        EXPECT_EQ(o->type, t.type);
        ASSERT_EQ(o->n_bytes, t.n_bytes);
        EXPECT_EQ(std::memcmp(o->data, t.data, t.n_bytes), 0) << "bytes differ";
    }
}

// The values of a tensor, dequantized.
std::vector<float> values(const GgufTensorInfo& t) {
    std::vector<float> out((size_t)t.n_elements());
    const DTypeTraits& traits = dtype_traits(t.type);
    const size_t row_bytes = dtype_row_bytes(t.type, t.ne[0]);
    for (int64_t r = 0; r < t.n_rows(); ++r) {
        traits.dequantize_row(t.data + (size_t)r * row_bytes, out.data() + (size_t)r * (size_t)t.ne[0], t.ne[0]);
    }
    return out;
}

TEST_P(HfFolder, ConvertedTypesKeepTheValues) {
    const std::string dir = hf_fixtures::dir(GetParam());
    const auto f32 = open_hf_folder(dir, std::nullopt);
    // type asked, type a 64- or 128-wide row gets, and the relative L2 error it may add
    struct Case {
        DType asked, got;
        double tol;
    };
    for (const Case& c : {Case{DType::F16, DType::F16, 1e-3}, Case{DType::BF16, DType::BF16, 1e-2},
                          Case{DType::Q8_0, DType::Q8_0, 1e-2}, Case{DType::Q4_0, DType::Q4_0, 0.2},
                          Case{DType::Q4_K, DType::Q5_0, 0.1}}) {
        SCOPED_TRACE(dtype_name(c.asked));
        const auto conv = open_hf_folder(dir, c.asked);
        ASSERT_EQ(conv->tensors().size(), f32->tensors().size());
        for (const GgufTensorInfo& t : f32->tensors()) {
            SCOPED_TRACE(t.name);
            const GgufTensorInfo& q = conv->tensor(t.name);
            EXPECT_EQ(q.type, t.n_dims == 1 ? DType::F32 : c.got);
            EXPECT_LE(rel_l2(values(q), values(t)), c.tol);
        }
        EXPECT_EQ(conv->get_u32("general.file_type"), c.asked == DType::F16    ? 1u
                                                      : c.asked == DType::BF16 ? 32u
                                                      : c.asked == DType::Q8_0 ? 7u
                                                      : c.asked == DType::Q4_0 ? 2u
                                                                               : 14u);
    }
}

// Loads the folder on the exact CPU path (every fixture architecture is supported: a failure to
// load is a failure of the test).
std::unique_ptr<Engine> load_folder(const std::string& dir, std::optional<DType> type) {
    EngineOptions o;
    o.backend = BackendKind::Cpu;
    o.exact_activations = true;
    o.hf_weight_type = type;
    o.n_threads = 2;
    return Engine::load_file(dir, o);
}

TEST_P(HfFolder, LogitsMatchTransformers) {
    const hf_fixtures::Reference ref = hf_fixtures::reference(GetParam());
    const auto engine = load_folder(hf_fixtures::dir(GetParam()), std::nullopt);
    ASSERT_EQ(ref.logits.size(), ref.greedy.size());

    int32_t next = engine->prefill(ref.prompt.data(), (int32_t)ref.prompt.size());
    for (size_t i = 0; i < ref.greedy.size(); ++i) {
        SCOPED_TRACE("step " + std::to_string(i));
        EXPECT_LE(rel_l2(engine->logits(), ref.logits[i]), 1e-4);
        ASSERT_EQ(next, ref.greedy[i]);
        if (i + 1 < ref.greedy.size()) next = engine->decode_step(ref.greedy[i]);
    }
}

TEST_P(HfFolder, Q8_0FolderRunsCloseToTransformers) {
    const hf_fixtures::Reference ref = hf_fixtures::reference(GetParam());
    const auto engine = load_folder(hf_fixtures::dir(GetParam()), DType::Q8_0);
    EXPECT_EQ(engine->weights().dominant_type(), DType::Q8_0);
    engine->prefill(ref.prompt.data(), (int32_t)ref.prompt.size());
    EXPECT_LE(rel_l2(engine->logits(), ref.logits[0]), 0.05);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, HfFolder, ::testing::ValuesIn(hf_fixtures::archs()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace
}  // namespace akunu
