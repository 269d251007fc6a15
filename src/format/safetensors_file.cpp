#include "format/safetensors_file.h"

#include <algorithm>
#include <cstring>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "format/mapped_file.h"

namespace akunu {

namespace {

using json = nlohmann::json;

struct DTypeRow {
    StDType type;
    const char* name;
    size_t size;
};

constexpr DTypeRow kDTypes[] = {
    {StDType::BOOL, "BOOL", 1},       {StDType::U8, "U8", 1},     {StDType::I8, "I8", 1},
    {StDType::F8_E5M2, "F8_E5M2", 1}, {StDType::F8_E4M3, "F8_E4M3", 1}, {StDType::I16, "I16", 2},
    {StDType::U16, "U16", 2},         {StDType::F16, "F16", 2},   {StDType::BF16, "BF16", 2},
    {StDType::I32, "I32", 4},         {StDType::U32, "U32", 4},   {StDType::F32, "F32", 4},
    {StDType::I64, "I64", 8},         {StDType::U64, "U64", 8},   {StDType::F64, "F64", 8},
};

const DTypeRow* find_dtype_row(const std::string& name) {
    for (const DTypeRow& r : kDTypes) {
        if (name == r.name) return &r;
    }
    return nullptr;
}

class HeaderReader {
public:
    explicit HeaderReader(const std::string& file) : file_(file) {}

    [[noreturn]] void bad(const std::string& what) const { fail(ErrorKind::Format, "safetensors", file_ + ": " + what); }
    [[noreturn]] void bad_tensor(const std::string& tensor, const std::string& what) const {
        bad("tensor '" + tensor + "': " + what);
    }

    // An unsigned JSON integer (nlohmann parses non-negative integers as unsigned).
    uint64_t unsigned_of(const json& v, const std::string& tensor, const std::string& field) const {
        if (!v.is_number_unsigned()) bad_tensor(tensor, field + " must be a non-negative integer, got " + v.dump());
        return v.get<uint64_t>();
    }

    // The tensor, with `begin` its offset in the data section.
    SafetensorsTensor tensor(const std::string& name, const json& entry, uint64_t data_size, uint64_t& begin_out) const {
        if (name.empty()) bad("a tensor has an empty name");
        if (!entry.is_object()) bad_tensor(name, std::string("must be an object, got ") + entry.type_name());
        SafetensorsTensor t;
        t.name = name;

        const auto dtype = entry.find("dtype");
        if (dtype == entry.end() || !dtype->is_string()) bad_tensor(name, "has no \"dtype\" string");
        const DTypeRow* row = find_dtype_row(dtype->get<std::string>());
        if (row == nullptr) bad_tensor(name, "unknown dtype '" + dtype->get<std::string>() + "'");
        t.dtype = row->type;

        const auto shape = entry.find("shape");
        if (shape == entry.end() || !shape->is_array()) bad_tensor(name, "has no \"shape\" array");
        uint64_t elements = 1;
        for (size_t d = 0; d < shape->size(); ++d) {
            const uint64_t n = unsigned_of((*shape)[d], name, "shape[" + std::to_string(d) + "]");
            // Dimensions beyond int64 or products past 2^64 cannot describe bytes in a file.
            if (n > (uint64_t)INT64_MAX || __builtin_mul_overflow(elements, n, &elements)) {
                bad_tensor(name, "shape " + shape->dump() + " overflows");
            }
            t.shape.push_back((int64_t)n);
        }
        t.n_elements = elements;
        if (__builtin_mul_overflow(elements, (uint64_t)row->size, &t.n_bytes)) {
            bad_tensor(name, "shape " + shape->dump() + " overflows");
        }

        const auto offsets = entry.find("data_offsets");
        if (offsets == entry.end() || !offsets->is_array() || offsets->size() != 2) {
            bad_tensor(name, "has no \"data_offsets\" [begin, end]");
        }
        const uint64_t begin = unsigned_of((*offsets)[0], name, "data_offsets[0]");
        const uint64_t end = unsigned_of((*offsets)[1], name, "data_offsets[1]");
        if (begin > end || end > data_size) {
            bad_tensor(name, "data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) +
                                 "] outside the data section of " + std::to_string(data_size) + " bytes");
        }
        if (end - begin != t.n_bytes) {
            bad_tensor(name, "data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) + "] hold " +
                                 std::to_string(end - begin) + " bytes, but " + row->name + " " + shape->dump() +
                                 " needs " + std::to_string(t.n_bytes));
        }
        begin_out = begin;
        return t;
    }

private:
    const std::string& file_;
};

}  // namespace

const char* st_dtype_name(StDType type) {
    for (const DTypeRow& r : kDTypes) {
        if (r.type == type) return r.name;
    }
    return "?";
}

size_t st_dtype_size(StDType type) {
    for (const DTypeRow& r : kDTypes) {
        if (r.type == type) return r.size;
    }
    return 0;
}

