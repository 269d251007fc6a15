// GgufWriter: round trips through GgufFile of every value type, tensors, alignment, and the
// writer's own argument checks.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>
#include <vector>

#include "core/error.h"
#include "format/gguf_file.h"
#include "format/gguf_writer.h"

namespace akunu {
namespace {

const std::string kShared = AKUNU_SHARED_DIR;

template <class Fn>
void expect_error(Fn fn, ErrorKind kind, const std::vector<std::string>& parts) {
    try {
        fn();
        ADD_FAILURE() << "no error thrown";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), kind) << e.what();
        for (const std::string& p : parts) EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << e.what() << " lacks " << p;
    }
}

GgufValue unsigned_value(GgufType type, uint64_t v) {
    GgufValue out;
    out.type = type;
    out.u = v;
    return out;
}

GgufValue signed_value(GgufType type, int64_t v) {
    GgufValue out;
    out.type = type;
    out.i = v;
    return out;
}

GgufValue float_value(GgufType type, double v) {
    GgufValue out;
    out.type = type;
    out.f = v;
    return out;
}

// Deep equality of two values, as the reader widens them.
void expect_same(const GgufValue& a, const GgufValue& b, const std::string& where) {
    ASSERT_EQ(a.type, b.type) << where;
    switch (a.type) {
        case GgufType::STRING: EXPECT_EQ(a.s, b.s) << where; break;
        case GgufType::FLOAT32: EXPECT_EQ(static_cast<float>(a.f), static_cast<float>(b.f)) << where; break;
        case GgufType::FLOAT64: EXPECT_EQ(a.f, b.f) << where; break;
        case GgufType::INT8:
        case GgufType::INT16:
        case GgufType::INT32:
        case GgufType::INT64: EXPECT_EQ(a.i, b.i) << where; break;
        case GgufType::ARRAY:
            EXPECT_EQ(a.elem_type, b.elem_type) << where;
            ASSERT_EQ(a.elems.size(), b.elems.size()) << where;
            for (size_t k = 0; k < a.elems.size(); ++k) expect_same(a.elems[k], b.elems[k], where + "[" + std::to_string(k) + "]");
            break;
        default: EXPECT_EQ(a.u, b.u) << where; break;
    }
}

std::vector<uint8_t> floats_to_bytes(const std::vector<float>& v) {
    std::vector<uint8_t> out(v.size() * sizeof(float));
    std::memcpy(out.data(), v.data(), out.size());
    return out;
}

