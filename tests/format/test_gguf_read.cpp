// Reading the real GGUF files in shared/: stories260K (F32, Q8_0, Q4_0) and the vocab-only files.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "core/error.h"
#include "format/gguf_file.h"

namespace akunu {
namespace {

const std::string kShared = AKUNU_SHARED_DIR;
const std::string kStories = kShared + "/models/stories260K.gguf";

std::vector<uint8_t> read_all(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Runs `fn`, expects an akunu::Error of `kind` whose message contains every one of `parts`.
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

TEST(GgufRead, Stories260KHeaderAndMetadata) {
    auto f = GgufFile::open(kStories);
    EXPECT_EQ(f->name(), kStories);
    EXPECT_EQ(f->version(), 3u);
    EXPECT_EQ(f->alignment(), 32u);
    EXPECT_EQ(f->file_size(), 1185376u);
    EXPECT_EQ(f->metadata().size(), 19u);
    EXPECT_EQ(f->data_offset() % 32, 0u);
    EXPECT_EQ(f->data_offset(), 14176u);  // tensor infos end at 14152, rounded up to 32

    EXPECT_EQ(f->get_string("general.architecture"), "llama");
    EXPECT_EQ(f->get_string("general.name"), "llama");
    EXPECT_EQ(f->get_string("tokenizer.ggml.model"), "llama");
    EXPECT_FALSE(f->has("tokenizer.ggml.pre"));
    EXPECT_EQ(f->get_string_or("tokenizer.ggml.pre", "none"), "none");
    EXPECT_EQ(f->get_u32("llama.context_length"), 128u);
    EXPECT_EQ(f->get_u32("llama.embedding_length"), 64u);
    EXPECT_EQ(f->get_u32("llama.feed_forward_length"), 172u);
    EXPECT_EQ(f->get_u32("llama.attention.head_count"), 8u);
    EXPECT_EQ(f->get_u32("llama.attention.head_count_kv"), 4u);
    EXPECT_EQ(f->get_u32("llama.block_count"), 5u);
    EXPECT_EQ(f->get_u32("llama.rope.dimension_count"), 8u);
    EXPECT_EQ(f->get_u64("llama.block_count"), 5u);
    EXPECT_FLOAT_EQ(f->get_f32("llama.attention.layer_norm_rms_epsilon"), 1e-5f);
    EXPECT_FLOAT_EQ(f->get_f32_or("llama.rope.freq_base", 10000.0f), 10000.0f);
    EXPECT_EQ(f->get_u32_or("llama.expert_count", 0), 0u);
    EXPECT_TRUE(f->get_bool_or("tokenizer.ggml.add_bos_token", true));
    EXPECT_EQ(f->get_u32("tokenizer.ggml.unknown_token_id"), 0u);
    EXPECT_EQ(f->get_u32("tokenizer.ggml.bos_token_id"), 1u);
    EXPECT_EQ(f->get_u32("tokenizer.ggml.eos_token_id"), 2u);
    EXPECT_EQ(f->get_u32("tokenizer.ggml.seperator_token_id"), 0xFFFFFFFFu);
    EXPECT_EQ(f->get_u32("tokenizer.ggml.padding_token_id"), 0xFFFFFFFFu);

    const std::vector<std::string> tokens = f->get_string_array("tokenizer.ggml.tokens");
    ASSERT_EQ(tokens.size(), 512u);
    EXPECT_EQ(tokens[0], "<unk>");
    EXPECT_EQ(tokens[1], "<s>");
    EXPECT_EQ(tokens[2], "</s>");
    EXPECT_EQ(tokens[3], "<0x00>");
    EXPECT_EQ(tokens[258], "<0xFF>");
    EXPECT_EQ(f->get_f32_array("tokenizer.ggml.scores").size(), 512u);
    const std::vector<int32_t> types = f->get_i32_array("tokenizer.ggml.token_type");
    ASSERT_EQ(types.size(), 512u);
    int n_unknown = 0, n_control = 0, n_byte = 0, n_normal = 0;
    for (int32_t t : types) {
        n_unknown += t == 2;
        n_control += t == 3;
        n_byte += t == 6;
        n_normal += t == 1;
    }
    EXPECT_EQ(n_unknown, 1);
    EXPECT_EQ(n_control, 2);
    EXPECT_EQ(n_byte, 256);
    EXPECT_EQ(n_normal, 253);

    const GgufValue* v = f->find("tokenizer.ggml.tokens");
    ASSERT_NE(v, nullptr);
    EXPECT_EQ(v->type, GgufType::ARRAY);
    EXPECT_EQ(v->elem_type, GgufType::STRING);
    EXPECT_EQ(f->find("no.such.key"), nullptr);
}

TEST(GgufRead, Stories260KTensors) {
    auto f = GgufFile::open(kStories);
    ASSERT_EQ(f->tensors().size(), 48u);
    struct Shape {
        const char* name;
        int64_t ne0, ne1;
        uint32_t n_dims;
    };
    const Shape shapes[] = {
        {"token_embd.weight", 64, 512, 2},       {"output_norm.weight", 64, 1, 1},
        {"output.weight", 64, 512, 2},           {"blk.0.attn_q.weight", 64, 64, 2},
        {"blk.0.attn_k.weight", 64, 32, 2},      {"blk.0.attn_v.weight", 64, 32, 2},
        {"blk.0.attn_output.weight", 64, 64, 2}, {"blk.0.attn_norm.weight", 64, 1, 1},
        {"blk.4.ffn_gate.weight", 64, 172, 2},   {"blk.4.ffn_down.weight", 172, 64, 2},
        {"blk.4.ffn_up.weight", 64, 172, 2},     {"blk.4.ffn_norm.weight", 64, 1, 1},
    };
    for (const Shape& s : shapes) {
        SCOPED_TRACE(s.name);
        const GgufTensorInfo& t = f->tensor(s.name);
        EXPECT_EQ(t.type, DType::F32);
        EXPECT_EQ(t.n_dims, s.n_dims);
        EXPECT_EQ(t.ne[0], s.ne0);
        EXPECT_EQ(t.ne[1], s.ne1);
        EXPECT_EQ(t.ne[2], 1);
        EXPECT_EQ(t.ne[3], 1);
        EXPECT_EQ(t.n_bytes, static_cast<uint64_t>(s.ne0 * s.ne1 * 4));
        EXPECT_EQ(t.offset % 32, 0u);
        EXPECT_NE(t.data, nullptr);
    }
    int64_t params = 0;
    for (const GgufTensorInfo& t : f->tensors()) {
        if (t.name != "output.weight") params += t.n_elements();
    }
    EXPECT_EQ(params, 260032);
    EXPECT_EQ(f->find_tensor("nope"), nullptr);

    // The F32 tensors are the llama2.c arrays unchanged: token_embd is the first array after the
    // 28-byte header of stories260K.bin, and output.weight is a copy of it.
    const std::vector<uint8_t> bin = read_all(kShared + "/models/stories260K.bin");
    ASSERT_GE(bin.size(), 28u + 64 * 512 * 4);
    const GgufTensorInfo& emb = f->tensor("token_embd.weight");
    EXPECT_EQ(std::memcmp(emb.data, bin.data() + 28, emb.n_bytes), 0);
    EXPECT_EQ(std::memcmp(f->tensor("output.weight").data, emb.data, emb.n_bytes), 0);
    float first[4];
    std::memcpy(first, emb.data, sizeof first);
    float expected[4];
    std::memcpy(expected, bin.data() + 28, sizeof expected);
    for (int k = 0; k < 4; ++k) {
        EXPECT_EQ(first[k], expected[k]);
        EXPECT_TRUE(first[k] > -10.0f && first[k] < 10.0f && first[k] != 0.0f) << first[k];
    }
    // rms_att[0] (64 floats) follows token_embedding in the .bin.
    EXPECT_EQ(std::memcmp(f->tensor("blk.0.attn_norm.weight").data, bin.data() + 28 + 64 * 512 * 4, 64 * 4), 0);
}

TEST(GgufRead, TensorViewsAreZeroCopyIntoTheMapping) {
    auto f = GgufFile::open(kStories);
    const std::vector<uint8_t> bytes = read_all(kStories);
    for (const GgufTensorInfo& t : f->tensors()) {
        const uint64_t start = f->data_offset() + t.offset;
        ASSERT_LE(start + t.n_bytes, bytes.size());
        EXPECT_EQ(std::memcmp(t.data, bytes.data() + start, t.n_bytes), 0) << t.name;
        // open() maps the file, so the views share one page-aligned base.
        EXPECT_EQ(reinterpret_cast<uintptr_t>(t.data) % 32, 0u) << t.name;
    }
    const GgufTensorInfo& first = f->tensors()[0];
    const GgufTensorInfo& last = f->tensors().back();
    EXPECT_EQ(last.data - first.data, static_cast<ptrdiff_t>(last.offset - first.offset));
    EXPECT_EQ(f->data_offset() + last.offset + last.n_bytes, f->file_size());
}

TEST(GgufRead, FromMemoryMatchesOpen) {
    const std::vector<uint8_t> bytes = read_all(kStories);
    auto a = GgufFile::open(kStories);
    auto b = GgufFile::from_memory(bytes.data(), bytes.size(), "in-memory stories");
    EXPECT_EQ(b->name(), "in-memory stories");
    ASSERT_EQ(a->tensors().size(), b->tensors().size());
    ASSERT_EQ(a->metadata().size(), b->metadata().size());
    for (size_t k = 0; k < a->tensors().size(); ++k) {
        EXPECT_EQ(a->tensors()[k].name, b->tensors()[k].name);
        EXPECT_EQ(std::memcmp(a->tensors()[k].data, b->tensors()[k].data, a->tensors()[k].n_bytes), 0);
        EXPECT_NE(b->tensors()[k].data, a->tensors()[k].data);  // from_memory copies
    }
}

TEST(GgufRead, GgmlOrgCopyDiffersOnlyInContextLength) {
    auto ours = GgufFile::open(kStories);
    auto theirs = GgufFile::open(kShared + "/models/stories260K.ggml-org.gguf");
    EXPECT_EQ(theirs->get_u32("llama.context_length"), 2048u);
    EXPECT_EQ(ours->get_u32("llama.context_length"), 128u);
    EXPECT_EQ(theirs->tensors().size(), 48u);
}

TEST(GgufRead, Q8_0Mix) {
    auto f = GgufFile::open(kShared + "/models/stories260K-Q8_0.gguf");
    EXPECT_EQ(f->get_u32("general.file_type"), 7u);
    EXPECT_EQ(f->get_u32("general.quantization_version"), 2u);
    ASSERT_EQ(f->tensors().size(), 48u);
    int n_q8 = 0, n_f32 = 0;
    for (const GgufTensorInfo& t : f->tensors()) {
        if (t.type == DType::Q8_0) {
            ++n_q8;
            EXPECT_EQ(t.n_bytes, static_cast<uint64_t>(t.n_rows() * (t.ne[0] / 32) * 34)) << t.name;  // 32 int8 + f16 scale
        } else {
            ++n_f32;
            EXPECT_EQ(t.type, DType::F32) << t.name;
        }
    }
    EXPECT_EQ(n_q8, 32);
    EXPECT_EQ(n_f32, 16);
    EXPECT_EQ(f->tensor("blk.0.ffn_down.weight").type, DType::F32);
    EXPECT_EQ(f->tensor("token_embd.weight").type, DType::Q8_0);
    EXPECT_EQ(f->tensor("token_embd.weight").n_bytes, 512u * 2 * 34);
}

TEST(GgufRead, Q4_0Mix) {
    auto f = GgufFile::open(kShared + "/models/stories260K-Q4_0.gguf");
    EXPECT_EQ(f->get_u32("general.file_type"), 2u);
    EXPECT_EQ(f->tensor("output.weight").type, DType::Q4_0);
    EXPECT_EQ(f->tensor("output.weight").n_bytes, 512u * 2 * 18);  // f16 scale + 16 nibble bytes
    EXPECT_EQ(f->tensor("blk.3.ffn_down.weight").type, DType::F32);
}

TEST(GgufRead, VocabOnlyLlamaSpm) {
    auto f = GgufFile::open(kShared + "/testdata/vocab/ggml-vocab-llama-spm.gguf");
    EXPECT_EQ(f->version(), 3u);
    EXPECT_TRUE(f->tensors().empty());
    EXPECT_EQ(f->get_string("tokenizer.ggml.model"), "llama");
    EXPECT_EQ(f->get_string("tokenizer.ggml.pre"), "default");
    EXPECT_EQ(f->get_u32("llama.vocab_size"), 32000u);
    EXPECT_EQ(f->get_string_array("tokenizer.ggml.tokens").size(), 32000u);
    EXPECT_EQ(f->get_f32_array("tokenizer.ggml.scores").size(), 32000u);
    EXPECT_EQ(f->get_i32_array("tokenizer.ggml.token_type").size(), 32000u);
    EXPECT_TRUE(f->get_bool_or("tokenizer.ggml.add_bos_token", false));
    EXPECT_FALSE(f->get_bool_or("tokenizer.ggml.add_eos_token", true));
}

TEST(GgufRead, EveryVocabFileParses) {
    int n = 0;
    for (const auto& entry : std::filesystem::directory_iterator(kShared + "/testdata/vocab")) {
        if (entry.path().extension() != ".gguf") continue;
        SCOPED_TRACE(entry.path().string());
        auto f = GgufFile::open(entry.path().string());
        EXPECT_FALSE(f->get_string_array("tokenizer.ggml.tokens").empty());
        EXPECT_FALSE(f->get_string("tokenizer.ggml.model").empty());
        ++n;
    }
    EXPECT_GE(n, 12);
}

TEST(GgufRead, GetterErrorsNameFileKeyAndType) {
    auto f = GgufFile::open(kStories);
    expect_error([&] { f->get_u32("general.name"); }, ErrorKind::Format, {kStories, "general.name", "string"});
    expect_error([&] { f->get_u32("missing.key"); }, ErrorKind::Format, {kStories, "missing.key", "missing"});
    expect_error([&] { f->get_string("llama.block_count"); }, ErrorKind::Format, {kStories, "llama.block_count", "uint32"});
    expect_error([&] { f->get_string_or("llama.block_count", "x"); }, ErrorKind::Format, {kStories, "llama.block_count"});
    expect_error([&] { f->get_f32("general.name"); }, ErrorKind::Format, {kStories, "general.name", "string"});
    expect_error([&] { f->get_bool_or("llama.block_count", false); }, ErrorKind::Format, {kStories, "llama.block_count", "uint32"});
    expect_error([&] { f->get_string_array("tokenizer.ggml.scores"); }, ErrorKind::Format,
                 {kStories, "tokenizer.ggml.scores", "array of float32"});
    expect_error([&] { f->get_i32_array("tokenizer.ggml.tokens"); }, ErrorKind::Format,
                 {kStories, "tokenizer.ggml.tokens", "array of string"});
    expect_error([&] { f->get_f32_array("general.name"); }, ErrorKind::Format, {kStories, "general.name", "string"});
    expect_error([&] { f->get_i32_array("tokenizer.ggml.bos_token_id"); }, ErrorKind::Format,
                 {kStories, "tokenizer.ggml.bos_token_id", "uint32"});
    expect_error([&] { f->tensor("blk.9.attn_q.weight"); }, ErrorKind::Format, {kStories, "blk.9.attn_q.weight", "missing"});
    // The sentinel 0xFFFFFFFF does not fit an int32 element, but it is a fine uint32.
    EXPECT_EQ(f->get_u64("tokenizer.ggml.padding_token_id"), 0xFFFFFFFFull);
}

TEST(GgufRead, OpenErrors) {
    const std::string missing = kShared + "/models/does-not-exist.gguf";
    expect_error([&] { GgufFile::open(missing); }, ErrorKind::Io, {missing});
    expect_error([&] { GgufFile::open(kShared + "/models"); }, ErrorKind::Io, {kShared + "/models"});
    // Not a GGUF file at all: the llama2.c checkpoint.
    expect_error([&] { GgufFile::open(kShared + "/models/stories260K.bin"); }, ErrorKind::Format,
                 {kShared + "/models/stories260K.bin", "magic"});
}

TEST(GgufRead, EmptyFileIsAFormatErrorNotAnMmapError) {
    const std::string path = ::testing::TempDir() + "/akunu_gguf_empty_" + std::to_string(::getpid()) + ".gguf";
    { std::ofstream out(path, std::ios::binary); }
    expect_error([&] { GgufFile::open(path); }, ErrorKind::Format, {path, "empty"});
    std::filesystem::remove(path);
    expect_error([&] { GgufFile::from_memory(nullptr, 0, "nothing.gguf"); }, ErrorKind::Format, {"nothing.gguf", "empty"});
}

}  // namespace
}  // namespace akunu
