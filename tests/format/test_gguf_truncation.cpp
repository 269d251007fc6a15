// Real files cut short, and real files with corrupted header bytes: every cut must throw an
// akunu::Error (never crash or read out of bounds), and corruption must either parse or throw.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "core/error.h"
#include "format/gguf_file.h"

namespace akunu {
namespace {

const std::string kShared = AKUNU_SHARED_DIR;

std::vector<uint8_t> read_all(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Parses the first `len` bytes of `bytes` from an exact-size copy (so ASan sees any overread).
void expect_truncation_fails(const std::vector<uint8_t>& bytes, size_t len) {
    const std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + static_cast<ptrdiff_t>(len));
    const std::string name = "cut-at-" + std::to_string(len) + ".gguf";
    try {
        GgufFile::from_memory(cut.data(), cut.size(), name);
        ADD_FAILURE() << "truncation at " << len << " of " << bytes.size() << " parsed";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Format) << e.what();
        EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << e.what();
    }
}

TEST(GgufTruncation, Stories260KEveryHeaderByteAndSampledData) {
    const std::vector<uint8_t> bytes = read_all(kShared + "/models/stories260K.gguf");
    auto whole = GgufFile::from_memory(bytes.data(), bytes.size(), "whole.gguf");
    const uint64_t data_offset = whole->data_offset();
    // The last tensor ends exactly at the end of the file, so every shorter prefix lacks data.
    const GgufTensorInfo& last = whole->tensors().back();
    ASSERT_EQ(data_offset + last.offset + last.n_bytes, bytes.size());

    // Every length through the header, metadata, tensor infos and padding.
    for (size_t len = 0; len <= data_offset; ++len) expect_truncation_fails(bytes, len);
    // Sampled through the tensor data, plus every one of the last 64 bytes.
    for (size_t len = data_offset + 1; len < bytes.size(); len += 4093) expect_truncation_fails(bytes, len);
    for (size_t len = bytes.size() - 64; len < bytes.size(); ++len) expect_truncation_fails(bytes, len);
}

TEST(GgufTruncation, Q8_0Sampled) {
    const std::vector<uint8_t> bytes = read_all(kShared + "/models/stories260K-Q8_0.gguf");
    auto whole = GgufFile::from_memory(bytes.data(), bytes.size(), "whole.gguf");
    // Quantized rows are not multiples of 32 bytes, so the file ends in padding after the last
    // tensor; cutting into that padding loses nothing. Every cut before the data ends must fail.
    uint64_t data_end = 0;
    for (const GgufTensorInfo& t : whole->tensors()) data_end = std::max(data_end, whole->data_offset() + t.offset + t.n_bytes);
    ASSERT_LE(data_end, bytes.size());
    ASSERT_GT(data_end + 32, bytes.size());
    for (size_t len = 0; len < data_end; len += (len < whole->data_offset() ? 7 : 2003)) {
        expect_truncation_fails(bytes, len);
    }
    expect_truncation_fails(bytes, data_end - 1);
    GgufFile::from_memory(bytes.data(), data_end, "trailing-padding-cut.gguf");
}

TEST(GgufTruncation, VocabOnlyFileSampled) {
    // No tensors: the file ends with the last metadata value, so every shorter prefix is cut inside it.
    const std::vector<uint8_t> bytes = read_all(kShared + "/testdata/vocab/ggml-vocab-llama-spm.gguf");
    GgufFile::from_memory(bytes.data(), bytes.size(), "whole.gguf");
    for (size_t len = 0; len < 4096; ++len) expect_truncation_fails(bytes, len);
    for (size_t len = 4096; len < bytes.size(); len += 9973) expect_truncation_fails(bytes, len);
    expect_truncation_fails(bytes, bytes.size() - 1);
}

TEST(GgufTruncation, CorruptedHeaderBytesParseOrThrow) {
    const std::vector<uint8_t> bytes = read_all(kShared + "/models/stories260K.gguf");
    auto whole = GgufFile::from_memory(bytes.data(), bytes.size(), "whole.gguf");
    const size_t header_end = whole->data_offset();
    std::mt19937 rng(1234);
    int parsed = 0, rejected = 0;
    for (int trial = 0; trial < 1500; ++trial) {
        std::vector<uint8_t> corrupt = bytes;
        const int flips = 1 + static_cast<int>(rng() % 4);
        for (int k = 0; k < flips; ++k) {
            corrupt[rng() % header_end] = static_cast<uint8_t>(rng());
        }
        try {
            auto f = GgufFile::from_memory(corrupt.data(), corrupt.size(), "corrupt.gguf");
            // Whatever parsed must be self-consistent and inside the image.
            for (const GgufTensorInfo& t : f->tensors()) {
                ASSERT_LE(f->data_offset() + t.offset + t.n_bytes, corrupt.size());
                ASSERT_EQ(t.data, f->tensors()[0].data - f->tensors()[0].offset + t.offset);
            }
            ++parsed;
        } catch (const Error& e) {
            EXPECT_NE(std::string(e.what()).find("corrupt.gguf"), std::string::npos) << e.what();
            ++rejected;
        }
    }
    EXPECT_GT(parsed, 0);    // flips inside float payloads or names are harmless
    EXPECT_GT(rejected, 0);
}

}  // namespace
}  // namespace akunu
