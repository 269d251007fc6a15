// Hugging Face folders that cannot be converted: each is an akunu::Error of the right kind
// whose message names the file and what is wrong (never a crash). And config.json in the
// transformers 4.x style converts exactly as the 5.x style does.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "format/gguf_file.h"
#include "format/safetensors_image.h"
#include "runtime/hf_fixtures.h"
#include "runtime/hf_folder.h"

namespace akunu {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

// A copy of a fixture folder in a fresh temporary directory, removed at the end.
class FolderCopy {
public:
    explicit FolderCopy(const std::string& arch) {
        std::string tmpl = (fs::temp_directory_path() / "akunu-hf-test-XXXXXX").string();
        if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
        dir_ = tmpl;
        for (const auto& e : fs::directory_iterator(hf_fixtures::dir(arch))) {
            if (e.path().filename() != "llamacpp-f32.gguf") fs::copy_file(e.path(), dir_ / e.path().filename());
        }
    }
    ~FolderCopy() {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }
    std::string path() const { return dir_.string(); }
    std::string file(const std::string& name) const { return (dir_ / name).string(); }

    json config() const {
        std::ifstream in(file("config.json"));
        return json::parse(in);
    }
    void write(const std::string& name, const std::string& text) const {
        std::ofstream(file(name), std::ios::binary) << text;
    }
    void write_config(const json& j) const { write("config.json", j.dump(1)); }

private:
    fs::path dir_;
};

void expect_error(const std::string& dir, ErrorKind kind, const std::vector<std::string>& parts) {
    try {
        open_hf_folder(dir, std::nullopt);
        ADD_FAILURE() << "converted";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), kind) << e.what();
        for (const std::string& p : parts) {
            EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << "no '" << p << "' in: " << e.what();
        }
    }
}

TEST(HfFolderErrors, MissingFiles) {
    {
        FolderCopy f("qwen3");
        fs::remove(f.file("config.json"));
        expect_error(f.path(), ErrorKind::Io, {f.file("config.json")});
    }
    {
        FolderCopy f("qwen3");
        fs::remove(f.file("tokenizer.json"));
        expect_error(f.path(), ErrorKind::Io, {"tokenizer.json"});
    }
    {
        FolderCopy f("qwen3");
        fs::remove(f.file("model.safetensors"));
        expect_error(f.path(), ErrorKind::Io, {"neither model.safetensors nor model.safetensors.index.json"});
    }
    {
        FolderCopy f("qwen2");  // sharded
        fs::remove(f.file("model-00003-of-00014.safetensors"));
        expect_error(f.path(), ErrorKind::Io, {"model-00003-of-00014.safetensors"});
    }
    expect_error("/nonexistent/folder", ErrorKind::Io, {"/nonexistent/folder"});
}

TEST(HfFolderErrors, UnsupportedConfigIsNamed) {
    const std::pair<std::function<void(json&)>, std::vector<std::string>> cases[] = {
        {[](json& j) { j["architectures"] = {"BertForMaskedLM"}; }, {"architecture 'BertForMaskedLM'", "Qwen3ForCausalLM"}},
        {[](json& j) { j["rope_parameters"] = {{"rope_type", "yarn"}, {"factor", 4.0}, {"rope_theta", 1e6}}; },
         {"RoPE type 'yarn'"}},
        {[](json& j) { j["rope_parameters"] = {{"rope_type", "dynamic"}, {"factor", 2.0}}; }, {"RoPE type 'dynamic'"}},
    };
    for (const auto& [edit, parts] : cases) {
        FolderCopy f("qwen3");
        json j = f.config();
        edit(j);
        f.write_config(j);
        expect_error(f.path(), ErrorKind::Unsupported, parts);
    }
}

