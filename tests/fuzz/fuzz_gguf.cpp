// libFuzzer target for the GGUF reader: any input must either parse into a self-consistent file
// whose every value and tensor byte can be read, or throw akunu::Error. Anything else (a crash, a
// sanitizer report, an exception of another type, a broken invariant) is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "core/error.h"
#include "format/gguf_file.h"

namespace {

// Folds every byte reachable from a value into `acc`, so nothing is optimised away.
uint64_t touch(const akunu::GgufValue& v, uint64_t acc) {
    acc = acc * 31 + static_cast<uint32_t>(v.type) + v.u + static_cast<uint64_t>(v.i) + (v.f != 0.0);
    for (unsigned char c : v.s) acc = acc * 131 + c;
    for (const akunu::GgufValue& e : v.elems) {
        if (e.type != v.elem_type) abort();  // the reader promises homogeneous arrays
        acc = touch(e, acc);
    }
    return acc;
}

// Calls every getter on a key; each either answers or throws Error.
uint64_t exercise_getters(const akunu::GgufFile& f, const std::string& key) {
    uint64_t acc = 0;
    auto guarded = [&](auto fn) {
        try {
            acc += fn();
        } catch (const akunu::Error&) {
        }
    };
    guarded([&] { return uint64_t{f.get_u32(key)}; });
    guarded([&] { return f.get_u64(key); });
    guarded([&] { return static_cast<uint64_t>(f.get_f32(key) != 0.0f); });
    guarded([&] { return uint64_t{f.get_bool_or(key, false)}; });
    guarded([&] { return uint64_t{f.get_string(key).size()}; });
    // The array getters copy; on big arrays (vocabularies) they would only slow the fuzzer down.
    const akunu::GgufValue* v = f.find(key);
    if (v != nullptr && v->elems.size() <= 4096) {
        guarded([&] { return uint64_t{f.get_string_array(key).size()}; });
        guarded([&] { return uint64_t{f.get_f32_array(key).size()}; });
        guarded([&] { return uint64_t{f.get_i32_array(key).size()}; });
    }
    return acc;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::unique_ptr<akunu::GgufFile> f;
    try {
        f = akunu::GgufFile::from_memory(data, size, "fuzz.gguf");
    } catch (const akunu::Error&) {
        return 0;
    }

    volatile uint64_t sink = 0;
    uint64_t acc = f->version() + f->alignment() + f->data_offset();
    for (const akunu::GgufKV& kv : f->metadata()) {
        if (f->find(kv.key) != &kv.value) abort();
        acc = touch(kv.value, acc);
        acc += exercise_getters(*f, kv.key);
    }
    for (const akunu::GgufTensorInfo& t : f->tensors()) {
        if (f->find_tensor(t.name) != &t) abort();
        if (t.n_dims < 1 || t.n_dims > 4 || t.n_elements() <= 0) abort();
        if (t.offset % f->alignment() != 0) abort();
        if (f->data_offset() + t.offset + t.n_bytes > f->file_size()) abort();
        // Touch every data byte: ASan reports any view that leaves the image.
        for (uint64_t k = 0; k < t.n_bytes; ++k) acc = acc * 257 + t.data[k];
    }
    sink = acc;
    (void)sink;
    return 0;
}
