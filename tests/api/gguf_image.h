// Helpers for the API's bad-input tests: a tiny valid model as a GGUF byte image, and small
// tools to find and patch the bytes of a key, a tensor info or a header field in that image.
// Every finder throws std::runtime_error when what it looks for is not there exactly once, so a
// test that patches the wrong bytes fails loudly instead of testing a valid file.
#pragma once

#include <stdlib.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "format/gguf_file.h"
#include "format/gguf_writer.h"
#include "model/synthetic_model.h"

namespace gguf_image {

using Image = std::vector<uint8_t>;

// Header fields of GGUF v2/v3.
constexpr size_t kMagicAt = 0;
constexpr size_t kVersionAt = 4;
constexpr size_t kTensorCountAt = 8;
constexpr size_t kKvCountAt = 16;
constexpr size_t kHeaderBytes = 24;

// llama, dim 64, 2 layers, 4 heads, 2 KV heads, head_dim 16, ffn 96, vocab 300, context 64.
inline akunu::ModelConfig tiny_config() {
    akunu::ModelConfig c;
    c.architecture = "llama";
    c.name = "api-test-tiny";
    c.dim = 64;
    c.n_layers = 2;
    c.n_heads = 4;
    c.n_kv_heads = 2;
    c.head_dim = 16;
    c.ffn_dim = 96;
    c.vocab_size = 300;
    c.context_length = 64;
    c.rope_dim = 16;
    c.rope_theta = 10000.0f;
    c.norm_eps = 1e-5f;
    c.rope_style = akunu::RopeStyle::Interleaved;
    c.has_qk_norm = false;
    c.tied_output = false;
    return c;
}

inline akunu::GgufWriter tiny_writer(akunu::DType type, uint64_t seed = 7) {
    akunu::GgufWriter w;
    akunu::build_synthetic_gguf(tiny_config(), type, seed, w);
    return w;
}

inline Image tiny_image(akunu::DType type) { return tiny_writer(type).to_bytes(); }

// ---- little-endian access

template <class T>
T get_at(const Image& img, size_t at) {
    if (at + sizeof(T) > img.size()) throw std::runtime_error("get_at past the end of the image");
    T v;
    std::memcpy(&v, img.data() + at, sizeof v);
    return v;
}

template <class T>
void put_at(Image& img, size_t at, T v) {
    if (at + sizeof(T) > img.size()) throw std::runtime_error("put_at past the end of the image");
    std::memcpy(img.data() + at, &v, sizeof v);
}

// ---- finding things

// The bytes of a GGUF string: u64 length, then the bytes.
inline std::string gguf_string(std::string_view s) {
    std::string out(8, '\0');
    const uint64_t n = s.size();
    std::memcpy(out.data(), &n, 8);
    out.append(s);
    return out;
}

// Offsets of every occurrence of `needle`.
inline std::vector<size_t> find_all(const Image& img, std::string_view needle) {
    std::vector<size_t> hits;
    if (needle.empty() || needle.size() > img.size()) return hits;
    for (size_t i = 0; i + needle.size() <= img.size(); ++i) {
        if (std::memcmp(img.data() + i, needle.data(), needle.size()) == 0) hits.push_back(i);
    }
    return hits;
}

// Offset of the length prefix of the one GGUF string `s` in the image (throws unless exactly one).
inline size_t find_string(const Image& img, std::string_view s) {
    const std::vector<size_t> hits = find_all(img, gguf_string(s));
    if (hits.size() != 1) {
        throw std::runtime_error("string '" + std::string(s) + "' occurs " + std::to_string(hits.size()) +
                                 " times in the image, expected once");
    }
    return hits[0];
}

// Where the fields of one tensor info lie.
struct TensorInfoAt {
    size_t name = 0;    // the u64 length prefix of the name
    size_t n_dims = 0;  // u32
    size_t ne = 0;      // first u64 dimension; dimension d is at ne + 8 * d
    size_t type = 0;    // u32
    size_t offset = 0;  // u64, relative to the data section
    uint32_t dims = 0;
    size_t end = 0;     // first byte after this info
};

inline TensorInfoAt tensor_info_at(const Image& img, std::string_view name) {
    TensorInfoAt t;
    t.name = find_string(img, name);
    t.n_dims = t.name + 8 + name.size();
    t.dims = get_at<uint32_t>(img, t.n_dims);
    if (t.dims < 1 || t.dims > 4) throw std::runtime_error("tensor info of '" + std::string(name) + "' not found");
    t.ne = t.n_dims + 4;
    t.type = t.ne + 8 * t.dims;
    t.offset = t.type + 4;
    t.end = t.offset + 8;
    return t;
}

// Where one metadata entry lies.
struct KvAt {
    size_t key = 0;    // the u64 length prefix of the key
    size_t type = 0;   // u32 value type
    size_t value = 0;  // the value (for a string: its u64 length; for an array: u32 element type)
};

inline KvAt kv_at(const Image& img, std::string_view key) {
    KvAt k;
    k.key = find_string(img, key);
    k.type = k.key + 8 + key.size();
    k.value = k.type + 4;
    return k;
}

// Renames the one GGUF string `from` to `to` (same length) in place.
inline void rename_string(Image& img, std::string_view from, std::string_view to) {
    if (from.size() != to.size()) throw std::runtime_error("rename_string needs equal lengths");
    const size_t at = find_string(img, from) + 8;
    std::memcpy(img.data() + at, to.data(), to.size());
}

// What the reader makes of a valid image: where the data section starts and a tensor's place in it.
struct Layout {
    uint64_t data_offset = 0;
    uint64_t file_size = 0;
    uint64_t alignment = 0;
    std::vector<akunu::GgufTensorInfo> tensors;  // data pointers cleared (they point into a copy)

