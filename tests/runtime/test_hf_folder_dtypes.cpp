// Folders whose safetensors hold F16 or BF16 (as most published checkpoints do) instead of the
// fixtures' F32: the 2-D weights stay in their stored type, with exactly the bytes an F32 folder
// converted to that type gets; 1-D tensors become F32; the engine runs them close to transformers.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/half.h"
#include "format/gguf_file.h"
#include "format/safetensors_file.h"
#include "runtime/engine.h"
#include "runtime/hf_fixtures.h"
#include "runtime/hf_folder.h"
#include "runtime/reference_forward.h"

namespace akunu {
namespace {

namespace fs = std::filesystem;

// The fixture folder with model.safetensors rewritten in `dtype` ("F16" or "BF16").
class HalfFolder {
public:
    HalfFolder(const std::string& arch, const std::string& dtype) {
        std::string tmpl = (fs::temp_directory_path() / "akunu-hf-half-XXXXXX").string();
        if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
        dir_ = tmpl;
        const fs::path src = hf_fixtures::dir(arch);
        for (const char* f : {"config.json", "tokenizer.json", "tokenizer_config.json"}) fs::copy_file(src / f, dir_ / f);

        const auto f32 = SafetensorsFile::open((src / "model.safetensors").string());
        nlohmann::json header = nlohmann::json::object();
        std::vector<uint8_t> data;
        for (const SafetensorsTensor& t : f32->tensors()) {
            const size_t begin = data.size();
            for (uint64_t i = 0; i < t.n_elements; ++i) {
                float v;
                std::memcpy(&v, t.data + 4 * i, 4);
                const uint16_t h = dtype == "F16" ? fp32_to_fp16(v) : fp32_to_bf16(v);
                data.push_back((uint8_t)(h & 0xFF));
                data.push_back((uint8_t)(h >> 8));
            }
            header[t.name] = {{"dtype", dtype}, {"shape", t.shape}, {"data_offsets", {begin, data.size()}}};
        }
        const std::string text = header.dump();
        std::ofstream out(dir_ / "model.safetensors", std::ios::binary);
        const uint64_t n = text.size();
        for (int i = 0; i < 8; ++i) out.put((char)(n >> (8 * i)));
        out << text;
        out.write(reinterpret_cast<const char*>(data.data()), (std::streamsize)data.size());
    }
    ~HalfFolder() {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }
    std::string path() const { return dir_.string(); }

private:
    fs::path dir_;
};

struct Case {
    const char* arch;
    const char* dtype;
    DType type;
};

class HfFolderHalf : public ::testing::TestWithParam<Case> {};

TEST_P(HfFolderHalf, KeepsTheStoredTypeWithTheBytesOfAnF32Conversion) {
    const Case c = GetParam();
    const HalfFolder half(c.arch, c.dtype);
    const auto from_half = open_hf_folder(half.path(), std::nullopt);
    const auto from_f32 = open_hf_folder(hf_fixtures::dir(c.arch), c.type);
    EXPECT_EQ(from_half->get_u32("general.file_type"), from_f32->get_u32("general.file_type"));
    ASSERT_EQ(from_half->tensors().size(), from_f32->tensors().size());
    for (const GgufTensorInfo& t : from_f32->tensors()) {
        SCOPED_TRACE(t.name);
        const GgufTensorInfo& h = from_half->tensor(t.name);
        ASSERT_EQ(h.type, t.type);
        ASSERT_EQ(h.n_bytes, t.n_bytes);
        if (t.n_dims == 2) {
            EXPECT_EQ(std::memcmp(h.data, t.data, t.n_bytes), 0);  // rounding commutes with the layout changes
        } else {
            // 1-D: F32 of the rounded values (Gemma's + 1 after rounding), close to the exact ones.
            std::vector<float> a((size_t)t.n_elements()), b((size_t)t.n_elements());
            std::memcpy(a.data(), h.data, t.n_bytes);
            std::memcpy(b.data(), t.data, t.n_bytes);
            EXPECT_LE(reftest::rel_l2(a, b), c.type == DType::F16 ? 1e-3 : 1e-2);
        }
    }
}

TEST_P(HfFolderHalf, RunsCloseToTransformers) {
    const Case c = GetParam();
    const HalfFolder half(c.arch, c.dtype);
    EngineOptions o;
    o.backend = BackendKind::Cpu;
    o.n_threads = 2;
    const std::unique_ptr<Engine> engine = Engine::load_file(half.path(), o);
    EXPECT_EQ(engine->weights().dominant_type(), c.type);
    const hf_fixtures::Reference ref = hf_fixtures::reference(c.arch);
    EXPECT_EQ(engine->prefill(ref.prompt.data(), (int32_t)ref.prompt.size()), ref.greedy[0]);
    EXPECT_LE(reftest::rel_l2(engine->logits(), ref.logits[0]), c.type == DType::F16 ? 5e-3 : 5e-2);
}

INSTANTIATE_TEST_SUITE_P(Dtypes, HfFolderHalf,
                         ::testing::Values(Case{"mistral", "F16", DType::F16}, Case{"mistral", "BF16", DType::BF16},
                                           Case{"gemma3", "BF16", DType::BF16}, Case{"qwen3", "F16", DType::F16}),
                         [](const ::testing::TestParamInfo<Case>& info) {
                             return std::string(info.param.arch) + "_" + info.param.dtype;
                         });

}  // namespace
}  // namespace akunu
