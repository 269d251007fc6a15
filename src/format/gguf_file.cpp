// GgufFile: construction (mmap or in-memory copy), lookups and typed getters.
// The parser itself is in gguf_parse.cpp.
#include "format/gguf_file.h"

#include <cstdint>
#include <limits>

#include "core/error.h"
#include "format/mapped_file.h"

namespace akunu {

namespace {

std::string describe_type(const GgufValue& v) {
    if (v.type == GgufType::ARRAY) return std::string("array of ") + gguf_type_name(v.elem_type);
    return gguf_type_name(v.type);
}

bool is_signed_int(GgufType t) {
    return t == GgufType::INT8 || t == GgufType::INT16 || t == GgufType::INT32 || t == GgufType::INT64;
}

bool is_int_type(GgufType t) {
    return is_signed_int(t) || t == GgufType::UINT8 || t == GgufType::UINT16 || t == GgufType::UINT32 ||
           t == GgufType::UINT64;
}

bool is_number_type(GgufType t) { return is_int_type(t) || t == GgufType::FLOAT32 || t == GgufType::FLOAT64; }

// Whether an integer value lies in [lo, hi]; scalars are held widened in `u` or `i` by signedness.
bool int_fits(const GgufValue& v, int64_t lo, uint64_t hi) {
    if (is_signed_int(v.type)) return v.i >= lo && (v.i < 0 || static_cast<uint64_t>(v.i) <= hi);
    return v.u <= hi;
}

}  // namespace

std::unique_ptr<GgufFile> GgufFile::open(const std::string& path) {
    std::unique_ptr<GgufFile> f(new GgufFile());
    f->name_ = path;
    f->mapping_ = std::make_unique<MappedFile>(path);
    f->base_ = f->mapping_->data();
    f->size_ = f->mapping_->size();
    f->parse();
    return f;
}

std::unique_ptr<GgufFile> GgufFile::from_memory(const void* data, size_t size, const std::string& name) {
    std::unique_ptr<GgufFile> f(new GgufFile());
    f->name_ = name;
    const auto* bytes = static_cast<const uint8_t*>(data);
    if (size != 0) f->owned_.assign(bytes, bytes + size);  // exact size, so sanitizers see any overread
    f->base_ = f->owned_.data();
    f->size_ = f->owned_.size();
    f->parse();
    return f;
}

GgufFile::~GgufFile() = default;

const GgufValue* GgufFile::find(std::string_view key) const {
    auto it = kv_index_.find(std::string(key));
    return it == kv_index_.end() ? nullptr : &kvs_[it->second].value;
}

const GgufTensorInfo* GgufFile::find_tensor(std::string_view name) const {
    auto it = tensor_index_.find(std::string(name));
    return it == tensor_index_.end() ? nullptr : &tensors_[it->second];
}

const GgufTensorInfo& GgufFile::tensor(std::string_view name) const {
    const GgufTensorInfo* t = find_tensor(name);
    if (t == nullptr) fail(ErrorKind::Format, "gguf", name_ + ": missing tensor '" + std::string(name) + "'");
    return *t;
}

// ---- typed getters

namespace {

[[noreturn]] void key_fail(const std::string& file, std::string_view key, const std::string& detail) {
    fail(ErrorKind::Format, "gguf", file + ": key '" + std::string(key) + "': " + detail);
}

const GgufValue& require(const GgufFile& f, std::string_view key) {
    const GgufValue* v = f.find(key);
    if (v == nullptr) key_fail(f.name(), key, "missing");
    return *v;
}

std::string describe_int(const GgufValue& v) {
    return (is_signed_int(v.type) ? std::to_string(v.i) : std::to_string(v.u)) + " (" + gguf_type_name(v.type) + ")";
}

uint64_t to_unsigned(const GgufFile& f, std::string_view key, const GgufValue& v, uint64_t hi, const char* want) {
    if (!v.is_integer()) key_fail(f.name(), key, "holds " + describe_type(v) + ", expected an integer");
    if (!int_fits(v, 0, hi)) key_fail(f.name(), key, "value " + describe_int(v) + " does not fit in " + want);
    return is_signed_int(v.type) ? static_cast<uint64_t>(v.i) : v.u;
}

// Floats, and integers too: a count stored where a float is expected still means that number.
float to_float(const GgufValue& v) {
    if (v.is_float()) return static_cast<float>(v.f);
    return is_signed_int(v.type) ? static_cast<float>(v.i) : static_cast<float>(v.u);
}

float scalar_float(const GgufFile& f, std::string_view key, const GgufValue& v) {
    if (!is_number_type(v.type)) key_fail(f.name(), key, "holds " + describe_type(v) + ", expected a number");
    return to_float(v);
}

const GgufValue& require_array(const GgufFile& f, std::string_view key, const char* want) {
    const GgufValue& v = require(f, key);
    if (v.type != GgufType::ARRAY) key_fail(f.name(), key, "holds " + describe_type(v) + ", expected " + want);
    return v;
}

}  // namespace

uint32_t GgufFile::get_u32(std::string_view key) const {
    return static_cast<uint32_t>(to_unsigned(*this, key, require(*this, key), UINT32_MAX, "uint32"));
}

uint32_t GgufFile::get_u32_or(std::string_view key, uint32_t fallback) const {
    const GgufValue* v = find(key);
    return v == nullptr ? fallback : static_cast<uint32_t>(to_unsigned(*this, key, *v, UINT32_MAX, "uint32"));
}

uint64_t GgufFile::get_u64(std::string_view key) const {
    return to_unsigned(*this, key, require(*this, key), UINT64_MAX, "uint64");
}

float GgufFile::get_f32(std::string_view key) const { return scalar_float(*this, key, require(*this, key)); }

float GgufFile::get_f32_or(std::string_view key, float fallback) const {
    const GgufValue* v = find(key);
    return v == nullptr ? fallback : scalar_float(*this, key, *v);
}

bool GgufFile::get_bool_or(std::string_view key, bool fallback) const {
    const GgufValue* v = find(key);
    if (v == nullptr) return fallback;
    if (v->type != GgufType::BOOL) key_fail(name_, key, "holds " + describe_type(*v) + ", expected bool");
    return v->u != 0;
}

std::string GgufFile::get_string(std::string_view key) const {
    const GgufValue& v = require(*this, key);
    if (v.type != GgufType::STRING) key_fail(name_, key, "holds " + describe_type(v) + ", expected string");
    return v.s;
}

std::string GgufFile::get_string_or(std::string_view key, const std::string& fallback) const {
    return has(key) ? get_string(key) : fallback;
}

std::vector<std::string> GgufFile::get_string_array(std::string_view key) const {
    const GgufValue& v = require_array(*this, key, "array of string");
    if (v.elem_type != GgufType::STRING) key_fail(name_, key, "holds " + describe_type(v) + ", expected array of string");
    std::vector<std::string> out;
    out.reserve(v.elems.size());
    for (const GgufValue& e : v.elems) out.push_back(e.s);
    return out;
}

std::vector<float> GgufFile::get_f32_array(std::string_view key) const {
    const GgufValue& v = require_array(*this, key, "array of float32");
    if (!is_number_type(v.elem_type)) key_fail(name_, key, "holds " + describe_type(v) + ", expected array of float32");
    std::vector<float> out;
    out.reserve(v.elems.size());
    for (const GgufValue& e : v.elems) out.push_back(to_float(e));
    return out;
}

std::vector<int32_t> GgufFile::get_i32_array(std::string_view key) const {
    const GgufValue& v = require_array(*this, key, "array of int32");
    if (!is_int_type(v.elem_type)) key_fail(name_, key, "holds " + describe_type(v) + ", expected array of int32");
    std::vector<int32_t> out;
    out.reserve(v.elems.size());
    for (size_t k = 0; k < v.elems.size(); ++k) {
        const GgufValue& e = v.elems[k];
        if (!int_fits(e, INT32_MIN, INT32_MAX)) {
            key_fail(name_, key, "element " + std::to_string(k) + " value " + describe_int(e) + " does not fit in int32");
        }
        out.push_back(static_cast<int32_t>(is_signed_int(e.type) ? e.i : static_cast<int64_t>(e.u)));
    }
    return out;
}

}  // namespace akunu
