// The CUDA kernels' host-side entry points, one per op (each in its own .cu file), and the two
// structs they share: the device-resident run state and the launch description of one command.
//
// RunState on the device: kernels whose result depends on the position (RoPE, KV store,
// attention) or on the chain step (Argmax's chain_out slot) read pos/step from a DevState in
// device memory, never from kernel arguments. So a decode step captured once into a CUDA graph is
// replayed unchanged: a one-thread "advance" node at the end of the step increments pos and step
// (cuda_graph_chain.h). Row counts (m) are launch arguments: they shape the grid, and the only
// tables that are captured run with m = 1.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>

#include "backend/cuda/cublas_gemm.h"
#include "backend/cuda/fused_args.h"
#include "format/dtype.h"
#include "plan/command.h"

namespace akunu::cuda {

// Mirrors akunu::RunState; 16 bytes so one copy moves it.
struct DevState {
    int32_t pos;       // position of the run's first token
    int32_t n_tokens;  // tokens in the run
    int32_t step;      // chain step: where Argmax writes its token in chain_out
    int32_t pad;
};

// Activations quantized to 8 bits in blocks of 32 (the dp4a GEMV's input): int8 values, f32 scale
// and int sum per block, in one scratch area (q8_activations_at).
struct Q8Activations {
    int8_t* q = nullptr;
    float* d = nullptr;
    int* s = nullptr;
};

// One command, resolved: device pointers (BufRef offsets applied), rows and stream.
struct OpLaunch {
    const Command* cmd = nullptr;
    uint8_t* in[3] = {nullptr, nullptr, nullptr};
    uint8_t* out[2] = {nullptr, nullptr};
    int32_t m = 1;          // rows this command runs on (1 under kLastRowOnly / kSingleRow)
    int32_t skip_rows = 0;  // leading rows of in0 / in1 skipped (kLastRowOnly: n_tokens - 1)
    DevState* state = nullptr;
    cudaStream_t stream = nullptr;
    uint8_t* attn_scratch = nullptr;  // decode attention's split partials (attention_scratch_bytes)
    size_t attn_scratch_bytes = 0;
    bool exact_activations = true;  // false: MatMul may round activations (dp4a GEMV, f16 tensor cores)
    CublasGemm gemm;
    uint8_t* q8_scratch = nullptr;  // q8_activation_bytes(k) for the dp4a GEMV
    bool q8_fresh = false;          // the scratch already holds this MatMul's x (the backend tracks it)
    const uint8_t* packed_w = nullptr;  // in[0] repacked into quant + scale planes (gemv_q_packed.cu), if any
};

void launch_embed_lookup(const OpLaunch& l);
void launch_rmsnorm(const OpLaunch& l);
void launch_matmul(const OpLaunch& l);
void launch_rope(const OpLaunch& l);
void launch_kv_store(const OpLaunch& l);
void launch_attention(const OpLaunch& l);          // m = 1: attention_decode.cu; m > 1: the prefill kernel
void launch_attention_prefill(const OpLaunch& l);
void launch_add(const OpLaunch& l);
void launch_swiglu(const OpLaunch& l);
void launch_argmax(const OpLaunch& l);
// The ops of the non-LLaMA families (elementwise_arch.cu).
void launch_add_bias(const OpLaunch& l);
void launch_geglu(const OpLaunch& l);
void launch_scale(const OpLaunch& l);
void launch_softcap(const OpLaunch& l);

// MatMul's two halves: y[n] (+)= W x for one row of x, and Y[m][n] (+)= X W^T for m rows.
// Each returns false for a weight type it does not implement.
bool launch_gemv_float(DType type, const uint8_t* w, const float* x, float* y, int n, int k, bool accumulate,
                       cudaStream_t s);
// A group of single-token GEMVs with dense weights (F32 / F16 / BF16) on the same x, as one launch
// (q / k / v, gate / up): mats[i].y = W_i x, no accumulation. False, with nothing launched, where a
// member fails launch_gemv_float's conditions (k a multiple of the vector width, 16-byte aligned).
struct DenseGemv {
    const uint8_t* w;
    float* y;
    int n;
};
constexpr int kMaxDenseGroup = 3;
bool launch_gemv_float_group(DType type, const DenseGemv* mats, int count, const float* x, int k, cudaStream_t s);
bool launch_gemv_q_legacy(DType type, const uint8_t* w, const float* x, float* y, int n, int k, bool accumulate,
                          cudaStream_t s);
bool launch_gemv_k_quants(DType type, const uint8_t* w, const float* x, float* y, int n, int k, bool accumulate,
                          cudaStream_t s);
// Fast paths (exact_activations = false): 8-bit activations with dp4a for one token
// (gemv_q_dp4a.cu), f16 tensor cores through cuBLAS for several (gemm_cublas.cu).
bool dp4a_gemv_eligible(DType type, int k, const uint8_t* w);
size_t q8_activation_bytes(int k);
Q8Activations q8_activations_at(uint8_t* scratch, int k);
void launch_quantize_q8(const float* x, const Q8Activations& a, int k, cudaStream_t s);
// The repacked layout of the fast decode GEMV (gemv_q_packed.cu): quants plane then f16 scales.
bool packed_gemv_type(DType type);
bool packed_gemv_eligible(DType type, int k, const uint8_t* w);  // type, k % 256, k <= the q8 scratch, alignment
size_t packed_weight_bytes(DType type, int n, int k);
void launch_repack_weights(DType type, const uint8_t* src, uint8_t* dst, int n, int k, cudaStream_t s);
// One packed matrix of a launch: several (same input, same k and type) share one launch.
constexpr int kMaxPackedGroup = 3;
struct PackedGemv {
    const uint8_t* packed = nullptr;
    float* y = nullptr;
    int n = 0;
};
bool launch_gemv_q_packed(DType type, const PackedGemv* mats, int count, const Q8Activations& a, int k,
                          bool accumulate, cudaStream_t s);
bool launch_gemv_q_dp4a(DType type, const uint8_t* w, const Q8Activations& a, float* y, int n, int k, bool accumulate,
                        cudaStream_t s);
bool launch_gemm_cublas(const CublasGemm& g, DType type, const uint8_t* w, const float* x, float* y, int m, int n,
                        int k, bool accumulate, cudaStream_t s);
size_t gemm_cublas_weight_scratch(int n, int k);
size_t gemm_cublas_act_scratch(int m, int k);
void* create_cublas_handle();
void destroy_cublas_handle(void* handle);
// Rows from which the fast prefill path takes over from the tiled kernel.
constexpr int kCublasMinRows = 8;

bool launch_gemm_tiled(DType type, const uint8_t* w, const float* x, float* y, int m, int n, int k, bool accumulate,
                       cudaStream_t s);

// [QK-norm] + RoPE on q and k + KV store in one kernel, for m tokens (qk_rope_store.cu).
void launch_qk_rope_store(const QkRopeStore& f, int m, const DevState* state, cudaStream_t s);

// Chain bookkeeping: state->pos += 1, state->step += 1 (the last node of a captured decode step).
void launch_advance_state(DevState* state, cudaStream_t s);

// Streams `bytes` of `buf` with 16-byte loads; `sink` receives a value that depends on every load.
void launch_read_probe(const void* buf, size_t bytes, unsigned long long* sink, int sms, cudaStream_t s);

// Which weight types MatMul / EmbedLookup take (all of the registry), and which attention shapes
// the attention kernel takes (head_dim <= 512, whole GQA groups).
bool cuda_supports_weight_type(DType type);
bool attention_shape_supported(int n_heads, int n_kv_heads, int head_dim);

// Device scratch that one decode Attention command needs (zero-filled once; the kernel leaves it
// reusable). Commands run one after another, so one area sized for the largest serves them all.
size_t attention_scratch_bytes(int n_heads, int n_kv_heads, int head_dim, int max_ctx);

}  // namespace akunu::cuda