std::vector<uint8_t> read_all(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string temp_path(const std::string& tag) {
    return ::testing::TempDir() + "/akunu_gguf_" + tag + "_" + std::to_string(::getpid()) + ".gguf";
}

// Nests `levels` arrays: [[[...[7]...]]].
GgufValue nested(int levels) {
    GgufValue v = GgufValue::make_array(GgufType::UINT32, {GgufValue::make_u32(7)});
    for (int k = 1; k < levels; ++k) v = GgufValue::make_array(GgufType::ARRAY, {v});
    return v;
}

TEST(GgufWrite, RoundTripsEveryValueType) {
    std::vector<GgufKV> kvs = {
        {"t.u8", unsigned_value(GgufType::UINT8, 255)},
        {"t.i8", signed_value(GgufType::INT8, -128)},
        {"t.u16", unsigned_value(GgufType::UINT16, 65535)},
        {"t.i16", signed_value(GgufType::INT16, -32768)},
        {"t.u32", GgufValue::make_u32(4000000000u)},
        {"t.i32", GgufValue::make_i32(-2000000000)},
        {"t.f32", GgufValue::make_f32(3.25f)},
        {"t.bool.true", GgufValue::make_bool(true)},
        {"t.bool.false", GgufValue::make_bool(false)},
        {"t.string", GgufValue::make_string("h\xC3\xA9llo \xE2\x96\x81world")},
        {"t.string.empty", GgufValue::make_string("")},
        {"t.string.nul", GgufValue::make_string(std::string("a\0b", 3))},
        {"t.u64", GgufValue::make_u64(std::numeric_limits<uint64_t>::max())},
        {"t.i64", signed_value(GgufType::INT64, std::numeric_limits<int64_t>::min())},
        {"t.f64", float_value(GgufType::FLOAT64, 1.0 / 3.0)},
        {"t.f32.inf", GgufValue::make_f32(std::numeric_limits<float>::infinity())},
        {"t.arr.u8", GgufValue::make_array(GgufType::UINT8, {unsigned_value(GgufType::UINT8, 0), unsigned_value(GgufType::UINT8, 200)})},
        {"t.arr.i8", GgufValue::make_array(GgufType::INT8, {signed_value(GgufType::INT8, -1)})},
        {"t.arr.u16", GgufValue::make_array(GgufType::UINT16, {unsigned_value(GgufType::UINT16, 1000)})},
        {"t.arr.i16", GgufValue::make_array(GgufType::INT16, {signed_value(GgufType::INT16, -1000)})},
        {"t.arr.u32", GgufValue::make_array(GgufType::UINT32, {GgufValue::make_u32(1), GgufValue::make_u32(2)})},
        {"t.arr.i32", GgufValue::make_array(GgufType::INT32, {GgufValue::make_i32(-5), GgufValue::make_i32(5)})},
        {"t.arr.f32", GgufValue::make_array(GgufType::FLOAT32, {GgufValue::make_f32(0.5f), GgufValue::make_f32(-2.0f)})},
        {"t.arr.bool", GgufValue::make_array(GgufType::BOOL, {GgufValue::make_bool(true), GgufValue::make_bool(false)})},
        {"t.arr.string", GgufValue::make_array(GgufType::STRING, {GgufValue::make_string("x"), GgufValue::make_string("")})},
        {"t.arr.u64", GgufValue::make_array(GgufType::UINT64, {GgufValue::make_u64(1ull << 40)})},
        {"t.arr.i64", GgufValue::make_array(GgufType::INT64, {signed_value(GgufType::INT64, -(1ll << 40))})},
        {"t.arr.f64", GgufValue::make_array(GgufType::FLOAT64, {float_value(GgufType::FLOAT64, 2.5e300)})},
        {"t.arr.empty", GgufValue::make_array(GgufType::STRING, {})},
        {"t.arr.nested",
         GgufValue::make_array(GgufType::ARRAY,
                               {GgufValue::make_array(GgufType::UINT32, {GgufValue::make_u32(1)}),
                                GgufValue::make_array(GgufType::STRING, {GgufValue::make_string("a"), GgufValue::make_string("b")}),
                                GgufValue::make_array(GgufType::ARRAY, {}),
                                GgufValue::make_array(GgufType::ARRAY, {GgufValue::make_array(GgufType::INT8, {})})})},
        {"t.arr.deepest", nested(kGgufMaxArrayDepth)},
    };
    GgufWriter w;
    for (const GgufKV& kv : kvs) w.set(kv.key, kv.value);
    const std::vector<uint8_t> bytes = w.to_bytes();
    auto f = GgufFile::from_memory(bytes.data(), bytes.size(), "roundtrip.gguf");
    EXPECT_EQ(f->version(), 3u);
    ASSERT_EQ(f->metadata().size(), kvs.size());
    for (size_t k = 0; k < kvs.size(); ++k) {
        EXPECT_EQ(f->metadata()[k].key, kvs[k].key);  // insertion order kept
        expect_same(f->metadata()[k].value, kvs[k].value, kvs[k].key);
    }
    EXPECT_TRUE(f->tensors().empty());
    EXPECT_EQ(bytes.size() % 32, 0u);  // padded to the alignment even without tensors

    // Typed getters over the round-tripped values.
    EXPECT_EQ(f->get_u32("t.u8"), 255u);
    EXPECT_EQ(f->get_u32("t.u16"), 65535u);
    EXPECT_EQ(f->get_u32("t.u32"), 4000000000u);
    EXPECT_EQ(f->get_u64("t.u64"), std::numeric_limits<uint64_t>::max());
    EXPECT_FLOAT_EQ(f->get_f32("t.f32"), 3.25f);
    EXPECT_FLOAT_EQ(f->get_f32("t.f64"), 1.0f / 3.0f);
    EXPECT_FLOAT_EQ(f->get_f32("t.u16"), 65535.0f);  // integers convert
    EXPECT_TRUE(f->get_bool_or("t.bool.true", false));
    EXPECT_FALSE(f->get_bool_or("t.bool.false", true));
    EXPECT_EQ(f->get_string("t.string"), "h\xC3\xA9llo \xE2\x96\x81world");
    EXPECT_EQ(f->get_string("t.string.nul"), std::string("a\0b", 3));
    EXPECT_EQ(f->get_string_array("t.arr.string"), (std::vector<std::string>{"x", ""}));
    EXPECT_TRUE(f->get_string_array("t.arr.empty").empty());
    EXPECT_EQ(f->get_i32_array("t.arr.i32"), (std::vector<int32_t>{-5, 5}));
    EXPECT_EQ(f->get_i32_array("t.arr.u8"), (std::vector<int32_t>{0, 200}));
    EXPECT_EQ(f->get_f32_array("t.arr.f32"), (std::vector<float>{0.5f, -2.0f}));
    EXPECT_EQ(f->get_f32_array("t.arr.i32"), (std::vector<float>{-5.0f, 5.0f}));

    // Integer getters refuse values that do not fit, naming key and actual type.
    expect_error([&] { f->get_u32("t.i8"); }, ErrorKind::Format, {"roundtrip.gguf", "t.i8", "-128", "int8"});
    expect_error([&] { f->get_u32("t.u64"); }, ErrorKind::Format, {"roundtrip.gguf", "t.u64", "uint64"});
    expect_error([&] { f->get_u64("t.i64"); }, ErrorKind::Format, {"roundtrip.gguf", "t.i64", "int64"});
    expect_error([&] { f->get_u32("t.f32"); }, ErrorKind::Format, {"roundtrip.gguf", "t.f32", "float32"});
    expect_error([&] { f->get_u32("t.bool.true"); }, ErrorKind::Format, {"roundtrip.gguf", "t.bool.true", "bool"});
    expect_error([&] { f->get_i32_array("t.arr.u64"); }, ErrorKind::Format, {"roundtrip.gguf", "t.arr.u64", "does not fit"});
    expect_error([&] { f->get_i32_array("t.arr.f32"); }, ErrorKind::Format, {"roundtrip.gguf", "t.arr.f32", "array of float32"});
    expect_error([&] { f->get_string_array("t.arr.nested"); }, ErrorKind::Format, {"roundtrip.gguf", "t.arr.nested", "array of array"});
    expect_error([&] { f->get_f32_array("t.arr.string"); }, ErrorKind::Format, {"roundtrip.gguf", "t.arr.string", "array of string"});
    expect_error([&] { f->get_f32_array("t.arr.empty"); }, ErrorKind::Format, {"roundtrip.gguf", "t.arr.empty"});
}

TEST(GgufWrite, SetReplacesAndKeepsOrder) {
    GgufWriter w;
    w.set_u32("a", 1);
    w.set_string("b", "x");
    w.set_u32("a", 2);
    w.set_i32("c", -3);
    w.set_f32("d", 1.5f);
    w.set_bool("e", true);
    w.set_string_array("f", {"p", "q"});
    w.set_f32_array("g", {1.0f});
    w.set_i32_array("h", {-1, 2});
    const std::vector<uint8_t> bytes = w.to_bytes();
    auto f = GgufFile::from_memory(bytes.data(), bytes.size(), "set.gguf");
    ASSERT_EQ(f->metadata().size(), 8u);
    EXPECT_EQ(f->metadata()[0].key, "a");
    EXPECT_EQ(f->metadata()[1].key, "b");
    EXPECT_EQ(f->get_u32("a"), 2u);
    EXPECT_EQ(f->find("c")->type, GgufType::INT32);
    EXPECT_EQ(f->get_i32_array("h"), (std::vector<int32_t>{-1, 2}));
    EXPECT_EQ(f->get_string_array("f"), (std::vector<std::string>{"p", "q"}));
    EXPECT_EQ(f->get_f32_array("g"), (std::vector<float>{1.0f}));
}

TEST(GgufWrite, TensorsRoundTripAligned) {
    GgufWriter w;
    w.set_string("general.architecture", "test");
    std::vector<float> a = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    w.add_tensor("a", DType::F32, {4, 3}, floats_to_bytes(a));
    w.add_tensor("b.f16", DType::F16, {3}, std::vector<uint8_t>(6, 0x3c));
    std::vector<uint8_t> q8(2 * 3 * 34);
    for (size_t k = 0; k < q8.size(); ++k) q8[k] = static_cast<uint8_t>(k * 7);
    w.add_tensor("c.q8", DType::Q8_0, {64, 3}, q8);
    std::vector<uint8_t> q4(2 * 3 * 18 * 2, 0x11);
    w.add_tensor("d.q4.4d", DType::Q4_0, {32, 3, 2, 2}, q4);
    w.add_tensor("e.bf16.3d", DType::BF16, {1, 1, 5}, std::vector<uint8_t>(10, 0x80));
    const std::vector<uint8_t> bytes = w.to_bytes();

    auto f = GgufFile::from_memory(bytes.data(), bytes.size(), "tensors.gguf");
    ASSERT_EQ(f->tensors().size(), 5u);
    EXPECT_EQ(f->alignment(), 32u);
    EXPECT_EQ(f->data_offset() % 32, 0u);
    for (const GgufTensorInfo& t : f->tensors()) EXPECT_EQ(t.offset % 32, 0u) << t.name;

    const GgufTensorInfo& ta = f->tensor("a");
    EXPECT_EQ(ta.type, DType::F32);
    EXPECT_EQ(ta.n_dims, 2u);
    EXPECT_EQ(ta.ne[0], 4);
    EXPECT_EQ(ta.ne[1], 3);
    EXPECT_EQ(ta.n_bytes, 48u);
    EXPECT_EQ(std::memcmp(ta.data, a.data(), 48), 0);
    const GgufTensorInfo& tc = f->tensor("c.q8");
    EXPECT_EQ(tc.type, DType::Q8_0);
    EXPECT_EQ(tc.n_bytes, q8.size());
    EXPECT_EQ(std::memcmp(tc.data, q8.data(), q8.size()), 0);
    const GgufTensorInfo& td = f->tensor("d.q4.4d");
    EXPECT_EQ(td.n_dims, 4u);
    EXPECT_EQ(td.ne[3], 2);
    EXPECT_EQ(td.n_rows(), 12);
    EXPECT_EQ(td.n_elements(), 384);
    EXPECT_EQ(std::memcmp(td.data, q4.data(), q4.size()), 0);
    EXPECT_EQ(f->tensor("e.bf16.3d").n_dims, 3u);
    EXPECT_EQ(f->tensor("b.f16").n_bytes, 6u);
    const GgufTensorInfo& last = f->tensors().back();
    EXPECT_EQ(bytes.size(), f->data_offset() + (last.offset + last.n_bytes + 31) / 32 * 32);
}

TEST(GgufWrite, CustomAlignment) {
    GgufWriter w;
    w.set_u32("general.alignment", 256);
    w.add_tensor("x", DType::F32, {3}, floats_to_bytes({1, 2, 3}));
    w.add_tensor("y", DType::F32, {5}, floats_to_bytes({1, 2, 3, 4, 5}));
    const std::vector<uint8_t> bytes = w.to_bytes();
    auto f = GgufFile::from_memory(bytes.data(), bytes.size(), "align.gguf");
    EXPECT_EQ(f->alignment(), 256u);
    EXPECT_EQ(f->data_offset() % 256, 0u);
    EXPECT_EQ(f->tensor("y").offset, 256u);
    EXPECT_EQ(bytes.size(), f->data_offset() + 512);
}

// Everything in stories260K.gguf fed back through the writer gives the same bytes: our layout is
// the one llama.cpp writes.
TEST(GgufWrite, ReencodesStories260KByteForByte) {
    const std::string path = kShared + "/models/stories260K.gguf";
    auto f = GgufFile::open(path);
    GgufWriter w;
    for (const GgufKV& kv : f->metadata()) w.set(kv.key, kv.value);
    for (const GgufTensorInfo& t : f->tensors()) {
        w.add_tensor(t.name, t.type, std::vector<int64_t>(t.ne, t.ne + t.n_dims),
                     std::vector<uint8_t>(t.data, t.data + t.n_bytes));
    }
    const std::vector<uint8_t> ours = w.to_bytes();
    const std::vector<uint8_t> theirs = read_all(path);
    ASSERT_EQ(ours.size(), theirs.size());
    EXPECT_TRUE(ours == theirs);
}

TEST(GgufWrite, WriteToPathThenOpen) {
    const std::string path = temp_path("write");
    GgufWriter w;
    w.set_string("general.name", "written");
    w.add_tensor("t", DType::F32, {2}, floats_to_bytes({1.5f, -1.5f}));
    w.write(path);
    EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
    auto f = GgufFile::open(path);
    EXPECT_EQ(f->get_string("general.name"), "written");
    float v[2];
    std::memcpy(v, f->tensor("t").data, sizeof v);
    EXPECT_EQ(v[0], 1.5f);
    EXPECT_EQ(v[1], -1.5f);
    f.reset();
    std::filesystem::remove(path);

    const std::string bad = ::testing::TempDir() + "/akunu-no-such-dir/x.gguf";
    expect_error([&] { w.write(bad); }, ErrorKind::Io, {bad});
}

TEST(GgufWrite, RejectsBadTensors) {
    GgufWriter w;
    w.add_tensor("ok", DType::F32, {2}, std::vector<uint8_t>(8));
    expect_error([&] { w.add_tensor("size", DType::F32, {2, 2}, std::vector<uint8_t>(12)); }, ErrorKind::InvalidArgument,
                 {"size", "12", "16"});
    expect_error([&] { w.add_tensor("block", DType::Q8_0, {48}, std::vector<uint8_t>(51)); }, ErrorKind::InvalidArgument,
                 {"block", "Q8_0", "32"});
    expect_error([&] { w.add_tensor("ok", DType::F32, {2}, std::vector<uint8_t>(8)); }, ErrorKind::InvalidArgument,
                 {"ok", "duplicate"});
    expect_error([&] { w.add_tensor("dims5", DType::F32, {1, 1, 1, 1, 1}, std::vector<uint8_t>(4)); },
                 ErrorKind::InvalidArgument, {"dims5"});
    expect_error([&] { w.add_tensor("dims0", DType::F32, {}, std::vector<uint8_t>(4)); }, ErrorKind::InvalidArgument,
                 {"dims0"});
    expect_error([&] { w.add_tensor("zero", DType::F32, {4, 0}, {}); }, ErrorKind::InvalidArgument, {"zero", "dimension 1"});
    expect_error([&] { w.add_tensor("neg", DType::F32, {-4}, {}); }, ErrorKind::InvalidArgument, {"neg"});
    expect_error([&] { w.add_tensor("huge", DType::F32, {1ll << 40, 1ll << 40}, {}); }, ErrorKind::InvalidArgument,
                 {"huge", "overflow"});
    expect_error([&] { w.add_tensor("type", static_cast<DType>(99), {4}, std::vector<uint8_t>(4)); },
                 ErrorKind::InvalidArgument, {"type", "99"});
}

TEST(GgufWrite, RejectsBadValues) {
    auto expect_bad = [](const std::string& key, GgufValue v, const std::string& part) {
        GgufWriter w;
        w.set(key, std::move(v));
        expect_error([&] { w.to_bytes(); }, ErrorKind::InvalidArgument, {key, part});
    };
    expect_bad("bad.u8", unsigned_value(GgufType::UINT8, 300), "300");
    expect_bad("bad.i16", signed_value(GgufType::INT16, 40000), "40000");
    expect_bad("bad.bool", unsigned_value(GgufType::BOOL, 2), "bool");
    expect_bad("bad.mixed", GgufValue::make_array(GgufType::UINT32, {GgufValue::make_string("s")}), "string");
    expect_bad("bad.deep", nested(kGgufMaxArrayDepth + 1), "nested");
    expect_bad("general.alignment", GgufValue::make_u32(48), "power of two");
    expect_bad("general.alignment", GgufValue::make_u32(0), "power of two");
    expect_bad("general.alignment", GgufValue::make_u64(64), "uint32");
}

}  // namespace
}  // namespace akunu
