// GGUF v2/v3 reader: mmap'd, strictly validated, zero-copy tensor views.
// Every failure is akunu::Error(Format/Unsupported/Io) whose message names the file and the key or tensor.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "format/dtype.h"
#include "format/gguf_value.h"

namespace akunu {

class MappedFile;

struct GgufTensorInfo {
    std::string name;
    uint32_t n_dims = 0;
    int64_t ne[4] = {1, 1, 1, 1};  // ggml order: ne[0] is the row length (contiguous)
    DType type = DType::F32;
    uint64_t offset = 0;   // relative to the start of the data section
    uint64_t n_bytes = 0;  // rows * row_bytes
    const uint8_t* data = nullptr;  // points into the mapping; valid while the GgufFile lives

    int64_t n_elements() const { return ne[0] * ne[1] * ne[2] * ne[3]; }
    int64_t n_rows() const { return ne[1] * ne[2] * ne[3]; }
};

class GgufFile {
public:
    // Maps and validates a file. `name` in messages is the path.
    static std::unique_ptr<GgufFile> open(const std::string& path);
    // Validates an in-memory image (copied); for tests and the fuzzer. `name` is used in messages.
    static std::unique_ptr<GgufFile> from_memory(const void* data, size_t size, const std::string& name);

    ~GgufFile();
    GgufFile(const GgufFile&) = delete;
    GgufFile& operator=(const GgufFile&) = delete;

    const std::string& name() const { return name_; }
    uint32_t version() const { return version_; }
    uint64_t alignment() const { return alignment_; }
    size_t file_size() const { return size_; }
    uint64_t data_offset() const { return data_offset_; }  // start of the tensor data section

    const std::vector<GgufKV>& metadata() const { return kvs_; }
    const GgufValue* find(std::string_view key) const;  // nullptr if absent
    bool has(std::string_view key) const { return find(key) != nullptr; }

    // Typed getters. The required forms throw Format naming file and key when the key is missing
    // or holds an incompatible type; integer getters accept any integer type whose value fits.
    uint32_t get_u32(std::string_view key) const;
    uint32_t get_u32_or(std::string_view key, uint32_t fallback) const;
    uint64_t get_u64(std::string_view key) const;
    float get_f32(std::string_view key) const;
    float get_f32_or(std::string_view key, float fallback) const;
    bool get_bool_or(std::string_view key, bool fallback) const;
    std::string get_string(std::string_view key) const;
    std::string get_string_or(std::string_view key, const std::string& fallback) const;
    std::vector<std::string> get_string_array(std::string_view key) const;
    std::vector<float> get_f32_array(std::string_view key) const;
    std::vector<int32_t> get_i32_array(std::string_view key) const;

    const std::vector<GgufTensorInfo>& tensors() const { return tensors_; }
    const GgufTensorInfo* find_tensor(std::string_view name) const;  // nullptr if absent
    // Throws Format "missing tensor" naming file and tensor.
    const GgufTensorInfo& tensor(std::string_view name) const;

private:
    GgufFile() = default;
    void parse();

    std::string name_;
    std::unique_ptr<MappedFile> mapping_;
    std::vector<uint8_t> owned_;  // from_memory keeps its copy here
    const uint8_t* base_ = nullptr;
    size_t size_ = 0;
    uint32_t version_ = 0;
    uint64_t alignment_ = 32;
    uint64_t data_offset_ = 0;
    std::vector<GgufKV> kvs_;
    std::unordered_map<std::string, size_t> kv_index_;
    std::vector<GgufTensorInfo> tensors_;
    std::unordered_map<std::string, size_t> tensor_index_;
};

}  // namespace akunu