    const akunu::GgufTensorInfo& tensor(std::string_view name) const {
        for (const auto& t : tensors) {
            if (t.name == name) return t;
        }
        throw std::runtime_error("no tensor '" + std::string(name) + "' in the layout");
    }
    // The tensor whose data ends last in the file.
    const akunu::GgufTensorInfo& last() const {
        const akunu::GgufTensorInfo* best = &tensors.at(0);
        for (const auto& t : tensors) {
            if (t.offset > best->offset) best = &t;
        }
        return *best;
    }
};

inline Layout layout_of(const Image& img) {
    auto f = akunu::GgufFile::from_memory(img.data(), img.size(), "layout");
    Layout l;
    l.data_offset = f->data_offset();
    l.file_size = f->file_size();
    l.alignment = f->alignment();
    for (akunu::GgufTensorInfo t : f->tensors()) {
        t.data = nullptr;
        l.tensors.push_back(t);
    }
    return l;
}

// Copies a valid image into a writer, leaving out some keys and tensors, so a test can then
// change or add what it needs (the writer's set() replaces a key in place).
inline akunu::GgufWriter to_writer(const Image& img, const std::set<std::string>& skip_keys = {},
                                   const std::set<std::string>& skip_tensors = {}) {
    auto f = akunu::GgufFile::from_memory(img.data(), img.size(), "to_writer");
    akunu::GgufWriter w;
    for (const akunu::GgufKV& kv : f->metadata()) {
        if (!skip_keys.count(kv.key)) w.set(kv.key, kv.value);
    }
    for (const akunu::GgufTensorInfo& t : f->tensors()) {
        if (skip_tensors.count(t.name)) continue;
        std::vector<int64_t> ne(t.ne, t.ne + t.n_dims);
        w.add_tensor(t.name, t.type, ne, std::vector<uint8_t>(t.data, t.data + t.n_bytes));
    }
    return w;
}

// A GGUF header by hand: magic, version, tensor count, metadata count.
inline Image header(uint32_t version, uint64_t tensor_count, uint64_t kv_count, uint32_t magic = 0x46554747) {
    Image img(kHeaderBytes);
    put_at<uint32_t>(img, kMagicAt, magic);
    put_at<uint32_t>(img, kVersionAt, version);
    put_at<uint64_t>(img, kTensorCountAt, tensor_count);
    put_at<uint64_t>(img, kKvCountAt, kv_count);
    return img;
}

// ---- files

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it on destruction.
class TempDir {
public:
    TempDir() {
        const char* tmp = std::getenv("TMPDIR");
        std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/akunu-api-test-XXXXXX";
        if (!mkdtemp(templ.data())) throw std::runtime_error("mkdtemp failed for " + templ);
        path_ = templ;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::string& path() const { return path_; }
    std::string file(const std::string& name) const { return path_ + "/" + name; }

private:
    std::string path_;
};

inline void write_file(const std::string& path, const Image& img) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("cannot create " + path);
    out.write(reinterpret_cast<const char*>(img.data()), (std::streamsize)img.size());
    if (!out) throw std::runtime_error("cannot write " + path);
}

inline std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace gguf_image
