// GgufWriter's lazily produced tensors: bytes handed over in pieces make the same file as the
// eager form, write() streams exactly what to_bytes() builds, and a producer that makes the wrong
// number of bytes (or fails) is an error that leaves no file behind.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "core/error.h"
#include "format/gguf_file.h"
#include "format/gguf_writer.h"

namespace akunu {
namespace {

std::vector<uint8_t> ramp(size_t n) {
    std::vector<uint8_t> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = (uint8_t)(i * 7 + 3);
    return v;
}

// F32 [5, 3]: 60 bytes, not a multiple of the 32-byte alignment, so padding follows it.
GgufWriter::TensorProducer in_pieces(std::vector<uint8_t> bytes, std::vector<size_t> pieces) {
    return [bytes, pieces](const GgufWriter::ByteEmitter& emit) {
        size_t at = 0;
        for (size_t n : pieces) {
            emit(bytes.data() + at, n);
            at += n;
        }
    };
}

std::string temp_path() {
    char path[] = "/tmp/akunu-lazy-XXXXXX";
    const int fd = mkstemp(path);
    if (fd >= 0) close(fd);
    std::remove(path);
    return path;
}

std::vector<uint8_t> read_all(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

bool exists(const std::string& path) { return access(path.c_str(), F_OK) == 0; }

TEST(GgufWriteLazy, SameFileAsEagerAndWriteStreamsToBytes) {
    const std::vector<uint8_t> a = ramp(60), b = ramp(8);
    GgufWriter eager, lazy;
    for (GgufWriter* w : {&eager, &lazy}) w->set_string("general.architecture", "llama");
    eager.add_tensor("a", DType::F32, {5, 3}, a);
    eager.add_tensor("b", DType::F16, {4}, b);
    lazy.add_tensor_lazy("a", DType::F32, {5, 3}, in_pieces(a, {1, 0, 40, 19}));
    lazy.add_tensor("b", DType::F16, {4}, b);
    const std::vector<uint8_t> bytes = lazy.to_bytes();
    EXPECT_EQ(bytes, eager.to_bytes());

    const std::string path = temp_path();
    lazy.write(path);
    EXPECT_EQ(read_all(path), bytes);
    const auto f = GgufFile::open(path);
    std::remove(path.c_str());
    EXPECT_EQ(std::vector<uint8_t>(f->tensor("a").data, f->tensor("a").data + 60), a);
}

void expect_internal(const GgufWriter& w, const std::string& part) {
    try {
        w.to_bytes();
        ADD_FAILURE() << "to_bytes succeeded";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Internal) << e.what();
        EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
    }
    const std::string path = temp_path();
    EXPECT_THROW(w.write(path), Error);
    EXPECT_FALSE(exists(path));
    EXPECT_FALSE(exists(path + ".tmp")) << "a failed write left its temporary file";
}

TEST(GgufWriteLazy, WrongByteCountsAreInternalErrors) {
    GgufWriter few;
    few.add_tensor_lazy("t", DType::F32, {5, 3}, in_pieces(ramp(60), {30, 29}));
    expect_internal(few, "made 59 bytes, expected 60");

    GgufWriter many;
    many.add_tensor_lazy("t", DType::F32, {5, 3}, in_pieces(ramp(64), {60, 4}));
    expect_internal(many, "more than its 60 bytes");
}

TEST(GgufWriteLazy, AFailingProducerLeavesNoFile) {
    GgufWriter w;
    w.add_tensor_lazy("t", DType::F32, {4}, [](const GgufWriter::ByteEmitter& emit) {
        const uint8_t half[8] = {};
        emit(half, sizeof half);
        fail(ErrorKind::Format, "test", "source tensor is corrupt");
    });
    const std::string path = temp_path();
    try {
        w.write(path);
        FAIL() << "write succeeded";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Format);
        EXPECT_NE(std::string(e.what()).find("source tensor is corrupt"), std::string::npos);
    }
    EXPECT_FALSE(exists(path));
    EXPECT_FALSE(exists(path + ".tmp"));
}

TEST(GgufWriteLazy, ShapesAreCheckedWhenAdded) {
    GgufWriter w;
    EXPECT_THROW(w.add_tensor_lazy("t", DType::F32, {4}, nullptr), Error);
    EXPECT_THROW(w.add_tensor_lazy("q", DType::Q8_0, {31}, in_pieces({}, {})), Error);
    w.add_tensor_lazy("t", DType::F32, {4}, in_pieces(ramp(16), {16}));
    EXPECT_THROW(w.add_tensor("t", DType::F32, {4}, ramp(16)), Error);  // duplicate name
}

}  // namespace
}  // namespace akunu