TEST(HfFolderErrors, MalformedConfigIsNamed) {
    const std::pair<std::function<void(json&)>, std::string> cases[] = {
        {[](json& j) { j.erase("hidden_size"); }, "hidden_size is missing"},
        {[](json& j) { j["hidden_size"] = -64; }, "hidden_size must be an integer"},
        {[](json& j) { j["num_attention_heads"] = "4"; }, "num_attention_heads must be an integer"},
        {[](json& j) { j["num_key_value_heads"] = 3; }, "does not divide num_attention_heads"},
        {[](json& j) { j["rms_norm_eps"] = 0; }, "rms_norm_eps must be in (0, 1)"},
        {[](json& j) { j["architectures"] = json::array(); }, "architectures is missing or empty"},
        {[](json& j) { j["rope_parameters"] = {{"rope_type", "default"}, {"rope_theta", -1.0}}; }, "must be positive"},
        {[](json& j) { j["tie_word_embeddings"] = "yes"; }, "tie_word_embeddings must be true or false"},
        {[](json& j) { j["num_hidden_layers"] = 1; }, "for layer 1, but the model has 1 layers"},
        {[](json& j) { j["num_hidden_layers"] = 3; }, "no layer 2"},
    };
    for (const auto& [edit, part] : cases) {
        FolderCopy f("qwen3");
        json j = f.config();
        edit(j);
        f.write_config(j);
        expect_error(f.path(), ErrorKind::Format, {part});
    }
    FolderCopy f("qwen3");
    f.write("config.json", "{\"architectures\": [");
    expect_error(f.path(), ErrorKind::Format, {"config.json", "not valid JSON"});
}

TEST(HfFolderErrors, GemmaLayerPatternMustBeLlamaCpps) {
    FolderCopy f("gemma3");
    json j = f.config();
    j["layer_types"][0] = "full_attention";
    f.write_config(j);
    expect_error(f.path(), ErrorKind::Unsupported, {"layer_types[0]", "sliding_attention"});
}

// A folder whose one safetensors file holds `text` + `data` (the qwen3 fixture's config and tokenizer).
void expect_weights_error(const std::string& text, const std::vector<uint8_t>& data, ErrorKind kind,
                          const std::vector<std::string>& parts) {
    FolderCopy f("qwen3");
    const std::vector<uint8_t> bytes = st_image::image(text, data);
    std::ofstream(f.file("model.safetensors"), std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), (std::streamsize)bytes.size());
    expect_error(f.path(), kind, parts);
}

TEST(HfFolderErrors, UnconvertibleTensorsAreNamed) {
    using st_image::entry;
    using st_image::header;
    expect_weights_error(header({entry("model.embed_tokens.weight", "I64", "[260, 64]", 0, 260 * 64 * 8)}),
                         std::vector<uint8_t>(260 * 64 * 8), ErrorKind::Unsupported,
                         {"model.embed_tokens.weight", "dtype I64"});
    expect_weights_error(header({entry("model.vision_tower.weight", "F32", "[4]", 0, 16)}), std::vector<uint8_t>(16),
                         ErrorKind::Unsupported, {"model.vision_tower.weight", "no GGUF counterpart"});
    expect_weights_error(header({entry("model.layers.0.self_attn.q_proj.lora", "F32", "[4]", 0, 16)}),
                         std::vector<uint8_t>(16), ErrorKind::Unsupported, {"model.layers.0.self_attn.q_proj.lora"});
    expect_weights_error(header({entry("model.layers.00.input_layernorm.weight", "F32", "[4]", 0, 16)}),
                         std::vector<uint8_t>(16), ErrorKind::Unsupported, {"model.layers.00.input_layernorm.weight"});
    expect_weights_error(header({entry("model.norm.weight", "F32", "[2, 2, 2]", 0, 32)}), std::vector<uint8_t>(32),
                         ErrorKind::Format, {"model.norm.weight", "vector or matrix"});
    expect_weights_error(header({entry("model.norm.weight", "F32", "[64]", 0, 256)}), std::vector<uint8_t>(256),
                         ErrorKind::Format, {"no tensor for 'token_embd.weight'"});
    // The reader's own checks surface unchanged, naming the shard.
    expect_weights_error(header({entry("model.norm.weight", "F32", "[64]", 0, 255)}), std::vector<uint8_t>(255),
                         ErrorKind::Format, {"model.safetensors", "tensor 'model.norm.weight'", "needs 256"});
}

