// The safetensors reader on malformed input: every corruption is a Format error naming the file
// (and the tensor where there is one) with what is wrong; truncations and random header bytes
// never crash (these run under ASan + UBSan).
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "core/error.h"
#include "format/safetensors_file.h"
#include "format/safetensors_image.h"

namespace akunu {
namespace {

using st_image::entry;
using st_image::f32_bytes;
using st_image::header;
using st_image::image;

const std::string kName = "bad.safetensors";

// Parses from an exact-size copy (so ASan sees any overread) and expects a Format error whose
// message names the file and contains each of `parts`.
void expect_format_error(const std::vector<uint8_t>& bytes, const std::vector<std::string>& parts) {
    const std::vector<uint8_t> copy(bytes);
    try {
        SafetensorsFile::from_memory(copy.data(), copy.size(), kName);
        ADD_FAILURE() << "parsed";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Format) << e.what();
        const std::string msg = e.what();
        EXPECT_NE(msg.find(kName), std::string::npos) << msg;
        for (const std::string& p : parts) EXPECT_NE(msg.find(p), std::string::npos) << "no '" << p << "' in: " << msg;
    }
}

void expect_header_error(const std::string& text, const std::vector<uint8_t>& data,
                         const std::vector<std::string>& parts) {
    SCOPED_TRACE(text);
    expect_format_error(image(text, data), parts);
}

const std::vector<uint8_t> kSix = f32_bytes({1, 2, 3, 4, 5, 6});

TEST(SafetensorsInvalid, TooShortForTheLength) {
    for (size_t n = 0; n < 8; ++n) expect_format_error(std::vector<uint8_t>(n, 0), {"too short"});
}

TEST(SafetensorsInvalid, HeaderLengths) {
    const std::string h = header({entry("w", "F32", "[6]", 0, 24)});
    expect_format_error(image(h, kSix, h.size() + 1000), {"runs past the end"});
    expect_format_error(image(h, kSix, kSafetensorsMaxHeader + 1), {"exceeds"});
    expect_format_error(image(h, kSix, UINT64_MAX), {"exceeds"});
    // Shorter than the JSON: the header is cut mid-object.
    expect_format_error(image(h, kSix, h.size() - 3), {"not valid JSON"});
    expect_format_error(image("", {}, 0), {"not valid JSON"});
}

TEST(SafetensorsInvalid, HeaderIsNotAnObjectOfObjects) {
    expect_header_error("{not json", {}, {"not valid JSON"});
    expect_header_error("[1, 2]", {}, {"must be a JSON object"});
    expect_header_error("\"text\"", {}, {"must be a JSON object"});
    expect_header_error("{\"w\": 5}", {}, {"tensor 'w'", "must be an object"});
    expect_header_error("{\"\": {\"dtype\": \"F32\", \"shape\": [], \"data_offsets\": [0, 4]}}", f32_bytes({1}),
                        {"empty name"});
}

TEST(SafetensorsInvalid, DeeplyNestedJsonFailsWithoutRecursing) {
    const size_t depth = 200000;
    expect_header_error(std::string(depth, '[') + std::string(depth, ']'), {}, {"must be a JSON object"});
    expect_header_error("{\"w\": " + std::string(depth, '[') + std::string(depth, ']') + "}", {},
                        {"tensor 'w'", "must be an object"});
    expect_header_error("{\"w\": " + std::string(depth, '['), {}, {"not valid JSON"});
}

TEST(SafetensorsInvalid, Dtype) {
    expect_header_error("{\"w\": {\"shape\": [6], \"data_offsets\": [0, 24]}}", kSix, {"tensor 'w'", "dtype"});
    expect_header_error("{\"w\": {\"dtype\": 4, \"shape\": [6], \"data_offsets\": [0, 24]}}", kSix, {"tensor 'w'", "dtype"});
    expect_header_error(header({entry("w", "F31", "[6]", 0, 24)}), kSix, {"tensor 'w'", "unknown dtype 'F31'"});
    expect_header_error(header({entry("w", "f32", "[6]", 0, 24)}), kSix, {"unknown dtype 'f32'"});
}

TEST(SafetensorsInvalid, Shape) {
    expect_header_error("{\"w\": {\"dtype\": \"F32\", \"data_offsets\": [0, 24]}}", kSix, {"tensor 'w'", "shape"});
    expect_header_error(header({entry("w", "F32", "6", 0, 24)}), kSix, {"tensor 'w'", "shape"});
    expect_header_error(header({entry("w", "F32", "[-6]", 0, 24)}), kSix, {"shape[0]", "non-negative integer"});
    expect_header_error(header({entry("w", "F32", "[2, 3.0]", 0, 24)}), kSix, {"shape[1]", "non-negative integer"});
    expect_header_error(header({entry("w", "F32", "[\"6\"]", 0, 24)}), kSix, {"shape[0]"});
    expect_header_error(header({entry("w", "F32", "[6, null]", 0, 24)}), kSix, {"shape[1]"});
    // Products past 2^64 elements or bytes, and dimensions past int64.
    expect_header_error(header({entry("w", "F32", "[4294967296, 4294967296]", 0, 24)}), kSix, {"overflows"});
    expect_header_error(header({entry("w", "F32", "[4611686018427387904, 2]", 0, 24)}), kSix, {"overflows"});
    expect_header_error(header({entry("w", "F32", "[18446744073709551615]", 0, 24)}), kSix, {"overflows"});
    expect_header_error(header({entry("w", "U8", "[9223372036854775808]", 0, 24)}), kSix, {"overflows"});
    // A shape that needs more bytes than the file could hold.
    expect_header_error(header({entry("w", "F32", "[1000000000000]", 0, 24)}), kSix, {"needs 4000000000000"});
}

TEST(SafetensorsInvalid, DataOffsets) {
    const auto with = [](const std::string& offsets) {
        return "{\"w\": {\"dtype\": \"F32\", \"shape\": [6], \"data_offsets\": " + offsets + "}}";
    };
    expect_header_error("{\"w\": {\"dtype\": \"F32\", \"shape\": [6]}}", kSix, {"tensor 'w'", "data_offsets"});
    expect_header_error(with("[0]"), kSix, {"data_offsets"});
    expect_header_error(with("[0, 24, 48]"), kSix, {"data_offsets"});
    expect_header_error(with("{\"a\": 1}"), kSix, {"data_offsets"});
    expect_header_error(with("[-1, 23]"), kSix, {"data_offsets[0]", "non-negative integer"});
    expect_header_error(with("[0, 2.4e1]"), kSix, {"data_offsets[1]", "non-negative integer"});
    expect_header_error(with("[24, 0]"), kSix, {"[24, 0]", "outside the data section"});
    expect_header_error(with("[0, 28]"), kSix, {"outside the data section of 24 bytes"});
    expect_header_error(with("[18446744073709551615, 18446744073709551615]"), kSix, {"outside the data section"});
    expect_header_error(with("[0, 20]"), kSix, {"hold 20 bytes", "needs 24"});
}

TEST(SafetensorsInvalid, TensorsMustTileTheDataSection) {
    // Overlap: b starts inside a.
    expect_header_error(header({entry("a", "F32", "[4]", 0, 16), entry("b", "F32", "[2]", 8, 16)}),
                        std::vector<uint8_t>(16), {"overlap tensor 'a'"});
    // Gap: bytes 8..12 belong to nothing.
    expect_header_error(header({entry("a", "F32", "[2]", 0, 8), entry("b", "F32", "[3]", 12, 24)}), kSix,
                        {"tensor 'b'", "unused"});
    // Not starting at 0.
    expect_header_error(header({entry("a", "F32", "[5]", 4, 24)}), kSix, {"tensor 'a'", "unused"});
    // Trailing bytes after the last tensor (or a header that promises less than is there).
    expect_header_error(header({entry("a", "F32", "[5]", 0, 20)}), kSix, {"cover 20 bytes", "24"});
    expect_header_error("{}", kSix, {"cover 0 bytes"});
}

TEST(SafetensorsInvalid, DuplicateTensorName) {
    expect_header_error(header({entry("a", "F32", "[3]", 0, 12), entry("a", "F32", "[3]", 12, 24)}), kSix,
                        {"names 'a' twice"});
}

TEST(SafetensorsInvalid, EveryTruncationFails) {
    const std::string h = header(
        {entry("a", "F32", "[2, 2]", 0, 16), entry("b", "BF16", "[4]", 16, 24), "\"__metadata__\": {\"format\": \"pt\"}"});
    const std::vector<uint8_t> whole = image(h, kSix);
    SafetensorsFile::from_memory(whole.data(), whole.size(), kName);  // the uncut file is valid
    for (size_t len = 0; len < whole.size(); ++len) {
        SCOPED_TRACE(len);
        expect_format_error(std::vector<uint8_t>(whole.begin(), whole.begin() + (ptrdiff_t)len), {});
    }
}

TEST(SafetensorsInvalid, RandomHeaderBytesParseOrFailCleanly) {
    const std::string h = header({entry("a", "F32", "[2, 2]", 0, 16), entry("b", "F16", "[4]", 16, 24)});
    const std::vector<uint8_t> whole = image(h, kSix);
    std::mt19937 rng(1234);
    size_t parsed = 0;
    for (int round = 0; round < 4000; ++round) {
        std::vector<uint8_t> bytes = whole;
        const int flips = 1 + (int)(rng() % 3);
        for (int i = 0; i < flips; ++i) bytes[rng() % (8 + h.size())] = (uint8_t)rng();
        try {
            const auto f = SafetensorsFile::from_memory(bytes.data(), bytes.size(), kName);
            // Whatever parsed must describe bytes inside the file: read them all (ASan checks).
            uint64_t total = 0;
            unsigned sum = 0;
            for (const SafetensorsTensor& t : f->tensors()) {
                total += t.n_bytes;
                for (uint64_t i = 0; i < t.n_bytes; ++i) sum += t.data[i];
            }
            ASSERT_LE(total, bytes.size() - 8);
            (void)sum;
            ++parsed;
        } catch (const Error& e) {
            ASSERT_EQ(e.kind(), ErrorKind::Format) << e.what();
        }
    }
    EXPECT_LT(parsed, 4000u);  // the corruption did reach the parser's checks
}

}  // namespace
}  // namespace akunu
