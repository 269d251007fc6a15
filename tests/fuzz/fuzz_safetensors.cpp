// libFuzzer target for the safetensors reader: any input must either parse into tensors that
// tile the data section exactly (every byte of every view readable) or throw akunu::Error.
// Anything else (a crash, a sanitizer report, another exception, a broken invariant) is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "core/error.h"
#include "format/safetensors_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::unique_ptr<akunu::SafetensorsFile> f;
    try {
        f = akunu::SafetensorsFile::from_memory(data, size, "fuzz.safetensors");
    } catch (const akunu::Error&) {
        return 0;
    }
    volatile uint64_t sink = 0;
    uint64_t acc = 0, covered = 0;
    const uint8_t* next = nullptr;
    for (const akunu::SafetensorsTensor& t : f->tensors()) {
        if (f->find(t.name) != &t) abort();
        if (t.n_bytes != t.n_elements * akunu::st_dtype_size(t.dtype)) abort();
        uint64_t elements = 1;
        for (int64_t d : t.shape) {
            if (d < 0) abort();
            elements *= (uint64_t)d;
        }
        if (elements != t.n_elements) abort();
        if (next != nullptr && t.data != next) abort();  // in data order, back to back
        next = t.data + t.n_bytes;
        covered += t.n_bytes;
        for (uint64_t k = 0; k < t.n_bytes; ++k) acc = acc * 257 + t.data[k];
    }
    if (covered > size) abort();
    sink = acc;
    (void)sink;
    return 0;
}
