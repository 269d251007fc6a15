// Our Q8_0 / Q4_0 reference quantizers against llama-quantize: the shared stories260K files
// hold the same F32 model quantized by llama-quantize (no importance matrix, i.e. GGML's
// reference path). Quantizing each F32 tensor with our quantizer must give the file's bytes.
//
// The files are parsed here with a minimal GGUF reader of the test's own, so that this test
// depends on nothing but the dtype registry.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "format/dtype.h"

using namespace akunu;

namespace {

struct MiniTensor {
    uint32_t type = 0;
    std::vector<uint64_t> dims;
    uint64_t offset = 0;  // absolute, in the file
};

struct MiniGguf {
    std::vector<uint8_t> bytes;
    std::map<std::string, MiniTensor> tensors;
};

class Cursor {
public:
    explicit Cursor(const std::vector<uint8_t>& b) : b_(b) {}
    template <class T>
    T get() {
        need(sizeof(T));
        T v;
        std::memcpy(&v, b_.data() + pos_, sizeof(T));
        pos_ += sizeof(T);
        return v;
    }
    std::string str() {
        const uint64_t n = get<uint64_t>();
        need(n);
        std::string s(reinterpret_cast<const char*>(b_.data() + pos_), n);
        pos_ += n;
        return s;
    }
    void skip(uint64_t n) {
        need(n);
        pos_ += n;
    }
    size_t pos() const { return pos_; }

private:
    void need(uint64_t n) const {
        if (n > b_.size() - pos_) throw std::runtime_error("truncated gguf");
    }
    const std::vector<uint8_t>& b_;
    size_t pos_ = 0;
};

// Skips one metadata value of GGUF type t; returns it when it is an integer (for general.alignment).
uint64_t skip_value(Cursor& c, uint32_t t) {
    switch (t) {
        case 0: case 1: case 7: return c.get<uint8_t>();
        case 2: case 3: return c.get<uint16_t>();
        case 4: case 5: return c.get<uint32_t>();
        case 6: c.skip(4); return 0;
        case 8: c.str(); return 0;
        case 9: {
            const uint32_t et = c.get<uint32_t>();
            const uint64_t n = c.get<uint64_t>();
            for (uint64_t i = 0; i < n; ++i) skip_value(c, et);
            return 0;
        }
        case 10: case 11: return c.get<uint64_t>();
        case 12: c.skip(8); return 0;
        default: throw std::runtime_error("bad gguf value type " + std::to_string(t));
    }
}

MiniGguf read_gguf(const std::string& path) {
    MiniGguf g;
    std::ifstream f(path, std::ios::binary);
    if (!f) throw std::runtime_error("cannot open " + path);
    g.bytes.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
    Cursor c(g.bytes);
    if (c.get<uint32_t>() != 0x46554747u) throw std::runtime_error("not gguf: " + path);  // "GGUF"
    const uint32_t version = c.get<uint32_t>();
    if (version < 2) throw std::runtime_error("old gguf");
    const uint64_t n_tensors = c.get<uint64_t>();
    const uint64_t n_kv = c.get<uint64_t>();
    uint64_t alignment = 32;
    for (uint64_t i = 0; i < n_kv; ++i) {
        const std::string key = c.str();
        const uint32_t t = c.get<uint32_t>();
        const uint64_t v = skip_value(c, t);
        if (key == "general.alignment") alignment = v;
    }
    std::vector<std::pair<std::string, MiniTensor>> infos;
    for (uint64_t i = 0; i < n_tensors; ++i) {
        std::pair<std::string, MiniTensor> ti;
        ti.first = c.str();
        const uint32_t n_dims = c.get<uint32_t>();
        for (uint32_t d = 0; d < n_dims; ++d) ti.second.dims.push_back(c.get<uint64_t>());
        ti.second.type = c.get<uint32_t>();
        ti.second.offset = c.get<uint64_t>();
        infos.push_back(ti);
    }
    const uint64_t data = (c.pos() + alignment - 1) / alignment * alignment;
    for (auto& [name, t] : infos) {
        t.offset += data;
        g.tensors[name] = t;
    }
    return g;
}

std::string shared_model(const char* file) { return std::string(AKUNU_SHARED_DIR) + "/models/" + file; }

bool exists(const std::string& path) { return std::ifstream(path, std::ios::binary).good(); }

void check_file(const char* quantized_file, DType want_type) {
    const std::string f32_path = shared_model("stories260K.gguf");
    const std::string q_path = shared_model(quantized_file);
    if (!exists(f32_path) || !exists(q_path)) GTEST_SKIP() << "shared models not found under " << AKUNU_SHARED_DIR;
    const MiniGguf src = read_gguf(f32_path);
    const MiniGguf quant = read_gguf(q_path);
    int compared = 0;
    for (const auto& [name, qt] : quant.tensors) {
        if (qt.type != static_cast<uint32_t>(want_type)) continue;
        const auto it = src.tensors.find(name);
        ASSERT_NE(it, src.tensors.end()) << name;
        const MiniTensor& ft = it->second;
        ASSERT_EQ(ft.type, 0u) << name;  // F32 source
        ASSERT_EQ(ft.dims, qt.dims) << name;
        uint64_t n = 1;
        for (uint64_t d : ft.dims) n *= d;
        const size_t q_bytes = dtype_row_bytes(want_type, (int64_t)n);
        ASSERT_LE(ft.offset + n * 4, src.bytes.size()) << name;
        ASSERT_LE(qt.offset + q_bytes, quant.bytes.size()) << name;

        std::vector<float> x(n);
        std::memcpy(x.data(), src.bytes.data() + ft.offset, n * 4);
        std::vector<uint8_t> ours(q_bytes);
        dtype_traits(want_type).quantize_row(x.data(), ours.data(), (int64_t)n);
        const uint8_t* theirs = quant.bytes.data() + qt.offset;
        size_t first_diff = q_bytes;
        for (size_t i = 0; i < q_bytes; ++i) {
            if (ours[i] != theirs[i]) {
                first_diff = i;
                break;
            }
        }
        EXPECT_EQ(first_diff, q_bytes) << name << ": first differing byte " << first_diff << " of " << q_bytes
                                       << " (block " << first_diff / dtype_traits(want_type).block_bytes << ")";

        // And the file's blocks dequantize to within the per-block step of the F32 values.
        std::vector<float> y(n);
        dtype_traits(want_type).dequantize_row(theirs, y.data(), (int64_t)n);
        double err = 0, ref = 0;
        for (size_t i = 0; i < n; ++i) {
            err += ((double)y[i] - x[i]) * ((double)y[i] - x[i]);
            ref += (double)x[i] * x[i];
        }
        EXPECT_LT(std::sqrt(err / ref), want_type == DType::Q8_0 ? 0.01 : 0.15) << name;
        ++compared;
    }
    // token_embd, output and 6 matrices x 5 blocks
    EXPECT_EQ(compared, 32) << quantized_file;
    std::printf("  %s: %d %s tensors byte-identical to llama-quantize's\n", quantized_file, compared,
                dtype_name(want_type));
}

TEST(DTypeLlamaQuantize, Q8_0MatchesByteForByte) { check_file("stories260K-Q8_0.gguf", DType::Q8_0); }

TEST(DTypeLlamaQuantize, Q4_0MatchesByteForByte) { check_file("stories260K-Q4_0.gguf", DType::Q4_0); }

}  // namespace
