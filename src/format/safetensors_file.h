// Safetensors reader: mmap'd, strictly validated, zero-copy tensor views.
// Layout: an 8-byte little-endian header length N, N bytes of JSON
//   {"name": {"dtype": "F32", "shape": [r, c], "data_offsets": [begin, end]}, ..., "__metadata__": {...}}
// then the data section, which the tensors must tile exactly (no gaps, no overlaps, as the
// reference implementation requires). Offsets are relative to the data section; shapes are
// row-major, outermost first. Every failure is akunu::Error(Format, or Io for the file itself)
// whose message names the file and, where there is one, the tensor.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace akunu {

class MappedFile;

// Element types the format defines. The reader accepts all of them; converters choose what they take.
enum class StDType : uint8_t { BOOL, U8, I8, F8_E5M2, F8_E4M3, I16, U16, F16, BF16, I32, U32, F32, I64, U64, F64 };

const char* st_dtype_name(StDType type);
size_t st_dtype_size(StDType type);

// The format caps the JSON header here (the reference implementation's limit).
inline constexpr uint64_t kSafetensorsMaxHeader = 100'000'000;

struct SafetensorsTensor {
    std::string name;
    StDType dtype = StDType::F32;
    std::vector<int64_t> shape;  // outermost first; empty for a scalar
    uint64_t n_elements = 0;
    uint64_t n_bytes = 0;
    const uint8_t* data = nullptr;  // valid while the SafetensorsFile lives
};

class SafetensorsFile {
public:
    static std::unique_ptr<SafetensorsFile> open(const std::string& path);
    // Validates an in-memory image (copied); `name` is used in messages. For tests and the fuzzer.
    static std::unique_ptr<SafetensorsFile> from_memory(const void* data, size_t size, const std::string& name);

    ~SafetensorsFile();
    SafetensorsFile(const SafetensorsFile&) = delete;
    SafetensorsFile& operator=(const SafetensorsFile&) = delete;

    const std::string& name() const { return name_; }
    // In the order of their data (which is how the file lays them out), not the header's.
    const std::vector<SafetensorsTensor>& tensors() const { return tensors_; }
    const SafetensorsTensor* find(std::string_view name) const;  // nullptr if absent

private:
    SafetensorsFile() = default;
    void parse();

    std::string name_;
    std::unique_ptr<MappedFile> mapping_;
    std::vector<uint8_t> owned_;
    const uint8_t* base_ = nullptr;
    size_t size_ = 0;
    std::vector<SafetensorsTensor> tensors_;
    std::unordered_map<std::string, size_t> index_;
};

}  // namespace akunu
