// The safetensors reader on well-formed files: shapes, dtypes, data views, the order of data,
// __metadata__, scalars and empty tensors, the mapped-file path.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>

#include "core/error.h"
#include "format/safetensors_file.h"
#include "format/safetensors_image.h"

namespace akunu {
namespace {

using st_image::entry;
using st_image::f32_bytes;
using st_image::header;
using st_image::image;

std::unique_ptr<SafetensorsFile> parse(const std::vector<uint8_t>& bytes, const std::string& name = "t.safetensors") {
    return SafetensorsFile::from_memory(bytes.data(), bytes.size(), name);
}

float f32_at(const SafetensorsTensor& t, size_t i) {
    float v;
    std::memcpy(&v, t.data + 4 * i, 4);
    return v;
}

TEST(Safetensors, OneMatrix) {
    const auto f = parse(image(header({entry("w", "F32", "[2, 3]", 0, 24)}), f32_bytes({1, 2, 3, 4, 5, 6})));
    ASSERT_EQ(f->tensors().size(), 1u);
    const SafetensorsTensor* t = f->find("w");
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(t->dtype, StDType::F32);
    EXPECT_EQ(t->shape, (std::vector<int64_t>{2, 3}));
    EXPECT_EQ(t->n_elements, 6u);
    EXPECT_EQ(t->n_bytes, 24u);
    for (size_t i = 0; i < 6; ++i) EXPECT_EQ(f32_at(*t, i), (float)(i + 1));
    EXPECT_EQ(f->find("missing"), nullptr);
}

TEST(Safetensors, TensorsComeInDataOrderWhateverTheHeaderOrder) {
    // "a" is stored after "b"; the header (a JSON object) lists "a" first.
    const std::string text =
        header({entry("a", "F32", "[1]", 8, 12), entry("b", "F16", "[4]", 0, 8), "\"__metadata__\": {\"format\": \"pt\"}"});
    std::vector<uint8_t> data(12, 0);
    const float a = 7.5f;
    std::memcpy(data.data() + 8, &a, 4);
    const auto f = parse(image(text, data));
    ASSERT_EQ(f->tensors().size(), 2u);  // __metadata__ is not a tensor
    EXPECT_EQ(f->tensors()[0].name, "b");
    EXPECT_EQ(f->tensors()[1].name, "a");
    EXPECT_EQ(f->find("b")->dtype, StDType::F16);
    EXPECT_EQ(f32_at(*f->find("a"), 0), 7.5f);
}

TEST(Safetensors, ScalarsEmptyTensorsAndHeaderPadding) {
    // A scalar has shape [] and one element; a [0, 5] tensor has no bytes. Writers pad the
    // header with spaces up to a multiple of 8.
    const std::string text = header({entry("s", "F32", "[]", 0, 4), entry("e", "BF16", "[0, 5]", 4, 4)}) + "   ";
    const auto f = parse(image(text, f32_bytes({3.0f})));
    EXPECT_EQ(f->find("s")->n_elements, 1u);
    EXPECT_TRUE(f->find("s")->shape.empty());
    EXPECT_EQ(f->find("e")->n_bytes, 0u);
    EXPECT_EQ(f->find("e")->shape, (std::vector<int64_t>{0, 5}));
}

TEST(Safetensors, EmptyTensorsMayShareAnOffsetWithAnyNeighbour) {
    // "a" (empty) sorts after "0" (8 bytes at the same offset) in the header, "z" sits at the end.
    const auto f = parse(image(header({entry("0", "F32", "[2]", 0, 8), entry("a", "F32", "[0]", 0, 0),
                                       entry("z", "I8", "[0, 3]", 8, 8)}),
                               f32_bytes({1, 2})));
    ASSERT_EQ(f->tensors().size(), 3u);
    EXPECT_EQ(f->tensors()[0].name, "a");
    EXPECT_EQ(f->tensors()[1].name, "0");
    EXPECT_EQ(f->tensors()[2].name, "z");
}

TEST(Safetensors, EveryDtypeHasItsSize) {
    const std::pair<const char*, size_t> types[] = {{"BOOL", 1}, {"U8", 1},  {"I8", 1},   {"F8_E5M2", 1}, {"F8_E4M3", 1},
                                                    {"I16", 2},  {"U16", 2}, {"F16", 2},  {"BF16", 2},    {"I32", 4},
                                                    {"U32", 4},  {"F32", 4}, {"I64", 8},  {"U64", 8},     {"F64", 8}};
    for (const auto& [name, size] : types) {
        SCOPED_TRACE(name);
        const auto f = parse(image(header({entry("x", name, "[3]", 0, 3 * size)}), std::vector<uint8_t>(3 * size)));
        EXPECT_STREQ(st_dtype_name(f->find("x")->dtype), name);
        EXPECT_EQ(st_dtype_size(f->find("x")->dtype), size);
    }
}

TEST(Safetensors, OpensAMappedFile) {
    char path[] = "/tmp/akunu-st-test-XXXXXX";
    const int fd = mkstemp(path);
    ASSERT_GE(fd, 0);
    close(fd);
    const std::vector<uint8_t> bytes = image(header({entry("w", "F32", "[2]", 0, 8)}), f32_bytes({-1.0f, 2.5f}));
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), (std::streamsize)bytes.size());
    const auto f = SafetensorsFile::open(path);
    std::remove(path);
    EXPECT_EQ(f->name(), path);
    EXPECT_EQ(f32_at(*f->find("w"), 1), 2.5f);
}

TEST(Safetensors, MissingFileIsAnIoErrorNamingIt) {
    try {
        SafetensorsFile::open("/nonexistent/dir/model.safetensors");
        FAIL() << "opened a missing file";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Io);
        EXPECT_NE(std::string(e.what()).find("/nonexistent/dir/model.safetensors"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace akunu