SafetensorsFile::~SafetensorsFile() = default;

std::unique_ptr<SafetensorsFile> SafetensorsFile::open(const std::string& path) {
    std::unique_ptr<SafetensorsFile> f(new SafetensorsFile());
    f->name_ = path;
    f->mapping_ = std::make_unique<MappedFile>(path);
    f->base_ = f->mapping_->data();
    f->size_ = f->mapping_->size();
    f->parse();
    return f;
}

std::unique_ptr<SafetensorsFile> SafetensorsFile::from_memory(const void* data, size_t size, const std::string& name) {
    std::unique_ptr<SafetensorsFile> f(new SafetensorsFile());
    f->name_ = name;
    if (size != 0) {
        f->owned_.assign(static_cast<const uint8_t*>(data), static_cast<const uint8_t*>(data) + size);
    }
    f->base_ = f->owned_.data();
    f->size_ = size;
    f->parse();
    return f;
}

const SafetensorsTensor* SafetensorsFile::find(std::string_view name) const {
    const auto it = index_.find(std::string(name));
    return it == index_.end() ? nullptr : &tensors_[it->second];
}

void SafetensorsFile::parse() {
    const HeaderReader r(name_);
    if (size_ < 8) r.bad("file of " + std::to_string(size_) + " bytes is too short for the 8-byte header length");
    uint64_t header_len = 0;
    for (int i = 7; i >= 0; --i) header_len = (header_len << 8) | base_[i];
    if (header_len > kSafetensorsMaxHeader) {
        r.bad("header length " + std::to_string(header_len) + " exceeds the format's limit of " +
              std::to_string(kSafetensorsMaxHeader) + " bytes");
    }
    if (header_len > size_ - 8) {
        r.bad("header length " + std::to_string(header_len) + " runs past the end of the file (" +
              std::to_string(size_) + " bytes): truncated?");
    }
    const char* text = reinterpret_cast<const char*>(base_ + 8);
    json header;
    // nlohmann keeps the last of two equal keys; a tensor named twice is a malformed file, so the
    // top-level keys are checked as they are parsed.
    std::vector<std::string> keys;
    const json::parser_callback_t note_keys = [&](int depth, json::parse_event_t event, json& parsed) {
        if (depth == 1 && event == json::parse_event_t::key) keys.push_back(parsed.get<std::string>());
        return true;
    };
    try {
        header = json::parse(text, text + header_len, note_keys);
    } catch (const json::exception& e) {
        r.bad(std::string("header is not valid JSON: ") + e.what());
    }
    if (!header.is_object()) r.bad(std::string("header must be a JSON object, got ") + header.type_name());

    std::sort(keys.begin(), keys.end());
    const auto dup = std::adjacent_find(keys.begin(), keys.end());
    if (dup != keys.end()) r.bad("header names '" + *dup + "' twice");

    const uint8_t* data = base_ + 8 + header_len;
    const uint64_t data_size = size_ - 8 - header_len;
    std::vector<std::pair<uint64_t, SafetensorsTensor>> placed;
    for (auto it = header.begin(); it != header.end(); ++it) {
        if (it.key() == "__metadata__") continue;  // free-form strings; nothing we need
        uint64_t begin = 0;
        SafetensorsTensor t = r.tensor(it.key(), it.value(), data_size, begin);
        placed.emplace_back(begin, std::move(t));
    }

    // The tensors must tile the data section: sorted by start, each begins where the previous ended.
    // Empty tensors sort before a tensor starting at the same offset, so the header's key order
    // cannot make a valid file look overlapping.
    std::sort(placed.begin(), placed.end(), [](const auto& a, const auto& b) {
        return a.first != b.first ? a.first < b.first : a.second.n_bytes < b.second.n_bytes;
    });
    uint64_t expected = 0;
    const SafetensorsTensor* previous = nullptr;
    for (auto& [begin, t] : placed) {
        if (begin < expected) {
            r.bad_tensor(t.name, "data_offsets [" + std::to_string(begin) + ", " + std::to_string(begin + t.n_bytes) +
                                     "] overlap tensor '" + previous->name + "' (which ends at " +
                                     std::to_string(expected) + ")");
        }
        if (begin > expected) {
            r.bad_tensor(t.name, "data_offsets start at " + std::to_string(begin) + ", leaving bytes " +
                                     std::to_string(expected) + ".." + std::to_string(begin) +
                                     " of the data section unused");
        }
        expected = begin + t.n_bytes;
        previous = &t;
        t.data = data + begin;
    }
    tensors_.reserve(placed.size());
    for (auto& p : placed) tensors_.push_back(std::move(p.second));
    if (expected != data_size) {
        r.bad("tensors cover " + std::to_string(expected) + " bytes of a data section of " + std::to_string(data_size) +
              " bytes: truncated, or trailing bytes");
    }
    for (size_t i = 0; i < tensors_.size(); ++i) index_.emplace(tensors_[i].name, i);
}

}  // namespace akunu
