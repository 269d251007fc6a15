// The CUDA backend: device buffers, weights uploaded once, one stream, every op a kernel
// (cuda_ops.h), decode chains replayed as a captured CUDA graph (cuda_graph_chain.h), per-command
// timing with CUDA events. Activations and the KV cache are f32, as on the CPU, so results agree
// with the CPU backend to f32 summation order.
//
// This header compiles without the CUDA toolkit (backend_factory.cpp includes it): CUDA handle
// types are forward-declared by their struct names.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "backend/backend.h"
#include "backend/cuda/cublas_gemm.h"
#include "backend/cuda/fused_args.h"

struct CUstream_st;
struct CUevent_st;
struct CUgraphExec_st;

namespace akunu {

namespace cuda {
struct DevState;
}

// True when the CUDA runtime sees at least one device; otherwise false and *why says what failed
// ("no CUDA-capable device is detected", "CUDA driver version is insufficient ...").
bool cuda_device_available(std::string* why = nullptr);

// Throws Error(Unsupported) when no device is available.
std::unique_ptr<Backend> create_cuda_backend(const BackendOptions& options);

class CudaBackend final : public Backend {
public:
    explicit CudaBackend(const BackendOptions& options);
    ~CudaBackend() override;
    CudaBackend(const CudaBackend&) = delete;
    CudaBackend& operator=(const CudaBackend&) = delete;

    const DeviceConfig& config() const override { return config_; }
    BufferId create_buffer(size_t bytes, const char* name) override;
    BufferId import_weights(const void* host, size_t bytes, const char* name) override;
    void write(BufferId buf, size_t offset, const void* src, size_t bytes) override;
    void read(BufferId buf, size_t offset, void* dst, size_t bytes) override;
    void prepare(const DispatchTable& table) override;
    void run(const DispatchTable& table, const RunState& state) override;
    void run_chain(const DispatchTable& table, const RunState& first, int32_t n_steps) override;
    void run_profiled(const DispatchTable& table, const RunState& state, double* ms_per_command) override;
    uint64_t allocated_bytes() const override { return allocated_; }
    double measure_read_bandwidth_gbs() override;

private:
    struct Buffer {
        uint8_t* ptr = nullptr;
        size_t size = 0;
        bool imported = false;
        std::string name;
    };
    struct Resolved {
        uint8_t* in[3];
        uint8_t* out[2];
    };
    struct Prepared {
        std::vector<Resolved> resolved;
        // Fused runs of commands (the normal and chained paths; run_profiled times the commands
        // one by one): group[i] > 1 at the first command of a run of that many, with its arguments.
        std::vector<uint8_t> group;
        std::vector<cuda::QkRopeStore> qk_rope_store;
        // Runs of single-token MatMuls on one input (q/k/v, gate/up): gemv_group[i] > 1 at the first,
        // launched as one packed GEMV when all of them have packed weights (enqueue_packed_group), or
        // as one dense GEMV for F32 / F16 / BF16 weights (enqueue_dense_group).
        std::vector<uint8_t> gemv_group;
        CUgraphExec_st* step_graph = nullptr;  // captured on first M = 1 run / chain
    };

    Prepared& prepared_for(const DispatchTable& table);
    void check_range(BufferId buf, size_t offset, size_t bytes, const char* what) const;
    void validate(const Command& c, const Resolved& r, const std::string& label) const;
    void upload_state(const RunState& s);
    void enqueue(const Command& c, const Resolved& r, const RunState& s);
    void enqueue_table(const DispatchTable& table, const Prepared& p, const RunState& s);
    bool enqueue_packed_group(const DispatchTable& table, const Prepared& p, size_t first);
    bool enqueue_dense_group(const DispatchTable& table, const Prepared& p, size_t first);
    CUgraphExec_st* step_graph(const DispatchTable& table, Prepared& p);
    void synchronize();
    void reserve_gemm_scratch(const DispatchTable& table);
    void find_fusions(const DispatchTable& table, Prepared& p) const;
    void note_writes(const Command& c);
    void reserve_q8_scratch(const DispatchTable& table);
    void pack_weights(const DispatchTable& table, const Prepared& p);
    void drop_packed(BufferId source);
    void drop_graphs();

    DeviceConfig config_;
    int device_ = 0;
    int sms_ = 0;
    CUstream_st* stream_ = nullptr;
    cuda::DevState* state_ = nullptr;       // device
    cuda::DevState* state_host_ = nullptr;  // pinned, the source of the state copies
    std::vector<Buffer> buffers_;
    std::unordered_map<const void*, BufferId> imported_;  // host pointer -> its device copy
    std::unordered_map<const DispatchTable*, Prepared> prepared_;
    std::vector<CUevent_st*> events_;  // run_profiled: a start and an end per command
    uint8_t* attn_scratch_ = nullptr;  // decode attention's split partials, sized for the largest table
    size_t attn_scratch_bytes_ = 0;
    bool exact_activations_ = true;
    cuda::CublasGemm gemm_;  // fast prefill: handle and f16 scratch, grown in prepare()
    // The dp4a GEMV's quantized activations: scratch (grown in prepare(); graphs hold its address)
    // and, while a table is enqueued, which x it holds (reused by the next GEMV of the same input).
    uint8_t* q8_scratch_ = nullptr;
    size_t q8_scratch_bytes_ = 0;
    const uint8_t* q8_src_ = nullptr;
    uint32_t q8_k_ = 0;
    BufferId q8_buf_ = kNoBuffer;
    // Decode GEMV weights repacked into quant + scale planes (gemv_q_packed.cu), by the address of
    // the GGUF-layout tensor they copy; made in prepare() on the fast path when memory allows.
    struct PackedWeight {
        uint8_t* ptr = nullptr;
        size_t bytes = 0;
        BufferId source = kNoBuffer;
    };
    std::unordered_map<const uint8_t*, PackedWeight> packed_;
    bool repack_ = true;      // AKUNU_CUDA_NO_REPACK=1 turns it off (A/B measurements)
    bool gemv_group_ = true;  // AKUNU_CUDA_NO_GEMV_GROUP=1: q/k/v and gate/up as separate launches
    uint64_t allocated_ = 0;
};

}  // namespace akunu
