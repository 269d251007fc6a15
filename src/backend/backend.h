// The one interface every backend implements (CPU now, CUDA next, Metal possible): buffers, and
// running a dispatch table — whole, as a chain of N greedy steps, or one command at a time timed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "backend/device_config.h"
#include "plan/command.h"
#include "plan/dispatch_table.h"

namespace akunu {

struct BackendOptions {
    int32_t n_threads = 0;       // 0: all cores
    uint32_t prefill_chunk = 0;  // 0: the device default
    bool fuse_residual_add = true;  // false forces the unfused residual path (MatMul + Add)
    // CPU kernel level: "auto" (the best this CPU has, or the AKUNU_ISA environment variable),
    // "scalar", "avx2", "avx512". A level the CPU lacks is refused (Unsupported).
    std::string isa = "auto";
    // false: MatMul on Q4_0/Q8_0/Q4_K/Q6_K weights quantizes activations to 8-bit blocks and uses
    // integer dot products (fast; ~1e-3 relative difference, as llama.cpp). true: f32 activations
    // throughout (f32 accuracy; what the op tests' 1e-5 tolerances and every whole-model f64
    // comparison assume, hence the default for code that builds a backend directly). The engine
    // passes EngineOptions::exact_activations; the C API turns it off (runtime/engine.h).
    bool exact_activations = true;
};

class Backend {
public:
    virtual ~Backend() = default;

    virtual const DeviceConfig& config() const = 0;

    // A zero-filled buffer owned by the backend.
    virtual BufferId create_buffer(size_t bytes, const char* name) = 0;
    // Weights that live in host memory for the model's lifetime (the mmap). The CPU backend keeps a
    // pointer (zero copy); a GPU backend uploads them once.
    virtual BufferId import_weights(const void* host, size_t bytes, const char* name) = 0;
    virtual void write(BufferId buf, size_t offset, const void* src, size_t bytes) = 0;
    virtual void read(BufferId buf, size_t offset, void* dst, size_t bytes) = 0;

    // Called once per table after it is built: resolves buffer ids, checks ops are supported.
    virtual void prepare(const DispatchTable& table) = 0;
    // Runs the whole table once and waits for it.
    virtual void run(const DispatchTable& table, const RunState& state) = 0;
    // Runs the table n_steps times at positions first.pos + i, step i, feeding each Argmax result
    // to the next EmbedLookup without returning to the caller.
    virtual void run_chain(const DispatchTable& table, const RunState& first, int32_t n_steps) = 0;
    // Runs each command on its own and stores its time in ms_per_command[i].
    virtual void run_profiled(const DispatchTable& table, const RunState& state, double* ms_per_command) = 0;

    // Bytes the backend allocated itself (imported weights not included).
    virtual uint64_t allocated_bytes() const = 0;

    // Measured read bandwidth of the device's memory in GB/s (1e9 bytes/s): a streaming read of a
    // buffer far larger than any cache, best of several passes. Takes about a second.
    virtual double measure_read_bandwidth_gbs() = 0;
};

std::unique_ptr<Backend> create_backend(BackendKind kind, const BackendOptions& options);

// Whether this build has the backend and the machine has a device for it.
bool backend_available(BackendKind kind);

}  // namespace akunu
