// Acceptance: every class of malformed model file, loaded through the C API, fails with the
// right status, leaves the handle NULL, and says in akunu_last_error() which file and which key
// or tensor is at fault. The files are made from a valid tiny model (F32 and Q4_0), either by
// changing a key/tensor through GgufWriter or by patching bytes of the serialized image.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "akunu/akunu.h"
#include "api/gguf_image.h"

using namespace gguf_image;
using akunu::DType;

namespace {

int g_dummy_storage;
// *out is set to this before each load, so a call that forgets to clear it on failure shows.
akunu_model* const kDummy = reinterpret_cast<akunu_model*>(&g_dummy_storage);

std::string type_name(DType t) { return t == DType::F32 ? "F32" : "Q4_0"; }

class BadFile : public ::testing::TestWithParam<DType> {
protected:
    DType type() const { return GetParam(); }
    Image valid() const { return tiny_image(type()); }

    std::string save(const std::string& name, const Image& img) {
        const std::string path = dir_.file(name + "-" + type_name(type()) + ".gguf");
        write_file(path, img);
        return path;
    }

    // Loads `path` expecting `want`; checks that the handle is NULL and that the message names the
    // path and each of `parts`. Returns the message.
    static std::string expect_fails(const std::string& path, akunu_status want, const std::vector<std::string>& parts) {
        akunu_model* m = kDummy;
        const akunu_status st = akunu_load_model(path.c_str(), nullptr, &m);
        const std::string msg = akunu_last_error();
        EXPECT_EQ(st, want) << "got " << akunu_status_string(st) << " (" << (int)st << "), message: " << msg;
        EXPECT_EQ(m, nullptr) << "the handle must be NULL after a failed load";
        if (st == AKUNU_OK && m && m != kDummy) akunu_free_model(m);
        EXPECT_NE(msg.find(path), std::string::npos) << "message does not name the file " << path << ": " << msg;
        for (const std::string& p : parts) {
            EXPECT_NE(msg.find(p), std::string::npos) << "message does not contain '" << p << "': " << msg;
        }
        return msg;
    }

