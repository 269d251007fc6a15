// The CPU backend: host buffers, a thread pool, and a replay loop over the command array.
#pragma once

#include <cstdlib>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "backend/backend.h"
#include "backend/cpu/attention_dispatch.h"
#include "backend/cpu/cpu_kernels.h"
#include "backend/cpu/elementwise_dispatch.h"
#include "backend/cpu/matmul_dispatch.h"
#include "backend/cpu/rope_table.h"
#include "backend/cpu/thread_pool.h"

namespace akunu {

class CpuBackend final : public Backend {
public:
    explicit CpuBackend(const BackendOptions& options);
    ~CpuBackend() override;

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
        bool owned = false;
        std::string name;
    };
    // A command with its buffer ids resolved to pointers (done once in prepare()).
    struct Resolved {
        uint8_t* in[3];
        uint8_t* out[2];
        // Consecutive MatMuls on one input run as one group (matmul_group.cpp): the first holds the
        // group's size, the others 0; 1 for every other command.
        int32_t group = 1;
    };

    const std::vector<Resolved>& resolved_for(const DispatchTable& table) const;
    void execute(const Command& cmd, const Resolved& r, const RunState& state);
    // Runs command i, or the group it starts; returns the number of commands done.
    size_t execute_at(const DispatchTable& table, const std::vector<Resolved>& resolved, size_t i, const RunState& s);
    void execute_group(const Command* cmds, const Resolved* rs, int32_t count, const RunState& state);
    void group_matmuls(const DispatchTable& table, std::vector<Resolved>& resolved) const;
    void rope(float* x, const float* factors, int32_t m, int32_t pos0, const Command& c);  // factors may be null
    void check_range(BufferId buf, size_t offset, size_t bytes, const char* what) const;

    DeviceConfig config_;
    std::unique_ptr<ThreadPool> pool_;
    std::vector<Buffer> buffers_;
    std::unordered_map<const DispatchTable*, std::vector<Resolved>> prepared_;
    std::vector<float> scratch_storage_;
    std::unique_ptr<uint8_t, void (*)(void*)> qact_storage_{nullptr, std::free};
    std::unique_ptr<MatMulDispatch> matmul_;
    std::unique_ptr<AttentionDispatch> attention_;
    std::unique_ptr<ElementwiseDispatch> elementwise_;
    RopeTable rope_table_;
    size_t matmul_scratch_bytes_ = 0;  // bytes of qact_storage_
    CpuScratch scratch_;
    uint64_t allocated_ = 0;
};

}  // namespace akunu
