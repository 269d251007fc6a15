// The llama.cpp-converted GGUF of each Hugging Face fixture (tests/model/fixtures/hf/<arch>/, read
// through hf_fixtures.h), optionally patched in memory, and the prompt-then-greedy-tokens run that
// reference.json describes: for the whole-model tests of every architecture on the CPU
// (runtime/test_arch_fixtures.cpp) and the GPU (runtime_cuda/test_cuda_arch_fixtures.cpp).
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "format/gguf_file.h"
#include "format/gguf_writer.h"
#include "runtime/engine.h"
#include "runtime/hf_fixtures.h"

namespace akunu::archtest {

constexpr double kLogitTol = 1e-4;

inline double rel_l2(const std::vector<float>& got, const std::vector<double>& ref) {
    if (got.size() != ref.size()) return INFINITY;
    double num = 0, den = 0;
    for (size_t i = 0; i < ref.size(); ++i) {
        const double d = (double)got[i] - ref[i];
        num += d * d;
        den += ref[i] * ref[i];
    }
    return den > 0 ? std::sqrt(num / den) : std::sqrt(num);
}

using hf_fixtures::Reference;

inline std::string fixture_dir(const std::string& arch) { return hf_fixtures::dir(arch); }
inline Reference load_reference(const std::string& arch) { return hf_fixtures::reference(arch); }

// The fixture's GGUF rewritten in memory: keys set (replaced or added), tensors left out or added.
struct Patch {
    std::map<std::string, GgufValue> set;
    std::set<std::string> drop_tensors;
    std::map<std::string, std::vector<float>> add_f32;  // 1-D F32 tensors
};

inline std::unique_ptr<GgufFile> open_gguf(const std::string& arch, const Patch& patch = {}) {
    const std::string path = fixture_dir(arch) + "/llamacpp-f32.gguf";
    std::unique_ptr<GgufFile> file = GgufFile::open(path);
    if (patch.set.empty() && patch.drop_tensors.empty() && patch.add_f32.empty()) return file;
    GgufWriter w;
    for (const GgufKV& kv : file->metadata()) {
        if (kv.key != "general.alignment") w.set(kv.key, kv.value);  // the writer lays out its own
    }
    for (const auto& [key, value] : patch.set) w.set(key, value);
    for (const GgufTensorInfo& t : file->tensors()) {
        if (patch.drop_tensors.count(t.name)) continue;
        std::vector<int64_t> ne(t.ne, t.ne + t.n_dims);
        w.add_tensor(t.name, t.type, ne, std::vector<uint8_t>(t.data, t.data + t.n_bytes));
    }
    for (const auto& [name, values] : patch.add_f32) {
        std::vector<uint8_t> bytes(values.size() * sizeof(float));
        std::memcpy(bytes.data(), values.data(), bytes.size());
        w.add_tensor(name, DType::F32, {(int64_t)values.size()}, std::move(bytes));
    }
    const std::vector<uint8_t> bytes = w.to_bytes();
    return GgufFile::from_memory(bytes.data(), bytes.size(), path + " (patched)");
}

// Gemma 2's HF config scales attention logits by 1/sqrt(query_pre_attn_scalar); llama.cpp's
// converter does not write that value and llama.cpp uses 1/sqrt(head_dim) instead, which is the
// same number for the released 2B/9B models but not for this fixture (24 vs head_dim 16). The
// standard key for an explicit scale carries it here.
inline Patch arch_patch(const std::string& arch) {
    Patch p;
    if (arch == "gemma2") {
        std::ifstream in(fixture_dir(arch) + "/config.json");
        const double scalar = nlohmann::json::parse(in).at("query_pre_attn_scalar").get<double>();
        p.set["gemma2.attention.scale"] = GgufValue::make_f32((float)(1.0 / std::sqrt(scalar)));
    }
    return p;
}

struct PathRun {
    std::vector<int32_t> picks;              // the argmax after the prompt and after each fed token
    std::vector<std::vector<float>> logits;  // the logits each pick came from
};

// Feeds the prompt, then the reference's greedy tokens one at a time.
inline PathRun run_reference_path(Engine& e, const Reference& r) {
    PathRun out;
    out.picks.push_back(e.prefill(r.prompt.data(), (int32_t)r.prompt.size()));
    out.logits.push_back(e.logits());
    for (size_t i = 0; i + 1 < r.greedy.size(); ++i) {
        out.picks.push_back(e.decode_step(r.greedy[i]));
        out.logits.push_back(e.logits());
    }
    return out;
}

inline double worst_error(const PathRun& run, const Reference& r) {
    double worst = 0;
    for (size_t i = 0; i < run.logits.size(); ++i) worst = std::max(worst, rel_l2(run.logits[i], r.logits[i]));
    return worst;
}

}  // namespace akunu::archtest
