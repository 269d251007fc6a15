// The large tokenizers of shared/, each loaded once per test binary (tokenizer.json files of
// 9-11 MB take a while to parse, longer under the sanitizers).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "format/gguf_file.h"
#include "tokenizer/hf_tokenizer_json.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer_test_util.h"

namespace akunu::test {

// shared/testdata/tokenizers/<name>/tokenizer.json with its tokenizer_config.json.
inline const Tokenizer& hf_tokenizer(const std::string& name) {
    static std::mutex mu;
    static std::map<std::string, std::unique_ptr<Tokenizer>> cache;
    std::lock_guard<std::mutex> lock(mu);
    auto& slot = cache[name];
    if (!slot) {
        const std::string dir = shared_path("testdata/tokenizers/" + name + "/");
        slot = tokenizer_from_hf_files(dir + "tokenizer.json", dir + "tokenizer_config.json");
    }
    return *slot;
}

// shared/testdata/vocab/ggml-vocab-<name>.gguf.
inline const Tokenizer& gguf_tokenizer(const std::string& name) {
    static std::mutex mu;
    static std::map<std::string, std::unique_ptr<Tokenizer>> cache;
    std::lock_guard<std::mutex> lock(mu);
    auto& slot = cache[name];
    if (!slot) {
        auto file = GgufFile::open(shared_path("testdata/vocab/ggml-vocab-" + name + ".gguf"));
        slot = Tokenizer::from_gguf(*file);
    }
    return *slot;
}

}  // namespace akunu::test