TEST(HfFolderErrors, ShardIndexMustAgreeWithTheShards) {
    {
        FolderCopy f("qwen2");
        json idx = json::parse(std::ifstream(f.file("model.safetensors.index.json")));
        idx["weight_map"]["model.norm.weight"] = "model-00001-of-00014.safetensors";
        f.write("model.safetensors.index.json", idx.dump());
        expect_error(f.path(), ErrorKind::Format, {"'model.norm.weight'", "does not hold it"});
    }
    {
        FolderCopy f("qwen2");
        json idx = json::parse(std::ifstream(f.file("model.safetensors.index.json")));
        idx["weight_map"].erase("model.norm.weight");
        f.write("model.safetensors.index.json", idx.dump());
        expect_error(f.path(), ErrorKind::Format, {"'model.norm.weight'", "does not list"});
    }
    {
        FolderCopy f("qwen2");
        json idx = json::parse(std::ifstream(f.file("model.safetensors.index.json")));
        idx["weight_map"]["model.norm.weight"] = "../model.safetensors";
        f.write("model.safetensors.index.json", idx.dump());
        expect_error(f.path(), ErrorKind::Format, {"not a plain file name"});
    }
}

// Everything but the name, which is the folder's.
void expect_same_gguf(const GgufFile& a, const GgufFile& b) {
    ASSERT_EQ(a.metadata().size(), b.metadata().size());
    for (const GgufKV& kv : a.metadata()) {
        if (kv.key == "general.name") continue;
        const GgufValue* v = b.find(kv.key);
        ASSERT_NE(v, nullptr) << kv.key;
        EXPECT_EQ(v->type, kv.value.type) << kv.key;
        EXPECT_EQ(v->f, kv.value.f) << kv.key;
        EXPECT_EQ(v->u, kv.value.u) << kv.key;
        EXPECT_EQ(v->s, kv.value.s) << kv.key;
    }
    ASSERT_EQ(a.tensors().size(), b.tensors().size());
    for (const GgufTensorInfo& t : a.tensors()) {
        const GgufTensorInfo& u = b.tensor(t.name);
        ASSERT_EQ(t.n_bytes, u.n_bytes) << t.name;
        EXPECT_EQ(std::memcmp(t.data, u.data, t.n_bytes), 0) << t.name;
    }
}

TEST(HfFolderConfigStyles, Transformers4xConvertsAs5x) {
    // llama3: rope_scaling beside rope_theta; gemma3: rope_theta + rope_local_base_freq.
    for (const std::string arch : {"llama3", "gemma3", "qwen3"}) {
        SCOPED_TRACE(arch);
        FolderCopy f(arch);
        json j = f.config();
        const json params = j["rope_parameters"];
        j.erase("rope_parameters");
        if (arch == "gemma3") {
            j["rope_theta"] = params["full_attention"]["rope_theta"];
            j["rope_local_base_freq"] = params["sliding_attention"]["rope_theta"];
            j["rope_scaling"] = nullptr;
        } else {
            j["rope_theta"] = params["rope_theta"];
            json scaling = params;
            scaling.erase("rope_theta");
            if (scaling["rope_type"] == "default") {
                j["rope_scaling"] = nullptr;
            } else {
                j["rope_scaling"] = scaling;
            }
        }
        f.write_config(j);
        expect_same_gguf(*open_hf_folder(hf_fixtures::dir(arch), std::nullopt), *open_hf_folder(f.path(), std::nullopt));
    }
}

}  // namespace
}  // namespace akunu