    TempDir dir_;
};

// The baseline: the unpatched file loads and runs, so every failure below comes from the patch.
TEST_P(BadFile, ValidBaselineLoadsAndRuns) {
    const std::string path = save("valid", valid());
    akunu_model* m = nullptr;
    ASSERT_EQ(akunu_load_model(path.c_str(), nullptr, &m), AKUNU_OK) << akunu_last_error();
    ASSERT_NE(m, nullptr);
    akunu_model_info info;
    ASSERT_EQ(akunu_get_model_info(m, &info), AKUNU_OK);
    EXPECT_EQ(info.dim, 64u);
    EXPECT_EQ(info.n_layers, 2u);
    EXPECT_EQ(info.n_heads, 4u);
    EXPECT_EQ(info.n_kv_heads, 2u);
    EXPECT_EQ(info.head_dim, 16u);
    EXPECT_EQ(info.ffn_dim, 96u);
    EXPECT_EQ(info.vocab_size, 300u);
    EXPECT_STREQ(info.weight_type, type_name(type()).c_str());
    const int32_t toks[3] = {1, 100, 200};
    int32_t next = -1;
    EXPECT_EQ(akunu_prefill(m, toks, 3, &next), AKUNU_OK) << akunu_last_error();
    EXPECT_GE(next, 0);
    EXPECT_LT(next, 300);
    akunu_free_model(m);

    // The writer round trip used by several cases below also gives a loadable file.
    const std::string path2 = save("roundtrip", to_writer(valid()).to_bytes());
    ASSERT_EQ(akunu_load_model(path2.c_str(), nullptr, &m), AKUNU_OK) << akunu_last_error();
    akunu_free_model(m);
}

// ---- header

TEST_P(BadFile, WrongMagic) {
    Image img = valid();
    std::memcpy(img.data() + kMagicAt, "GGML", 4);
    expect_fails(save("magic", img), AKUNU_ERR_FORMAT, {"magic", "header"});
}

TEST_P(BadFile, UnsupportedVersion1) {
    Image img = valid();
    put_at<uint32_t>(img, kVersionAt, 1);
    expect_fails(save("v1", img), AKUNU_ERR_UNSUPPORTED, {"version 1", "header"});
}

TEST_P(BadFile, UnsupportedVersion4) {
    Image img = valid();
    put_at<uint32_t>(img, kVersionAt, 4);
    expect_fails(save("v4", img), AKUNU_ERR_UNSUPPORTED, {"version 4", "header"});
}

TEST_P(BadFile, TruncatedHeader) {
    const Image img = valid();
    // Inside the metadata count.
    expect_fails(save("trunc-header", Image(img.begin(), img.begin() + 20)), AKUNU_ERR_FORMAT,
                 {"truncated", "metadata count", "header"});
    // Inside the magic.
    expect_fails(save("trunc-magic", Image(img.begin(), img.begin() + 3)), AKUNU_ERR_FORMAT, {"truncated", "magic"});
    // Inside the value of the last metadata entry (a uint32): names the key. (Cutting earlier can
    // be caught by the header's count-versus-size bound instead, which names no key.)
    const size_t in_kv = kv_at(img, "general.file_type").value + 2;
    ASSERT_EQ(get_at<uint32_t>(img, kv_at(img, "general.file_type").type), 4u);  // UINT32
    expect_fails(save("trunc-kv", Image(img.begin(), img.begin() + (long)in_kv)), AKUNU_ERR_FORMAT,
                 {"truncated", "general.file_type"});
    // Inside a tensor info: names the tensor.
    const size_t in_info = tensor_info_at(img, "blk.0.attn_v.weight").type + 2;
    expect_fails(save("trunc-info", Image(img.begin(), img.begin() + (long)in_info)), AKUNU_ERR_FORMAT,
                 {"truncated", "blk.0.attn_v.weight"});
}

TEST_P(BadFile, TruncatedData) {
    const Image img = valid();
    const Layout l = layout_of(img);
    const akunu::GgufTensorInfo& last = l.last();
    ASSERT_GT(last.n_bytes, 2u);
    const size_t cut = (size_t)(l.data_offset + last.offset + last.n_bytes / 2);
    expect_fails(save("trunc-data", Image(img.begin(), img.begin() + (long)cut)), AKUNU_ERR_FORMAT,
                 {"tensor '" + last.name + "'", "past the end"});
    // Cut inside the first tensor's data: every tensor is out of bounds, the first one is named.
    const akunu::GgufTensorInfo& first = l.tensors.front();
    const size_t cut2 = (size_t)(l.data_offset + first.offset + 16);
    expect_fails(save("trunc-data2", Image(img.begin(), img.begin() + (long)cut2)), AKUNU_ERR_FORMAT,
                 {"tensor '" + first.name + "'", "past the end"});
}

TEST_P(BadFile, EmptyFile) {
    expect_fails(save("empty", Image{}), AKUNU_ERR_FORMAT, {"empty"});
}

TEST_P(BadFile, NonexistentPath) {
    const std::string path = dir_.file("no-such-model.gguf");
    expect_fails(path, AKUNU_ERR_IO, {"no-such-model.gguf"});
    // A directory is not a model either.
    expect_fails(dir_.path(), AKUNU_ERR_IO, {});
}

// ---- metadata

TEST_P(BadFile, StringLengthPastEnd) {
    Image img = valid();
    const size_t len_at = kv_at(img, "general.name").value;  // the string value's u64 length
    put_at<uint64_t>(img, len_at, img.size());
    expect_fails(save("strlen", img), AKUNU_ERR_FORMAT, {"key 'general.name'", "past the end"});
    put_at<uint64_t>(img, len_at, UINT64_MAX);
    expect_fails(save("strlen-max", img), AKUNU_ERR_FORMAT, {"key 'general.name'", "past the end"});
}

TEST_P(BadFile, ArrayLengthPastEnd) {
    Image img = valid();
    const size_t count_at = kv_at(img, "tokenizer.ggml.scores").value + 4;  // after the element type
    ASSERT_EQ(get_at<uint64_t>(img, count_at), 300u);
    put_at<uint64_t>(img, count_at, img.size() / 4 + 1);
    expect_fails(save("arrlen", img), AKUNU_ERR_FORMAT, {"key 'tokenizer.ggml.scores'", "past the end"});

    Image img2 = valid();
    const size_t tok_count_at = kv_at(img2, "tokenizer.ggml.tokens").value + 4;
    ASSERT_EQ(get_at<uint64_t>(img2, tok_count_at), 300u);
    put_at<uint64_t>(img2, tok_count_at, img2.size() / 8 + 1);
    expect_fails(save("arrlen-str", img2), AKUNU_ERR_FORMAT, {"key 'tokenizer.ggml.tokens'", "past the end"});
}

TEST_P(BadFile, CountsWhoseByteSizeOverflows) {
    const uint64_t huge = 1ull << 62;
    Image img = valid();
    put_at<uint64_t>(img, kTensorCountAt, huge);
    expect_fails(save("tensor-count", img), AKUNU_ERR_FORMAT, {"tensor count", std::to_string(huge)});

    img = valid();
    put_at<uint64_t>(img, kKvCountAt, huge);
    expect_fails(save("kv-count", img), AKUNU_ERR_FORMAT, {"metadata count", std::to_string(huge)});

    // An array whose count times the element size wraps around 2^64.
    img = valid();
    put_at<uint64_t>(img, kv_at(img, "tokenizer.ggml.scores").value + 4, huge);
    expect_fails(save("array-count", img), AKUNU_ERR_FORMAT, {"key 'tokenizer.ggml.scores'"});

    // Dimensions whose product overflows int64.
    img = valid();
    TensorInfoAt t = tensor_info_at(img, "token_embd.weight");
    put_at<uint64_t>(img, t.ne, 1ull << 40);
    put_at<uint64_t>(img, t.ne + 8, 1ull << 40);
    expect_fails(save("elements", img), AKUNU_ERR_FORMAT, {"tensor 'token_embd.weight'", "overflow"});

    // Elements fit int64 (2^62) but the F32 byte size (2^64) does not fit uint64. (A block type
    // like Q4_0 has fewer bytes than elements, so only a wide type can overflow here.)
    img = valid();
    t = tensor_info_at(img, "output_norm.weight");  // F32 [64] in both variants
    ASSERT_EQ(get_at<uint32_t>(img, t.type), (uint32_t)DType::F32);
    put_at<uint64_t>(img, t.ne, 1ull << 62);
    expect_fails(save("bytes", img), AKUNU_ERR_FORMAT, {"tensor 'output_norm.weight'", "overflow"});
}

TEST_P(BadFile, DuplicateMetadataKey) {
    akunu::GgufWriter w = tiny_writer(type());
    w.set_string("general.namf", "a second name");  // same length as general.name
    Image img = w.to_bytes();
    rename_string(img, "general.namf", "general.name");
    expect_fails(save("dup-key", img), AKUNU_ERR_FORMAT, {"key 'general.name'", "duplicate"});
}

TEST_P(BadFile, MissingRequiredKey) {
    const Image img = to_writer(valid(), {"llama.embedding_length"}).to_bytes();
    expect_fails(save("no-dim", img), AKUNU_ERR_FORMAT, {"llama.embedding_length", "missing"});
    const Image img2 = to_writer(valid(), {"general.architecture"}).to_bytes();
    expect_fails(save("no-arch", img2), AKUNU_ERR_FORMAT, {"general.architecture", "missing"});
}

TEST_P(BadFile, UnknownArchitecture) {
    akunu::GgufWriter w = tiny_writer(type());
    w.set_string("general.architecture", "gpt99");
    expect_fails(save("arch", w.to_bytes()), AKUNU_ERR_UNSUPPORTED, {"gpt99", "general.architecture", "llama"});
}

TEST_P(BadFile, UnsupportedRopeScaling) {
    akunu::GgufWriter w = tiny_writer(type());
    w.set_string("llama.rope.scaling.type", "yarn");
    expect_fails(save("yarn", w.to_bytes()), AKUNU_ERR_UNSUPPORTED, {"llama.rope.scaling.type", "yarn"});
}

TEST_P(BadFile, AbsurdEmbeddingLength) {
    akunu::GgufWriter w = tiny_writer(type());
    w.set_u32("llama.embedding_length", 1u << 31);
    expect_fails(save("dim", w.to_bytes()), AKUNU_ERR_FORMAT, {"llama.embedding_length", "2147483648"});
}

TEST_P(BadFile, HeadCountZero) {
    akunu::GgufWriter w = tiny_writer(type());
    w.set_u32("llama.attention.head_count", 0);
    expect_fails(save("heads0", w.to_bytes()), AKUNU_ERR_FORMAT, {"llama.attention.head_count"});
}

TEST_P(BadFile, HeadCountKvNotDividingHeadCount) {
    akunu::GgufWriter w = tiny_writer(type());
    w.set_u32("llama.attention.head_count_kv", 3);
    expect_fails(save("kv3", w.to_bytes()), AKUNU_ERR_FORMAT, {"llama.attention.head_count_kv", "3"});
    w.set_u32("llama.attention.head_count_kv", 8);  // more KV heads than heads
    expect_fails(save("kv8", w.to_bytes()), AKUNU_ERR_FORMAT, {"llama.attention.head_count_kv", "8"});
}

TEST_P(BadFile, VocabSizeMismatch) {
    const Image img = valid();
    auto f = akunu::GgufFile::from_memory(img.data(), img.size(), "vocab");
    std::vector<std::string> tokens = f->get_string_array("tokenizer.ggml.tokens");
    std::vector<float> scores = f->get_f32_array("tokenizer.ggml.scores");
    std::vector<int32_t> types = f->get_i32_array("tokenizer.ggml.token_type");
    ASSERT_EQ(tokens.size(), 300u);
    tokens.pop_back();
    scores.pop_back();
    types.pop_back();
    akunu::GgufWriter w = to_writer(img);
    w.set_string_array("tokenizer.ggml.tokens", tokens);
    w.set_f32_array("tokenizer.ggml.scores", scores);
    w.set_i32_array("tokenizer.ggml.token_type", types);
    expect_fails(save("vocab", w.to_bytes()), AKUNU_ERR_FORMAT,
                 {"tokenizer.ggml.tokens", "token_embd.weight", "299", "300"});
}

// ---- tensor infos

TEST_P(BadFile, MoreThanFourDims) {
    Image img = valid();
    const TensorInfoAt t = tensor_info_at(img, "blk.0.attn_norm.weight");  // [64]
    ASSERT_EQ(t.dims, 1u);
    // A well-formed 5-D info: n_dims 5 and dims 64, 1, 1, 1, 1.
    put_at<uint32_t>(img, t.n_dims, 5);
    Image ones(4 * 8, 0);
    for (int d = 0; d < 4; ++d) put_at<uint64_t>(ones, (size_t)d * 8, 1);
    img.insert(img.begin() + (long)(t.ne + 8), ones.begin(), ones.end());
    expect_fails(save("dims5", img), AKUNU_ERR_FORMAT, {"tensor 'blk.0.attn_norm.weight'", "n_dims 5"});
}

TEST_P(BadFile, ZeroDim) {
    Image img = valid();
    const TensorInfoAt t = tensor_info_at(img, "blk.0.attn_k.weight");
    ASSERT_EQ(get_at<uint64_t>(img, t.ne + 8), 32u);
    put_at<uint64_t>(img, t.ne + 8, 0);
    expect_fails(save("dim0", img), AKUNU_ERR_FORMAT, {"tensor 'blk.0.attn_k.weight'", "dimension 1 is 0"});
}

TEST_P(BadFile, TensorDataOutOfBounds) {
    Image img = valid();
    const Layout l = layout_of(img);
    const TensorInfoAt t = tensor_info_at(img, "blk.0.ffn_gate.weight");
    // The last aligned offset inside the file: the data starts in bounds and runs past the end.
    const uint64_t near_end = (l.file_size - l.data_offset) / l.alignment * l.alignment - l.alignment;
    put_at<uint64_t>(img, t.offset, near_end);
    expect_fails(save("oob", img), AKUNU_ERR_FORMAT, {"tensor 'blk.0.ffn_gate.weight'", "past the end"});
    // Far past the end, and where offset + size wraps around 2^64.
    put_at<uint64_t>(img, t.offset, 1ull << 40);
    expect_fails(save("oob-far", img), AKUNU_ERR_FORMAT, {"tensor 'blk.0.ffn_gate.weight'", "past the end"});
    put_at<uint64_t>(img, t.offset, UINT64_MAX / l.alignment * l.alignment);
    expect_fails(save("oob-wrap", img), AKUNU_ERR_FORMAT, {"tensor 'blk.0.ffn_gate.weight'"});
}

TEST_P(BadFile, MisalignedTensorOffset) {
    Image img = valid();
    const TensorInfoAt t = tensor_info_at(img, "blk.1.attn_v.weight");
    const uint64_t off = get_at<uint64_t>(img, t.offset);
    ASSERT_GT(off, 0u);
    put_at<uint64_t>(img, t.offset, off + 4);
    expect_fails(save("misaligned", img), AKUNU_ERR_FORMAT, {"tensor 'blk.1.attn_v.weight'", "alignment"});
}

TEST_P(BadFile, OverlappingTensors) {
    Image img = valid();
    const Layout l = layout_of(img);
    const akunu::GgufTensorInfo& embd = l.tensor("token_embd.weight");
    ASSERT_GT(embd.n_bytes, 64u + 256u);
    const TensorInfoAt t = tensor_info_at(img, "output_norm.weight");
    put_at<uint64_t>(img, t.offset, embd.offset + 64);  // aligned, in bounds, inside token_embd
    expect_fails(save("overlap", img), AKUNU_ERR_FORMAT, {"output_norm.weight", "token_embd.weight", "overlap"});
}

TEST_P(BadFile, UnknownTensorType) {
    Image img = valid();
    const TensorInfoAt t = tensor_info_at(img, "blk.1.attn_output.weight");
    put_at<uint32_t>(img, t.type, 99);
    expect_fails(save("type99", img), AKUNU_ERR_UNSUPPORTED, {"tensor 'blk.1.attn_output.weight'", "99"});
}

TEST_P(BadFile, DuplicateTensorName) {
    Image img = valid();
    rename_string(img, "blk.0.attn_k.weight", "blk.0.attn_q.weight");
    expect_fails(save("dup-tensor", img), AKUNU_ERR_FORMAT, {"tensor 'blk.0.attn_q.weight'", "duplicate"});
}

TEST_P(BadFile, MissingRequiredTensor) {
    const Image img = to_writer(valid(), {}, {"blk.1.ffn_up.weight"}).to_bytes();
    expect_fails(save("no-ffn-up", img), AKUNU_ERR_FORMAT, {"'blk.1.ffn_up.weight'", "missing"});
    const Image img2 = to_writer(valid(), {}, {"output_norm.weight"}).to_bytes();
    expect_fails(save("no-output-norm", img2), AKUNU_ERR_FORMAT, {"'output_norm.weight'", "missing"});
}

TEST_P(BadFile, TensorShapeDisagreesWithConfig) {
    const DType t = type();
    // attn_q with 32 rows where the config needs dim x q_dim = [64, 64].
    akunu::GgufWriter w = to_writer(valid(), {}, {"blk.0.attn_q.weight"});
    const size_t bytes = akunu::dtype_row_bytes(t, 64) * 32;
    w.add_tensor("blk.0.attn_q.weight", t, {64, 32}, std::vector<uint8_t>(bytes, 0));
    expect_fails(save("shape-q", w.to_bytes()), AKUNU_ERR_FORMAT, {"'blk.0.attn_q.weight'", "[64, 32]", "[64, 64]"});

    // ffn_down transposed: [64, 96] where [96, 64] is needed.
    akunu::GgufWriter w2 = to_writer(valid(), {}, {"blk.1.ffn_down.weight"});
    w2.add_tensor("blk.1.ffn_down.weight", t, {64, 96}, std::vector<uint8_t>(akunu::dtype_row_bytes(t, 64) * 96, 0));
    expect_fails(save("shape-down", w2.to_bytes()), AKUNU_ERR_FORMAT, {"'blk.1.ffn_down.weight'", "[64, 96]", "[96, 64]"});

    // A 3-D tensor where a matrix is needed.
    akunu::GgufWriter w3 = to_writer(valid(), {}, {"blk.0.attn_k.weight"});
    w3.add_tensor("blk.0.attn_k.weight", t, {64, 16, 2}, std::vector<uint8_t>(akunu::dtype_row_bytes(t, 64) * 32, 0));
    expect_fails(save("shape-3d", w3.to_bytes()), AKUNU_ERR_FORMAT, {"'blk.0.attn_k.weight'", "[64, 32]"});
}

INSTANTIATE_TEST_SUITE_P(Types, BadFile, ::testing::Values(DType::F32, DType::Q4_0),
                         [](const ::testing::TestParamInfo<DType>& i) { return type_name(i.param); });

// Only a block-quantized type has a row-length rule.
TEST(BadFileQ4_0, RowLengthNotAMultipleOfTheBlockSize) {
    TempDir dir;
    Image img = tiny_image(DType::Q4_0);
    const TensorInfoAt t = tensor_info_at(img, "blk.0.attn_q.weight");
    ASSERT_EQ(get_at<uint32_t>(img, t.type), (uint32_t)DType::Q4_0);
    ASSERT_EQ(get_at<uint64_t>(img, t.ne), 64u);
    put_at<uint64_t>(img, t.ne, 48);
    const std::string path = dir.file("row48.gguf");
    write_file(path, img);
    akunu_model* m = kDummy;
    EXPECT_EQ(akunu_load_model(path.c_str(), nullptr, &m), AKUNU_ERR_FORMAT) << akunu_last_error();
    EXPECT_EQ(m, nullptr);
    const std::string msg = akunu_last_error();
    for (const std::string& p : {path, std::string("tensor 'blk.0.attn_q.weight'"), std::string("48"),
                                std::string("Q4_0"), std::string("block size 32")}) {
        EXPECT_NE(msg.find(p), std::string::npos) << "missing '" << p << "' in: " << msg;
    }
}

// The error message belongs to the thread that failed and is cleared by the next successful call.
TEST(BadFileMessages, LastErrorIsClearedBySuccess) {
    TempDir dir;
    const std::string path = dir.file("missing.gguf");
    akunu_model* m = nullptr;
    ASSERT_EQ(akunu_load_model(path.c_str(), nullptr, &m), AKUNU_ERR_IO);
    ASSERT_NE(std::string(akunu_last_error()), "");
    const std::string good = dir.file("good.gguf");
    write_file(good, tiny_image(DType::F32));
    ASSERT_EQ(akunu_load_model(good.c_str(), nullptr, &m), AKUNU_OK);
    EXPECT_STREQ(akunu_last_error(), "");
    akunu_free_model(m);
}

}  // namespace
