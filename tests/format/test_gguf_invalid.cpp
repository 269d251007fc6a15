// Malformed GGUF images, one per class of defect, built byte by byte. Each must fail with the
// right akunu::Error kind and a message naming the file and the key or tensor at fault.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "core/error.h"
#include "format/gguf_file.h"

namespace akunu {
namespace {

// Little-endian GGUF bytes, appended field by field.
class Bytes {
public:
    Bytes& u8(uint8_t v) { return raw(&v, 1); }
    Bytes& u32(uint32_t v) { return raw(&v, 4); }
    Bytes& u64(uint64_t v) { return raw(&v, 8); }
    Bytes& f32(float v) { return raw(&v, 4); }
    Bytes& str(const std::string& s) {
        u64(s.size());
        return raw(s.data(), s.size());
    }
    Bytes& raw(const void* p, size_t n) {
        const auto* c = static_cast<const uint8_t*>(p);
        b_.insert(b_.end(), c, c + n);
        return *this;
    }
    Bytes& header(uint64_t n_tensors, uint64_t n_kv, uint32_t version = 3) {
        raw("GGUF", 4);
        u32(version);
        u64(n_tensors);
        return u64(n_kv);
    }
    Bytes& kv_u32(const std::string& key, uint32_t v) { return str(key).u32(4).u32(v); }
    // A tensor info: name, dims (ggml order), type id, offset.
    Bytes& tensor(const std::string& name, const std::vector<uint64_t>& ne, uint32_t type, uint64_t offset) {
        str(name).u32(static_cast<uint32_t>(ne.size()));
        for (uint64_t n : ne) u64(n);
        return u32(type).u64(offset);
    }
    Bytes& pad(size_t alignment = 32) {
        while (b_.size() % alignment != 0) b_.push_back(0);
        return *this;
    }
    Bytes& zeros(size_t n) {
        b_.insert(b_.end(), n, 0);
        return *this;
    }
    const std::vector<uint8_t>& bytes() const { return b_; }

private:
    std::vector<uint8_t> b_;
};

constexpr uint32_t kF32 = 0;
constexpr uint32_t kQ8_0 = 8;
constexpr uint32_t kArray = 9;
constexpr uint32_t kString = 8;
constexpr uint32_t kBool = 7;

// Parses `b` under the name `file` and expects an Error of `kind` naming the file and each of `parts`.
void expect_bad(const Bytes& b, const std::string& file, ErrorKind kind, const std::vector<std::string>& parts) {
    try {
        GgufFile::from_memory(b.bytes().data(), b.bytes().size(), file);
        ADD_FAILURE() << file << ": parsed without error";
    } catch (const Error& e) {
        const std::string msg = e.what();
        EXPECT_EQ(e.kind(), kind) << msg;
        EXPECT_NE(msg.find(file), std::string::npos) << msg << " lacks the file name";
        for (const std::string& p : parts) EXPECT_NE(msg.find(p), std::string::npos) << msg << " lacks " << p;
    }
}

TEST(GgufInvalid, ValidBaselineParses) {
    // The shape that the cases below break one field of.
    Bytes b;
    b.header(2, 1).kv_u32("general.alignment", 32);
    b.tensor("w", {8, 2}, kF32, 0).tensor("n", {8}, kF32, 64).pad().zeros(96);
    auto f = GgufFile::from_memory(b.bytes().data(), b.bytes().size(), "baseline.gguf");
    EXPECT_EQ(f->tensors().size(), 2u);
    EXPECT_EQ(f->tensor("n").n_bytes, 32u);
}

TEST(GgufInvalid, WrongMagic) {
    Bytes b;
    b.raw("GGML", 4).u32(3).u64(0).u64(0);
    expect_bad(b, "magic.gguf", ErrorKind::Format, {"magic"});
}

TEST(GgufInvalid, UnsupportedVersions) {
    Bytes v1;
    v1.raw("GGUF", 4).u32(1).u32(0).u32(0).zeros(8);
    expect_bad(v1, "v1.gguf", ErrorKind::Unsupported, {"version 1"});
    Bytes v4;
    v4.header(0, 0, 4);
    expect_bad(v4, "v4.gguf", ErrorKind::Unsupported, {"version 4"});
    Bytes big_endian;
    big_endian.raw("GGUF", 4).u32(0x03000000).zeros(16);
    expect_bad(big_endian, "be.gguf", ErrorKind::Unsupported, {"big-endian"});
    Bytes v2;  // version 2 has the same layout as 3 and is accepted
    v2.header(0, 1, 2).kv_u32("a", 1);
    EXPECT_EQ(GgufFile::from_memory(v2.bytes().data(), v2.bytes().size(), "v2.gguf")->version(), 2u);
}

TEST(GgufInvalid, TruncatedHeader) {
    Bytes b;
    b.raw("GGUF", 4).u32(3).u64(0);
    expect_bad(b, "short-header.gguf", ErrorKind::Format, {"header", "truncated"});
    Bytes tiny;
    tiny.raw("GG", 2);
    expect_bad(tiny, "tiny.gguf", ErrorKind::Format, {"truncated"});
}

TEST(GgufInvalid, EmptyImage) {
    Bytes b;
    expect_bad(b, "empty.gguf", ErrorKind::Format, {"empty"});
}

TEST(GgufInvalid, KeyLengthPastEnd) {
    Bytes b;
    b.header(0, 1).u64(1000).raw("abc", 3).zeros(16);
    expect_bad(b, "keylen.gguf", ErrorKind::Format, {"metadata entry #0", "past the end"});
}

TEST(GgufInvalid, StringValueLengthPastEnd) {
    Bytes b;
    b.header(0, 1).str("general.name").u32(kString).u64(~0ull).raw("x", 1);
    expect_bad(b, "strlen.gguf", ErrorKind::Format, {"general.name", "past the end"});
}

TEST(GgufInvalid, ArrayCountPastEnd) {
    Bytes b;
    b.header(0, 1).str("tokenizer.ggml.scores").u32(kArray).u32(6).u64(1000).zeros(40);
    expect_bad(b, "arraylen.gguf", ErrorKind::Format, {"tokenizer.ggml.scores", "past the end"});
}

TEST(GgufInvalid, ArrayCountWhoseByteSizeOverflows) {
    // 2^62 float64s is 2^65 bytes: the bound must not overflow or try to reserve it.
    Bytes b;
    b.header(0, 1).str("huge").u32(kArray).u32(12).u64(1ull << 62).zeros(64);
    expect_bad(b, "arrayoverflow.gguf", ErrorKind::Format, {"huge", "past the end"});
    Bytes s;  // strings: each element is at least its 8-byte length
    s.header(0, 1).str("strings").u32(kArray).u32(kString).u64(~0ull).zeros(64);
    expect_bad(s, "arraystrings.gguf", ErrorKind::Format, {"strings"});
}

TEST(GgufInvalid, StringInArrayPastEnd) {
    Bytes b;
    b.header(0, 1).str("tokenizer.ggml.tokens").u32(kArray).u32(kString).u64(2).str("ok").u64(99).raw("no", 2);
    expect_bad(b, "arraystr.gguf", ErrorKind::Format, {"tokenizer.ggml.tokens", "past the end"});
}

TEST(GgufInvalid, AbsurdCountsDoNotAllocate) {
    Bytes kv;
    kv.header(0, ~0ull).zeros(64);
    expect_bad(kv, "kvcount.gguf", ErrorKind::Format, {"metadata count"});
    Bytes tensors;
    tensors.header(1ull << 60, 0).zeros(64);
    expect_bad(tensors, "tensorcount.gguf", ErrorKind::Format, {"tensor count"});
}

TEST(GgufInvalid, TooManyDims) {
    Bytes b;
    b.header(1, 0).tensor("blk.0.five_d", {1, 1, 1, 1, 1}, kF32, 0).pad().zeros(32);
    expect_bad(b, "dims.gguf", ErrorKind::Format, {"blk.0.five_d", "n_dims 5"});
    Bytes z;
    z.header(1, 0).str("no_dims").u32(0).u32(kF32).u64(0).pad().zeros(32);
    expect_bad(z, "nodims.gguf", ErrorKind::Format, {"no_dims", "n_dims 0"});
}

TEST(GgufInvalid, ZeroDim) {
    Bytes b;
    b.header(1, 0).tensor("empty_rows", {8, 0}, kF32, 0).pad().zeros(32);
    expect_bad(b, "zerodim.gguf", ErrorKind::Format, {"empty_rows", "dimension 1 is 0"});
}

TEST(GgufInvalid, NegativeDim) {
    Bytes b;
    b.header(1, 0).tensor("negative", {8, ~0ull}, kF32, 0).pad().zeros(32);
    expect_bad(b, "negdim.gguf", ErrorKind::Format, {"negative", "dimension 1"});
}

TEST(GgufInvalid, ElementCountOverflows) {
    Bytes b;
    b.header(1, 0).tensor("overflowing", {1ull << 32, 1ull << 32}, kF32, 0).pad().zeros(32);
    expect_bad(b, "overflow.gguf", ErrorKind::Format, {"overflowing", "overflow"});
    // Fits in int64 elements but not in bytes: 2^62 F32 elements are 2^64 bytes.
    Bytes bytes;
    bytes.header(1, 0).tensor("too_many_bytes", {1ull << 31, 1ull << 31}, kF32, 0).pad().zeros(32);
    expect_bad(bytes, "byteoverflow.gguf", ErrorKind::Format, {"too_many_bytes", "overflow"});
}

TEST(GgufInvalid, TensorDataOutOfBounds) {
    Bytes b;
    b.header(1, 0).tensor("blk.0.attn_q.weight", {8, 8}, kF32, 0).pad().zeros(255);  // needs 256
    expect_bad(b, "oob.gguf", ErrorKind::Format, {"blk.0.attn_q.weight", "past the end"});
    Bytes far;
    far.header(1, 0).tensor("far", {8}, kF32, 1ull << 40).pad().zeros(32);
    expect_bad(far, "far.gguf", ErrorKind::Format, {"far", "past the end"});
    Bytes wrap;  // offset + size wraps around 2^64
    wrap.header(1, 0).tensor("wrap", {8}, kF32, ~0ull - 31).pad().zeros(32);
    expect_bad(wrap, "wrap.gguf", ErrorKind::Format, {"wrap"});
}

TEST(GgufInvalid, MisalignedTensorOffset) {
    Bytes b;
    b.header(1, 0).tensor("misaligned", {8}, kF32, 4).pad().zeros(64);
    expect_bad(b, "misaligned.gguf", ErrorKind::Format, {"misaligned", "offset 4", "alignment 32"});
}

TEST(GgufInvalid, OverlappingTensors) {
    Bytes b;
    b.header(2, 0).tensor("first", {16}, kF32, 0).tensor("second", {8}, kF32, 32).pad().zeros(96);
    expect_bad(b, "overlap.gguf", ErrorKind::Format, {"first", "second", "overlaps"});
    Bytes same;  // listed in reverse offset order: still found
    same.header(2, 0).tensor("b", {8}, kF32, 32).tensor("a", {16}, kF32, 0).pad().zeros(96);
    expect_bad(same, "overlap2.gguf", ErrorKind::Format, {"'a'", "'b'", "overlaps"});
}

TEST(GgufInvalid, UnknownTensorType) {
    Bytes b;
    b.header(1, 0).tensor("blk.0.ffn_up.weight", {32}, 99, 0).pad().zeros(64);
    expect_bad(b, "type.gguf", ErrorKind::Unsupported, {"blk.0.ffn_up.weight", "99"});
}

TEST(GgufInvalid, RowNotMultipleOfBlockSize) {
    Bytes b;
    b.header(1, 0).tensor("blk.0.ffn_down.weight", {172, 2}, kQ8_0, 0).pad().zeros(512);
    expect_bad(b, "block.gguf", ErrorKind::Format, {"blk.0.ffn_down.weight", "172", "Q8_0", "32"});
}

TEST(GgufInvalid, DuplicateKey) {
    Bytes b;
    b.header(0, 2).kv_u32("llama.block_count", 5).kv_u32("llama.block_count", 6);
    expect_bad(b, "dupkey.gguf", ErrorKind::Format, {"llama.block_count", "duplicate"});
}

TEST(GgufInvalid, DuplicateTensorName) {
    Bytes b;
    b.header(2, 0).tensor("twice", {8}, kF32, 0).tensor("twice", {8}, kF32, 32).pad().zeros(64);
    expect_bad(b, "duptensor.gguf", ErrorKind::Format, {"twice", "duplicate"});
}

TEST(GgufInvalid, BoolOtherThanZeroOrOne) {
    Bytes b;
    b.header(0, 1).str("tokenizer.ggml.add_bos_token").u32(kBool).u8(2);
    expect_bad(b, "bool.gguf", ErrorKind::Format, {"tokenizer.ggml.add_bos_token", "bool value 2"});
    Bytes arr;
    arr.header(0, 1).str("flags").u32(kArray).u32(kBool).u64(3).u8(0).u8(1).u8(255);
    expect_bad(arr, "boolarray.gguf", ErrorKind::Format, {"flags", "bool value 255"});
}

TEST(GgufInvalid, UnknownValueType) {
    Bytes b;
    b.header(0, 1).str("mystery").u32(13).u32(0);
    expect_bad(b, "valuetype.gguf", ErrorKind::Format, {"mystery", "13"});
    Bytes arr;
    arr.header(0, 1).str("mystery.array").u32(kArray).u32(77).u64(0);
    expect_bad(arr, "elemtype.gguf", ErrorKind::Format, {"mystery.array", "77"});
}

TEST(GgufInvalid, ArrayNestingTooDeep) {
    Bytes ok;  // 8 levels: the deepest allowed
    ok.header(0, 1).str("deep").u32(kArray);
    for (int k = 0; k < 7; ++k) ok.u32(kArray).u64(1);
    ok.u32(4).u64(1).u32(42);
    auto f = GgufFile::from_memory(ok.bytes().data(), ok.bytes().size(), "deep-ok.gguf");
    EXPECT_EQ(f->find("deep")->elems[0].elems[0].elems[0].elems[0].elems[0].elems[0].elems[0].elems[0].u, 42u);

    Bytes nine;
    nine.header(0, 1).str("deeper").u32(kArray);
    for (int k = 0; k < 8; ++k) nine.u32(kArray).u64(1);
    nine.u32(4).u64(1).u32(42);
    expect_bad(nine, "deep9.gguf", ErrorKind::Format, {"deeper", "nested deeper than 8"});

    // A hostile file nesting 100000 deep must fail cleanly, not overflow the stack.
    Bytes hostile;
    hostile.header(0, 1).str("abyss").u32(kArray);
    for (int k = 0; k < 100000; ++k) hostile.u32(kArray).u64(1);
    expect_bad(hostile, "abyss.gguf", ErrorKind::Format, {"abyss", "nested"});
}

TEST(GgufInvalid, AlignmentWrongType) {
    Bytes b;
    b.header(0, 1).str("general.alignment").u32(10).u64(32);
    expect_bad(b, "aligntype.gguf", ErrorKind::Format, {"general.alignment", "uint64"});
}

TEST(GgufInvalid, AlignmentNotPowerOfTwo) {
    Bytes b;
    b.header(0, 1).kv_u32("general.alignment", 48);
    expect_bad(b, "align48.gguf", ErrorKind::Format, {"general.alignment", "48", "power of two"});
    Bytes zero;
    zero.header(0, 1).kv_u32("general.alignment", 0);
    expect_bad(zero, "align0.gguf", ErrorKind::Format, {"general.alignment", "power of two"});
    // Powers of two below 8 would let f32 weights start at odd addresses.
    Bytes four;
    four.header(0, 1).kv_u32("general.alignment", 4);
    expect_bad(four, "align4.gguf", ErrorKind::Format, {"general.alignment", "4", "multiple of 8"});
}

TEST(GgufInvalid, CustomAlignmentIsHonoured) {
    // With alignment 64 the data section starts at 64 and offset 32 is misaligned.
    Bytes ok;
    ok.header(1, 1).kv_u32("general.alignment", 64).tensor("t", {8}, kF32, 64).pad(64).zeros(128);
    auto f = GgufFile::from_memory(ok.bytes().data(), ok.bytes().size(), "align64.gguf");
    EXPECT_EQ(f->alignment(), 64u);
    EXPECT_EQ(f->data_offset() % 64, 0u);
    Bytes bad;
    bad.header(1, 1).kv_u32("general.alignment", 64).tensor("t32", {8}, kF32, 32).pad(64).zeros(128);
    expect_bad(bad, "align64-bad.gguf", ErrorKind::Format, {"t32", "alignment 64"});
}

TEST(GgufInvalid, TruncatedTensorInfo) {
    Bytes b;
    b.header(1, 0).str("cut_tensor_with_a_long_name").u32(2).u64(8);  // second dim missing
    expect_bad(b, "cutinfo.gguf", ErrorKind::Format, {"cut_tensor_with_a_long_name", "truncated"});
}

}  // namespace
}  // namespace akunu
