// GGUF v3 writer. Layout: header, metadata, tensor infos, zero padding up to the alignment, then
// each tensor's bytes at its aligned offset, each followed by zero padding to the next multiple.
#include "format/gguf_writer.h"

#include <cerrno>
#include <cstdio>
#include <algorithm>
#include <cstring>
#include <utility>

#include "core/error.h"

namespace akunu {

namespace {

constexpr uint32_t kVersion = 3;
constexpr uint64_t kDefaultAlignment = 32;

[[noreturn]] void invalid(const std::string& what, const std::string& detail) {
    fail(ErrorKind::InvalidArgument, "gguf-writer", what + ": " + detail);
}

class ByteSink {
public:
    explicit ByteSink(std::vector<uint8_t>& out) : out_(out) {}

    template <class T>
    void put(T v) {
        const size_t at = out_.size();
        out_.resize(at + sizeof v);
        std::memcpy(out_.data() + at, &v, sizeof v);
    }
    void put_string(const std::string& s) {
        put<uint64_t>(s.size());
        out_.insert(out_.end(), s.begin(), s.end());
    }
    void pad_to(uint64_t alignment) { out_.resize((out_.size() + alignment - 1) / alignment * alignment, 0); }

    // Writes one value of `type`, checking that it is representable (the reader would reject or
    // silently change anything else). `what` names the key for messages.
    void put_value(const GgufValue& v, GgufType type, int depth, const std::string& what) {
        if (v.type != type) {
            invalid(what, std::string("array element of type ") + gguf_type_name(v.type) + " in an array of " +
                              gguf_type_name(type));
        }
        switch (type) {
            case GgufType::UINT8: put<uint8_t>(unsigned_in(v, UINT8_MAX, what)); break;
            case GgufType::UINT16: put<uint16_t>(unsigned_in(v, UINT16_MAX, what)); break;
            case GgufType::UINT32: put<uint32_t>(unsigned_in(v, UINT32_MAX, what)); break;
            case GgufType::UINT64: put<uint64_t>(v.u); break;
            case GgufType::BOOL: put<uint8_t>(unsigned_in(v, 1, what)); break;
            case GgufType::INT8: put<int8_t>(signed_in(v, INT8_MIN, INT8_MAX, what)); break;
            case GgufType::INT16: put<int16_t>(signed_in(v, INT16_MIN, INT16_MAX, what)); break;
            case GgufType::INT32: put<int32_t>(signed_in(v, INT32_MIN, INT32_MAX, what)); break;
            case GgufType::INT64: put<int64_t>(v.i); break;
            case GgufType::FLOAT32: put<float>(static_cast<float>(v.f)); break;
            case GgufType::FLOAT64: put<double>(v.f); break;
            case GgufType::STRING: put_string(v.s); break;
            case GgufType::ARRAY:
                if (!gguf_type_known(static_cast<uint32_t>(v.elem_type))) invalid(what, "unknown array element type");
                if (v.elem_type == GgufType::ARRAY && depth >= kGgufMaxArrayDepth) {
                    invalid(what, "arrays nested deeper than " + std::to_string(kGgufMaxArrayDepth) + " levels");
                }
                put<uint32_t>(static_cast<uint32_t>(v.elem_type));
                put<uint64_t>(v.elems.size());
                for (const GgufValue& e : v.elems) put_value(e, v.elem_type, depth + 1, what);
                break;
            default: invalid(what, "unknown value type " + std::to_string(static_cast<uint32_t>(type)));
        }
    }

private:
    static uint64_t unsigned_in(const GgufValue& v, uint64_t hi, const std::string& what) {
        if (v.u > hi) invalid(what, "value " + std::to_string(v.u) + " does not fit in " + gguf_type_name(v.type));
        return v.u;
    }
    static int64_t signed_in(const GgufValue& v, int64_t lo, int64_t hi, const std::string& what) {
        if (v.i < lo || v.i > hi) invalid(what, "value " + std::to_string(v.i) + " does not fit in " + gguf_type_name(v.type));
        return v.i;
    }

