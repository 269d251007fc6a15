// The GGUF v2/v3 parser behind GgufFile: header, metadata, tensor infos, then layout checks.
//
// Every read is bounds-checked against the file size and every size computation is checked for
// overflow, so a hostile file can only produce an akunu::Error, never a wild read, a huge
// allocation or deep recursion. Each error names the file and the entry being read.
#include <algorithm>
#include <bit>
#include <cstring>
#include <numeric>
#include <string>

#include "core/error.h"
#include "format/gguf_file.h"

namespace akunu {

static_assert(std::endian::native == std::endian::little, "GGUF is little-endian; so is every host we target");

namespace {

constexpr uint32_t kMagic = 0x46554747;  // the bytes "GGUF" read as a little-endian u32
constexpr uint32_t kMaxDims = 4;
constexpr uint64_t kDefaultAlignment = 32;
// Smallest encodings, used to bound counts by the bytes left before anything is reserved:
// a KV is at least an empty key (u64 length), a u32 type and a one-byte scalar; a tensor info at
// least an empty name, u32 n_dims, one u64 dim, u32 type and u64 offset.
constexpr uint64_t kMinKvBytes = 8 + 4 + 1;
constexpr uint64_t kMinTensorInfoBytes = 8 + 4 + 8 + 4 + 8;

std::string hex32(uint32_t v) {
    static const char digits[] = "0123456789abcdef";
    std::string out = "0x";
    for (int shift = 28; shift >= 0; shift -= 4) out += digits[(v >> shift) & 0xf];
    return out;
}

class Parser {
public:
    Parser(const std::string& file, const uint8_t* base, size_t size) : file_(file), base_(base), size_(size) {}

    [[noreturn]] void error(ErrorKind kind, const std::string& detail) const {
        std::string msg = file_ + ": ";
        if (!where_.empty()) msg += where_ + ": ";
        fail(kind, "gguf", msg + detail);
    }
    [[noreturn]] void bad(const std::string& detail) const { error(ErrorKind::Format, detail); }

    void set_where(std::string where) { where_ = std::move(where); }
    size_t pos() const { return pos_; }
    size_t remaining() const { return size_ - pos_; }

    void need(uint64_t n, const char* what) const {
        if (n > remaining()) {
            bad(std::string("truncated: ") + what + " needs " + std::to_string(n) + " bytes at offset " +
                std::to_string(pos_) + " but the file is " + std::to_string(size_) + " bytes");
        }
    }

    template <class T>
    T read(const char* what) {
        need(sizeof(T), what);
        T v;
        std::memcpy(&v, base_ + pos_, sizeof v);
        pos_ += sizeof v;
        return v;
    }

    std::string read_string(const char* what) {
        std::string s;
        read_string_into(s, what);
        return s;
    }

    GgufType read_type(const char* what) {
        const uint32_t id = read<uint32_t>(what);
        if (!gguf_type_known(id)) bad(std::string("unknown ") + what + " " + std::to_string(id));
        return static_cast<GgufType>(id);
    }

    // Reads one value of `type` into `v` (in place, so big arrays build no temporaries).
    // `depth` is the nesting level an ARRAY value would have (1 for a top-level array).
    void read_value(GgufValue& v, GgufType type, int depth) {
        v.type = type;
        switch (type) {
            case GgufType::UINT8: v.u = read<uint8_t>("uint8 value"); break;
            case GgufType::INT8: v.i = read<int8_t>("int8 value"); break;
            case GgufType::UINT16: v.u = read<uint16_t>("uint16 value"); break;
            case GgufType::INT16: v.i = read<int16_t>("int16 value"); break;
            case GgufType::UINT32: v.u = read<uint32_t>("uint32 value"); break;
            case GgufType::INT32: v.i = read<int32_t>("int32 value"); break;
            case GgufType::UINT64: v.u = read<uint64_t>("uint64 value"); break;
            case GgufType::INT64: v.i = read<int64_t>("int64 value"); break;
            case GgufType::FLOAT32: v.f = read<float>("float32 value"); break;
            case GgufType::FLOAT64: v.f = read<double>("float64 value"); break;
            case GgufType::BOOL: {
                const uint8_t b = read<uint8_t>("bool value");
                if (b > 1) bad("bool value " + std::to_string(b) + " at offset " + std::to_string(pos_ - 1) + " (must be 0 or 1)");
                v.u = b;
                break;
            }
            case GgufType::STRING: read_string_into(v.s, "string"); break;
            case GgufType::ARRAY: read_array(v, depth); break;
        }
    }

private:
    void read_string_into(std::string& s, const char* what) {
        const size_t at = pos_;
        const uint64_t len = read<uint64_t>(what);
        if (len > remaining()) {
            bad(std::string(what) + " length " + std::to_string(len) + " at offset " + std::to_string(at) +
                " runs past the end of the file (" + std::to_string(size_) + " bytes)");
        }
        s.assign(reinterpret_cast<const char*>(base_ + pos_), static_cast<size_t>(len));
        pos_ += static_cast<size_t>(len);
    }

