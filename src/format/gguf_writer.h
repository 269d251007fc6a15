// GGUF v3 writer: metadata + tensors, aligned as llama.cpp expects (general.alignment, default 32).
#pragma once

#include <cstdint>
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

    std::vector<uint8_t> to_bytes() const;
    void write(const std::string& path) const;  // throws Io on failure

private:
    struct Tensor {
        std::string name;
        DType type;
        std::vector<int64_t> ne;
        std::vector<uint8_t> data;
    };
    std::vector<GgufKV> kvs_;
    std::vector<Tensor> tensors_;
};

}  // namespace akunu