    std::vector<uint8_t>& out_;
};

}  // namespace

void GgufWriter::set(const std::string& key, GgufValue value) {
    for (GgufKV& kv : kvs_) {
        if (kv.key == key) {
            kv.value = std::move(value);
            return;
        }
    }
    kvs_.push_back({key, std::move(value)});
}

void GgufWriter::set_u32(const std::string& key, uint32_t v) { set(key, GgufValue::make_u32(v)); }
void GgufWriter::set_i32(const std::string& key, int32_t v) { set(key, GgufValue::make_i32(v)); }
void GgufWriter::set_f32(const std::string& key, float v) { set(key, GgufValue::make_f32(v)); }
void GgufWriter::set_bool(const std::string& key, bool v) { set(key, GgufValue::make_bool(v)); }
void GgufWriter::set_string(const std::string& key, const std::string& v) { set(key, GgufValue::make_string(v)); }

void GgufWriter::set_string_array(const std::string& key, const std::vector<std::string>& v) {
    std::vector<GgufValue> elems;
    elems.reserve(v.size());
    for (const std::string& s : v) elems.push_back(GgufValue::make_string(s));
    set(key, GgufValue::make_array(GgufType::STRING, std::move(elems)));
}

void GgufWriter::set_f32_array(const std::string& key, const std::vector<float>& v) {
    std::vector<GgufValue> elems;
    elems.reserve(v.size());
    for (float x : v) elems.push_back(GgufValue::make_f32(x));
    set(key, GgufValue::make_array(GgufType::FLOAT32, std::move(elems)));
}

void GgufWriter::set_i32_array(const std::string& key, const std::vector<int32_t>& v) {
    std::vector<GgufValue> elems;
    elems.reserve(v.size());
    for (int32_t x : v) elems.push_back(GgufValue::make_i32(x));
    set(key, GgufValue::make_array(GgufType::INT32, std::move(elems)));
}

uint64_t GgufWriter::checked_size(const std::string& name, DType type, const std::vector<int64_t>& ne) const {
    const std::string what = "tensor '" + name + "'";
    for (const Tensor& t : tensors_) {
        if (t.name == name) invalid(what, "duplicate tensor name");
    }
    if (ne.empty() || ne.size() > 4) invalid(what, std::to_string(ne.size()) + " dimensions (must be 1..4)");
    int64_t rows = 1;
    for (size_t d = 0; d < ne.size(); ++d) {
        if (ne[d] <= 0) invalid(what, "dimension " + std::to_string(d) + " is " + std::to_string(ne[d]) + " (must be > 0)");
        if (d > 0 && __builtin_mul_overflow(rows, ne[d], &rows)) invalid(what, "element count overflows");
    }
    const DTypeTraits* traits = find_dtype(static_cast<uint32_t>(type));
    if (traits == nullptr) invalid(what, "unknown type id " + std::to_string(static_cast<uint32_t>(type)));
    if (ne[0] % traits->block_size != 0) {
        invalid(what, "row length " + std::to_string(ne[0]) + " is not a multiple of the " + traits->name +
                          " block size " + std::to_string(traits->block_size));
    }
    uint64_t row_bytes = 0, n_bytes = 0;
    if (__builtin_mul_overflow(static_cast<uint64_t>(ne[0] / traits->block_size), uint64_t{traits->block_bytes},
                               &row_bytes) ||
        __builtin_mul_overflow(row_bytes, static_cast<uint64_t>(rows), &n_bytes)) {
        invalid(what, "byte size overflows");
    }
    return n_bytes;
}

void GgufWriter::add_tensor(const std::string& name, DType type, const std::vector<int64_t>& ne,
                            std::vector<uint8_t> data) {
    const uint64_t n_bytes = checked_size(name, type, ne);
    if (data.size() != n_bytes) {
        const DTypeTraits& traits = dtype_traits(type);
        int64_t rows = 1;
        for (size_t d = 1; d < ne.size(); ++d) rows *= ne[d];
        invalid("tensor '" + name + "'", "data holds " + std::to_string(data.size()) + " bytes, but " + traits.name +
                                             " " + std::to_string(ne[0]) + " x " + std::to_string(rows) + " needs " +
                                             std::to_string(n_bytes));
    }
    tensors_.push_back({name, type, ne, n_bytes, std::move(data), nullptr});
}

void GgufWriter::add_tensor_lazy(const std::string& name, DType type, const std::vector<int64_t>& ne,
                                 TensorProducer produce) {
    const uint64_t n_bytes = checked_size(name, type, ne);
    if (!produce) invalid("tensor '" + name + "'", "no producer");
    tensors_.push_back({name, type, ne, n_bytes, {}, std::move(produce)});
}

uint64_t GgufWriter::alignment() const {
    for (const GgufKV& kv : kvs_) {
        if (kv.key != "general.alignment") continue;
        if (kv.value.type != GgufType::UINT32 || kv.value.u < 8 || (kv.value.u & (kv.value.u - 1)) != 0 ||
            kv.value.u > UINT32_MAX) {
            invalid("key 'general.alignment'", "must be a uint32 power of two, at least 8");
        }
        return kv.value.u;
    }
    return kDefaultAlignment;
}

std::vector<uint8_t> GgufWriter::header_bytes(uint64_t alignment) const {
    std::vector<uint8_t> out;
    ByteSink sink(out);
    sink.put<uint32_t>(0x46554747);  // "GGUF"
    sink.put<uint32_t>(kVersion);
    sink.put<uint64_t>(tensors_.size());
    sink.put<uint64_t>(kvs_.size());
    for (const GgufKV& kv : kvs_) {
        sink.put_string(kv.key);
        if (!gguf_type_known(static_cast<uint32_t>(kv.value.type))) invalid("key '" + kv.key + "'", "unknown value type");
        sink.put<uint32_t>(static_cast<uint32_t>(kv.value.type));
        sink.put_value(kv.value, kv.value.type, 1, "key '" + kv.key + "'");
    }

    uint64_t offset = 0;
    for (const Tensor& t : tensors_) {
        sink.put_string(t.name);
        sink.put<uint32_t>(static_cast<uint32_t>(t.ne.size()));
        for (int64_t n : t.ne) sink.put<uint64_t>(static_cast<uint64_t>(n));
        sink.put<uint32_t>(static_cast<uint32_t>(t.type));
        sink.put<uint64_t>(offset);
        offset += (t.n_bytes + alignment - 1) / alignment * alignment;
    }
    sink.pad_to(alignment);
    return out;
}

void GgufWriter::emit_tensor(const Tensor& t, const ByteEmitter& emit) const {
    if (!t.produce) {
        emit(t.data.data(), t.data.size());
        return;
    }
    uint64_t emitted = 0;
    t.produce([&](const uint8_t* data, size_t size) {
        if (size > t.n_bytes - emitted) {
            fail(ErrorKind::Internal, "gguf-writer", "tensor '" + t.name + "': producer made more than its " +
                                                         std::to_string(t.n_bytes) + " bytes");
        }
        emitted += size;
        emit(data, size);
    });
    if (emitted != t.n_bytes) {
        fail(ErrorKind::Internal, "gguf-writer",
             "tensor '" + t.name + "': producer made " + std::to_string(emitted) + " bytes, expected " +
                 std::to_string(t.n_bytes));
    }
}

std::vector<uint8_t> GgufWriter::to_bytes() const {
    const uint64_t align = alignment();
    std::vector<uint8_t> out = header_bytes(align);
    uint64_t total = 0;
    for (const Tensor& t : tensors_) total += (t.n_bytes + align - 1) / align * align;
    out.reserve(out.size() + total);
    ByteSink sink(out);
    for (const Tensor& t : tensors_) {
        emit_tensor(t, [&](const uint8_t* data, size_t size) { out.insert(out.end(), data, data + size); });
        sink.pad_to(align);
    }
    return out;
}

void GgufWriter::write(const std::string& path) const {
    const uint64_t align = alignment();
    const std::vector<uint8_t> header = header_bytes(align);
    const std::string tmp = path + ".tmp";
    std::FILE* f = std::fopen(tmp.c_str(), "wb");
    if (f == nullptr) fail(ErrorKind::Io, "gguf-writer", path + ": cannot create " + tmp + ": " + std::strerror(errno));
    auto discard = [&] {
        if (f != nullptr) std::fclose(f);
        f = nullptr;
        std::remove(tmp.c_str());
    };
    auto io_fail = [&](const std::string& what, int err) {
        discard();
        fail(ErrorKind::Io, "gguf-writer", path + ": " + what + ": " + std::strerror(err));
    };
    const ByteEmitter put = [&](const uint8_t* data, size_t n) {
        if (n != 0 && std::fwrite(data, 1, n, f) != n) io_fail("write failed", errno);
    };
    static constexpr uint8_t kZeros[256] = {};
    try {
        put(header.data(), header.size());
        for (const Tensor& t : tensors_) {
            emit_tensor(t, put);
            const uint64_t pad = (align - t.n_bytes % align) % align;
            for (uint64_t done = 0; done < pad;) {
                const size_t n = (size_t)std::min<uint64_t>(pad - done, sizeof kZeros);
                put(kZeros, n);
                done += n;
            }
        }
    } catch (...) {
        // A producer failed (bad source data) or a write did: leave no half-written file behind.
        discard();
        throw;
    }
    const int close_rc = std::fclose(f);
    f = nullptr;
    if (close_rc != 0) io_fail("close failed", errno);
    // Rename last, so a reader never sees a half-written file under the final name.
    if (std::rename(tmp.c_str(), path.c_str()) != 0) io_fail("cannot rename " + tmp, errno);
}

}  // namespace akunu
