// A loaded model with one session: weights bound to a backend, the decode and prefill tables,
// the KV cache and scratch (allocated once), and the position. The C API wraps exactly this.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "backend/backend.h"
#include "model/model_config.h"
#include "model/model_weights.h"
#include "plan/dispatch_table.h"
#include "plan/table_builder.h"
#include "tokenizer/tokenizer.h"

namespace akunu {

class GgufFile;

struct EngineOptions {
    uint32_t max_context = 0;  // 0: the model's context length, capped at kDefaultMaxContext
    BackendKind backend = BackendKind::Cpu;
    int32_t n_threads = 0;
    uint32_t prefill_chunk = 0;
    bool check_memory = true;
    uint64_t memory_limit_bytes = 0;  // 0: what the device reports available; else the smaller of the two
    bool fuse_residual_add = true;  // false: MatMul into tmp + separate Add (the unfused oracle path)
    // CPU kernel level (BackendOptions::isa): "auto", "scalar", "avx2", "avx512".
    std::string isa = "auto";
    // Exact by default HERE: EngineOptions{} keeps f32 activations in every MatMul, so whole-model
    // comparisons against the f64 reference hold at 1e-4 for quantized weights too (the runtime
    // tests construct EngineOptions{}). false takes the fast integer path for Q4_0/Q8_0/Q4_K/Q6_K
    // (activations quantized to 8 bits, as llama.cpp does; ~1e-3 relative). The C API
    // (akunu_load_model / akunu_load_synthetic, hence the tools) sets it to false: users get speed.
    bool exact_activations = true;
    std::function<void(uint64_t done, uint64_t total)> progress;
    // A Hugging Face folder's 2-D weights are converted to this type at load (unset: as stored).
    std::optional<DType> hf_weight_type;
    // KV cache element type (runtime/kv_type.h): F32 or F16 (CUDA only). F32 by default HERE, like
    // exact_activations; the C API picks the backend's default (f16 on CUDA) when the caller names none.
    DType kv_type = DType::F32;
};

constexpr uint32_t kDefaultMaxContext = 4096;

struct MemoryInfo {
    uint64_t weight_bytes = 0;
    uint64_t kv_cache_bytes = 0;
    uint64_t scratch_bytes = 0;
    uint64_t total() const { return weight_bytes + kv_cache_bytes + scratch_bytes; }
};

// Sizes of what a model needs at a given context, computed before anything is allocated.
MemoryInfo estimate_memory(const ModelConfig& config, uint64_t weight_bytes, uint32_t max_context,
                           uint32_t prefill_chunk, DType kv_type = DType::F32);

class Engine {
public:
    // A GGUF file, or a Hugging Face folder (a directory), converted at load (runtime/hf_folder.h).
    static std::unique_ptr<Engine> load_file(const std::string& path, const EngineOptions& options);
    static std::unique_ptr<Engine> load(std::unique_ptr<GgufFile> file, const EngineOptions& options);
    ~Engine();

    const ModelConfig& config() const { return config_; }
    const ModelWeights& weights() const { return weights_; }
    const Tokenizer& tokenizer() const { return *tokenizer_; }
    const DeviceConfig& device() const { return backend_->config(); }
    const GgufFile& file() const { return *file_; }
    MemoryInfo memory() const { return memory_; }
    uint32_t max_context() const { return max_ctx_; }
    DType kv_type() const { return kv_.dtype; }
    int32_t position() const { return pos_; }

    // Each appends at the current position and returns the argmax of the last position's logits.
    int32_t prefill(const int32_t* tokens, int32_t n);
    int32_t decode_step(int32_t token);
    // Feeds `token`, then each argmax, n times; out[i] = the i-th generated token.
    void chain_decode(int32_t token, int32_t n, int32_t* out);
    void reset() { pos_ = 0; logits_valid_ = false; }
    // Moves the position back (drops cached tokens past it), e.g. after a chain overshot a stop.
    void truncate(int32_t position);

    const std::vector<float>& logits();  // of the last computed position

    // One decode step with every command run and timed on its own; ms has decode_table().size() slots.
    void profile_decode_step(int32_t token, int32_t position, double* ms);

    // The device's streaming read bandwidth, measured now (GB/s).
    double measure_read_bandwidth_gbs() { return backend_->measure_read_bandwidth_gbs(); }

    const DispatchTable& decode_table() const { return decode_; }
    const DispatchTable& prefill_table() const { return prefill_; }

private:
    Engine() = default;
    void init(std::unique_ptr<GgufFile> file, const EngineOptions& options);
    void check_tokens(const int32_t* tokens, int32_t n, const char* what) const;
    void check_room(int32_t n, const char* what) const;

    std::unique_ptr<GgufFile> file_;
    ModelConfig config_;
    ModelWeights weights_;
    std::unique_ptr<Tokenizer> tokenizer_;
    std::unique_ptr<Backend> backend_;
    std::unordered_map<const void*, BufferId> weight_buffers_;
    ActivationBuffers act_;
    KvCacheLayout kv_;
    DispatchTable decode_;
    DispatchTable prefill_;
    MemoryInfo memory_;
    uint32_t max_ctx_ = 0;
    uint32_t chunk_ = 1;
    int32_t pos_ = 0;
    std::vector<float> logits_;
    bool logits_valid_ = false;
};

}  // namespace akunu
