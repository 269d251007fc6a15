// The tiny Hugging Face reference models in tests/model/fixtures/hf/<arch>/ (see
// tests/model/fixtures/make_hf_fixtures.py): where they are, and their reference.json.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace hf_fixtures {

inline const std::vector<std::string>& archs() {
    static const std::vector<std::string> a = {"qwen2", "qwen3", "llama3", "mistral", "gemma2", "gemma3", "phi3"};
    return a;
}

// Beside this header: tests/runtime/ -> tests/model/fixtures/hf.
inline std::string root() {
    return (std::filesystem::path(__FILE__).parent_path().parent_path() / "model" / "fixtures" / "hf").string();
}
inline std::string dir(const std::string& arch) { return root() + "/" + arch; }

struct Reference {
    std::vector<int32_t> prompt;
    std::vector<int32_t> greedy;
    std::vector<std::vector<double>> logits;  // logits[i]: after the prompt and greedy[:i]
};

inline Reference reference(const std::string& arch) {
    std::ifstream in(dir(arch) + "/reference.json");
    std::stringstream text;
    text << in.rdbuf();
    const nlohmann::json j = nlohmann::json::parse(text.str());
    Reference r;
    r.prompt = j.at("prompt").get<std::vector<int32_t>>();
    r.greedy = j.at("greedy").get<std::vector<int32_t>>();
    r.logits = j.at("logits").get<std::vector<std::vector<double>>>();
    return r;
}

}  // namespace hf_fixtures
