// GGUF v3 writer: metadata + tensors, aligned as llama.cpp expects (general.alignment, default 32).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "format/dtype.h"
#include "format/gguf_value.h"

namespace akunu {

class GgufWriter {
public:
    void set(const std::string& key, GgufValue value);  // replaces an existing key
    void set_u32(const std::string& key, uint32_t v);
    void set_i32(const std::string& key, int32_t v);
    void set_f32(const std::string& key, float v);
    void set_bool(const std::string& key, bool v);
    void set_string(const std::string& key, const std::string& v);
    void set_string_array(const std::string& key, const std::vector<std::string>& v);
    void set_f32_array(const std::string& key, const std::vector<float>& v);
    void set_i32_array(const std::string& key, const std::vector<int32_t>& v);

    // ne in ggml order (ne[0] = row length). `data` must hold exactly the tensor's byte size.
    void add_tensor(const std::string& name, DType type, const std::vector<int64_t>& ne,
                    std::vector<uint8_t> data);

    // A tensor whose bytes are made only while the file is written and handed over in pieces, so
    // that a converter holds a row, not the model. `produce` passes the tensor's bytes, in order,
    // to `emit`; in all exactly the tensor's byte size (else Internal). It runs once per
    // to_bytes()/write().
    using ByteEmitter = std::function<void(const uint8_t* data, size_t size)>;
    using TensorProducer = std::function<void(const ByteEmitter& emit)>;
    void add_tensor_lazy(const std::string& name, DType type, const std::vector<int64_t>& ne,
                         TensorProducer produce);

    std::vector<uint8_t> to_bytes() const;
    // Streams the file (tensor by tensor) to `path` + ".tmp", then renames it; throws Io on failure.
    void write(const std::string& path) const;

private:
    struct Tensor {
        std::string name;
        DType type;
        std::vector<int64_t> ne;
        uint64_t n_bytes = 0;
        std::vector<uint8_t> data;  // empty when `produce` is set
        TensorProducer produce;
    };
    uint64_t checked_size(const std::string& name, DType type, const std::vector<int64_t>& ne) const;
    uint64_t alignment() const;
    std::vector<uint8_t> header_bytes(uint64_t alignment) const;  // everything before the tensor data
    void emit_tensor(const Tensor& t, const ByteEmitter& emit) const;
    std::vector<GgufKV> kvs_;
    std::vector<Tensor> tensors_;
};

}  // namespace akunu