    void read_array(GgufValue& v, int depth) {
        v.elem_type = read_type("array element type");
        if (v.elem_type == GgufType::ARRAY && depth >= kGgufMaxArrayDepth) {
            bad("arrays nested deeper than " + std::to_string(kGgufMaxArrayDepth) + " levels");
        }
        const size_t at = pos_;
        const uint64_t count = read<uint64_t>("array length");
        uint64_t min_elem = gguf_scalar_size(v.elem_type);
        if (v.elem_type == GgufType::STRING) min_elem = 8;              // u64 length
        if (v.elem_type == GgufType::ARRAY) min_elem = 4 + 8;           // u32 type + u64 count
        if (count > remaining() / min_elem) {
            bad("array of " + std::to_string(count) + " " + gguf_type_name(v.elem_type) + " at offset " +
                std::to_string(at) + " runs past the end of the file (" + std::to_string(size_) + " bytes)");
        }
        v.elems.resize(static_cast<size_t>(count));
        for (GgufValue& e : v.elems) read_value(e, v.elem_type, depth + 1);
    }

    const std::string& file_;
    const uint8_t* base_;
    size_t size_;
    size_t pos_ = 0;
    std::string where_;
};

bool is_power_of_two(uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }

}  // namespace

void GgufFile::parse() {
    Parser p(name_, base_, size_);

    // ---- header: magic, version, counts
    p.set_where("header");
    if (size_ == 0) p.bad("empty file (0 bytes), not a GGUF file");
    const uint32_t magic = p.read<uint32_t>("magic");
    if (magic != kMagic) p.bad("bad magic " + hex32(magic) + " (expected \"GGUF\"), not a GGUF file");
    version_ = p.read<uint32_t>("version");
    if (version_ != 2 && version_ != 3) {
        std::string why = "unsupported GGUF version " + std::to_string(version_) + " (supported: 2 and 3)";
        if (version_ == 1) why += "; version 1 used 32-bit counts, re-convert the file";
        const uint32_t swapped = __builtin_bswap32(version_);
        if (swapped >= 1 && swapped <= 3) why += "; this looks like a big-endian file, which is not supported";
        p.error(ErrorKind::Unsupported, why);
    }
    const uint64_t tensor_count = p.read<uint64_t>("tensor count");
    const uint64_t kv_count = p.read<uint64_t>("metadata count");
    // Bound both counts by the bytes left, so absurd counts fail here instead of in reserve().
    if (kv_count > p.remaining() / kMinKvBytes) {
        p.bad("metadata count " + std::to_string(kv_count) + " cannot fit in the " + std::to_string(p.remaining()) +
              " bytes after the header (truncated or corrupt file)");
    }
    if (tensor_count > (p.remaining() - kv_count * kMinKvBytes) / kMinTensorInfoBytes) {
        p.bad("tensor count " + std::to_string(tensor_count) + " cannot fit in the " + std::to_string(p.remaining()) +
              " bytes after the header (truncated or corrupt file)");
    }

    // ---- metadata
    kvs_.reserve(static_cast<size_t>(kv_count));
    kv_index_.reserve(static_cast<size_t>(kv_count));
    for (uint64_t i = 0; i < kv_count; ++i) {
        p.set_where("metadata entry #" + std::to_string(i));
        GgufKV kv;
        kv.key = p.read_string("key");
        p.set_where("key '" + kv.key + "'");
        if (kv_index_.count(kv.key) != 0) {
            p.bad("duplicate key (first defined by metadata entry #" + std::to_string(kv_index_[kv.key]) + ")");
        }
        const GgufType type = p.read_type("value type");
        p.read_value(kv.value, type, 1);
        kv_index_.emplace(kv.key, kvs_.size());
        kvs_.push_back(std::move(kv));
    }

    alignment_ = kDefaultAlignment;
    if (const GgufValue* a = find("general.alignment")) {
        p.set_where("key 'general.alignment'");
        if (a->type != GgufType::UINT32) p.bad(std::string("must be uint32, got ") + gguf_type_name(a->type));
        if (!is_power_of_two(a->u)) p.bad("alignment " + std::to_string(a->u) + " is not a power of two");
        // The GGUF spec requires a multiple of 8; kernels read f32/f16 weights in place and rely on it.
        if (a->u % 8 != 0) p.bad("alignment " + std::to_string(a->u) + " is not a multiple of 8");
        alignment_ = a->u;
    }

    // ---- tensor infos
    tensors_.reserve(static_cast<size_t>(tensor_count));
    tensor_index_.reserve(static_cast<size_t>(tensor_count));
    for (uint64_t i = 0; i < tensor_count; ++i) {
        p.set_where("tensor info #" + std::to_string(i));
        GgufTensorInfo t;
        t.name = p.read_string("tensor name");
        p.set_where("tensor '" + t.name + "'");
        if (tensor_index_.count(t.name) != 0) {
            p.bad("duplicate tensor name (first defined by tensor info #" + std::to_string(tensor_index_[t.name]) + ")");
        }
        t.n_dims = p.read<uint32_t>("n_dims");
        if (t.n_dims == 0 || t.n_dims > kMaxDims) {
            p.bad("n_dims " + std::to_string(t.n_dims) + " is out of range (1.." + std::to_string(kMaxDims) + ")");
        }
        int64_t n_elements = 1;
        for (uint32_t d = 0; d < t.n_dims; ++d) {
            const uint64_t ne = p.read<uint64_t>("dimension");
            if (ne == 0) p.bad("dimension " + std::to_string(d) + " is 0");
            if (ne > static_cast<uint64_t>(INT64_MAX)) {
                p.bad("dimension " + std::to_string(d) + " is " + std::to_string(ne) + " (negative as int64)");
            }
            t.ne[d] = static_cast<int64_t>(ne);
            if (__builtin_mul_overflow(n_elements, t.ne[d], &n_elements)) p.bad("element count overflows int64");
        }
        const uint32_t type_id = p.read<uint32_t>("tensor type");
        const DTypeTraits* traits = find_dtype(type_id);
        if (traits == nullptr) p.error(ErrorKind::Unsupported, "unknown tensor type id " + std::to_string(type_id));
        t.type = traits->type;
        if (t.ne[0] % traits->block_size != 0) {
            p.bad("row length " + std::to_string(t.ne[0]) + " is not a multiple of the " + traits->name +
                  " block size " + std::to_string(traits->block_size));
        }
        uint64_t row_bytes = 0;
        if (__builtin_mul_overflow(static_cast<uint64_t>(t.ne[0]) / traits->block_size, uint64_t{traits->block_bytes},
                                   &row_bytes) ||
            __builtin_mul_overflow(row_bytes, static_cast<uint64_t>(t.n_rows()), &t.n_bytes)) {
            p.bad("byte size overflows");
        }
        t.offset = p.read<uint64_t>("tensor offset");
        if (t.offset % alignment_ != 0) {
            p.bad("offset " + std::to_string(t.offset) + " is not a multiple of the alignment " + std::to_string(alignment_));
        }
        tensor_index_.emplace(t.name, tensors_.size());
        tensors_.push_back(std::move(t));
    }

    // ---- data section: starts at the next multiple of the alignment after the infos.
    p.set_where("data section");
    const uint64_t infos_end = p.pos();
    if (__builtin_add_overflow(infos_end, alignment_ - 1, &data_offset_)) p.bad("data offset overflows");
    data_offset_ -= data_offset_ % alignment_;

    for (GgufTensorInfo& t : tensors_) {
        p.set_where("tensor '" + t.name + "'");
        uint64_t start = 0, end = 0;
        if (__builtin_add_overflow(data_offset_, t.offset, &start) || __builtin_add_overflow(start, t.n_bytes, &end) ||
            end > size_) {
            p.bad("data at offset " + std::to_string(t.offset) + " + " + std::to_string(t.n_bytes) +
                  " bytes runs past the end of the file (data section starts at " + std::to_string(data_offset_) +
                  ", file is " + std::to_string(size_) + " bytes; truncated?)");
        }
        t.data = base_ + start;
    }

    // Tensors may be stored in any order, but no two may share bytes.
    std::vector<size_t> order(tensors_.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return tensors_[a].offset < tensors_[b].offset; });
    for (size_t k = 1; k < order.size(); ++k) {
        const GgufTensorInfo& prev = tensors_[order[k - 1]];
        const GgufTensorInfo& cur = tensors_[order[k]];
        if (prev.offset + prev.n_bytes > cur.offset) {  // both in bounds above, so no overflow
            p.set_where("tensor '" + cur.name + "'");
            p.bad("data at offset " + std::to_string(cur.offset) + " overlaps tensor '" + prev.name + "' (offset " +
                  std::to_string(prev.offset) + ", " + std::to_string(prev.n_bytes) + " bytes)");
        }
    }
}

}  // namespace akunu
