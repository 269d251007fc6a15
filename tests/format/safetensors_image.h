// Builds safetensors images in memory for the reader's tests: a JSON header (written by hand, so
// that tests can make it malformed) and a data section.
#pragma once

#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <string>
#include <vector>

namespace st_image {

// 8-byte little-endian length, the header text, then `data`.
inline std::vector<uint8_t> image(const std::string& header, const std::vector<uint8_t>& data, uint64_t length) {
    std::vector<uint8_t> out;
    out.reserve(8 + header.size() + data.size());
    for (int i = 0; i < 8; ++i) out.push_back((uint8_t)(length >> (8 * i)));
    out.insert(out.end(), header.begin(), header.end());
    out.insert(out.end(), data.begin(), data.end());
    return out;
}

inline std::vector<uint8_t> image(const std::string& header, const std::vector<uint8_t>& data) {
    return image(header, data, header.size());
}

inline std::vector<uint8_t> f32_bytes(const std::vector<float>& v) {
    std::vector<uint8_t> out(v.size() * 4);
    if (!v.empty()) std::memcpy(out.data(), v.data(), out.size());
    return out;
}

// One header entry: "name": {"dtype": ..., "shape": ..., "data_offsets": [b, e]}.
inline std::string entry(const std::string& name, const std::string& dtype, const std::string& shape, uint64_t begin,
                         uint64_t end) {
    return "\"" + name + "\": {\"dtype\": \"" + dtype + "\", \"shape\": " + shape + ", \"data_offsets\": [" +
           std::to_string(begin) + ", " + std::to_string(end) + "]}";
}

// The header object of `members` ("name": {...} entries, or "__metadata__": {...}), joined
// without string operator+ chains (which GCC 12 misdiagnoses under -Wrestrict).
inline std::string header(std::initializer_list<std::string> members) {
    std::string out = "{";
    for (const std::string& m : members) {
        if (out.size() > 1) out.append(", ");
        out.append(m);
    }
    out.append("}");
    return out;
}

}  // namespace st_image
