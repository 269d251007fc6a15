/*
 * akunu: the public C API.
 *
 * Conventions
 *  - Every fallible call returns akunu_status; AKUNU_OK is 0. On failure, akunu_last_error()
 *    returns a message for the calling thread naming what failed ("[gguf] model.gguf: tensor
 *    'blk.0.attn_q.weight' data out of bounds ..."). No C++ exception crosses this boundary.
 *  - A model handle owns the weights, the KV cache and one session; calls on one handle are
 *    not thread-safe, distinct handles are independent.
 *  - Token ids are int32_t.
 */
#ifndef AKUNU_AKUNU_H
#define AKUNU_AKUNU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum akunu_status {
    AKUNU_OK = 0,
    AKUNU_ERR_INVALID_ARGUMENT = 1,
    AKUNU_ERR_IO = 2,
    AKUNU_ERR_FORMAT = 3,
    AKUNU_ERR_UNSUPPORTED = 4,
    AKUNU_ERR_OUT_OF_MEMORY = 5,
    AKUNU_ERR_CONTEXT_FULL = 6,
    AKUNU_ERR_BUFFER_TOO_SMALL = 7,
    AKUNU_ERR_INTERNAL = 8
} akunu_status;

typedef enum akunu_backend_kind {
    AKUNU_BACKEND_AUTO = 0, /* the fastest available: CUDA if built and a GPU exists, else CPU */
    AKUNU_BACKEND_CPU = 1,
    AKUNU_BACKEND_CUDA = 2
} akunu_backend_kind;

typedef struct akunu_model akunu_model; /* opaque */

typedef struct akunu_load_params {
    uint32_t max_context;       /* KV cache positions; 0 = the model's context length capped at 4096 */
    int32_t backend;            /* an akunu_backend_kind; default AKUNU_BACKEND_AUTO. An int so that a
                                   C caller's out-of-range value is an error, not undefined behaviour */
    int32_t n_threads;          /* CPU threads; 0 = all cores */
    uint32_t prefill_chunk;     /* tokens per prefill batch; 0 = the device's default */
    bool check_memory;          /* refuse to load when weights + KV + scratch exceed available memory */
    uint64_t memory_limit_bytes; /* 0: the device's available memory; else the budget is the smaller */
    /* Called with bytes done/total while weights load; may be NULL. */
    void (*progress)(uint64_t done, uint64_t total, void* user);
    void* progress_user;
    /* false (default): MatMul may round activations for speed (8-bit blocks with integer dot
       products on CPU and for the CUDA decode GEMV, f16 tensor cores for CUDA prefill). true: f32
       activations everywhere, the slower path the reference tests hold to 1e-5. */
    bool exact_activations;
    /* Hugging Face folders only: the type the 2-D weights are converted to at load ("f32", "f16",
       "bf16", "q8_0", "q4_0", "q4_k", ...); NULL or "" keeps F32/F16/BF16 as stored. */
    const char* weight_type;
    /* Element type of the KV cache: "f32" or "f16" (f16: half the cache memory and the bytes
       attention reads per position, K/V rounded to nearest once when stored; attention still
       accumulates in f32). NULL or "": the backend's default, f16 on CUDA (as llama.cpp) and f32
       on the CPU, which does not implement f16 (asking for it there is an error). Appended last
       so that the layout of the fields before it is unchanged. */
    const char* kv_type;
} akunu_load_params;

/* Defaults: max_context 0, AUTO, n_threads 0, prefill_chunk 0, check_memory true, no progress,
   exact_activations false, weight_type NULL, kv_type NULL. */
akunu_load_params akunu_default_load_params(void);

/* Loads a GGUF file, or a Hugging Face folder (config.json, *.safetensors, tokenizer.json),
   converted at load as `akunu_convert_model` would. On failure *out is NULL. */
akunu_status akunu_load_model(const char* path, const akunu_load_params* params, akunu_model** out);

/* Builds a random-weight model with the exact shapes of a real one, in memory.
 * spec: "PRESET" or "PRESET:TYPE", e.g. "stories260k", "qwen3-0.6b:q4_0", "llama-3-8b:q8_0".
 * Presets: stories260k, tiny, qwen3-0.6b, qwen3-4b, llama-3-8b, tinyllama-1.1b, llama-3.2-1b. */
akunu_status akunu_load_synthetic(const char* spec, const akunu_load_params* params, akunu_model** out);

/* Writes the synthetic model of `spec` to a GGUF file that llama.cpp also loads. */
akunu_status akunu_write_synthetic(const char* spec, const char* path);

/* Converts a Hugging Face folder to a GGUF file that llama.cpp also loads. weight_type: as in
   akunu_load_params (NULL keeps the stored F32/F16/BF16). */
akunu_status akunu_convert_model(const char* hf_dir, const char* out_path, const char* weight_type);

void akunu_free_model(akunu_model* model);

/* The message of the last failed call on this thread ("" if none). */
const char* akunu_last_error(void);
const char* akunu_status_string(akunu_status status);

typedef struct akunu_model_info {
    char architecture[32]; /* "llama", "qwen3" */
    char name[64];         /* general.name or the file name */
    char weight_type[16];  /* type of most weight bytes: "Q4_0", "F32" ... */
    char backend[16];      /* "cpu", "cuda" */
    uint32_t dim;
    uint32_t n_layers;
    uint32_t n_heads;
    uint32_t n_kv_heads;
    uint32_t head_dim;
    uint32_t q_dim;
    uint32_t kv_dim;
    uint32_t ffn_dim;
    uint32_t vocab_size;
    uint32_t context_length; /* what the file says the model was trained for */
    uint32_t max_context;    /* what this handle's KV cache holds */
    uint64_t n_params;
    int32_t bos_id;
    int32_t eos_id;
    char kv_type[8];         /* element type of the KV cache: "f32", "f16" */
} akunu_model_info;

akunu_status akunu_get_model_info(const akunu_model* model, akunu_model_info* out);

typedef struct akunu_memory {
    uint64_t weight_bytes;  /* the "size" of llama-bench's table */
    uint64_t kv_cache_bytes;
    uint64_t scratch_bytes;
    uint64_t total_bytes;
} akunu_memory;

akunu_status akunu_model_memory(const akunu_model* model, akunu_memory* out);

/* Tokenizes UTF-8 text. If capacity is too small, returns AKUNU_ERR_BUFFER_TOO_SMALL and sets
 * *n_tokens to the number needed. add_bos: add the BOS/EOS the vocabulary asks for. parse_special:
 * text spelling a special (control) token, such as a chat template's "<|im_start|>", becomes that
 * token; otherwise it is ordinary text. Non-special added tokens are matched either way. */
akunu_status akunu_tokenize(const akunu_model* model, const char* text, bool add_bos, bool parse_special,
                            int32_t* tokens, int32_t capacity, int32_t* n_tokens);

/* Concatenated pieces of the ids, NUL-terminated. *length (may be NULL) receives the byte count
 * without the NUL; AKUNU_ERR_BUFFER_TOO_SMALL sets it to the size needed. */
akunu_status akunu_detokenize(const akunu_model* model, const int32_t* tokens, int32_t n_tokens, char* buffer,
                              size_t capacity, size_t* length);

/* Appends n tokens at the current position (chunked GEMM-shaped batches) and computes the last
 * position's logits. *next_token (may be NULL) receives their argmax. */
akunu_status akunu_prefill(akunu_model* model, const int32_t* tokens, int32_t n_tokens, int32_t* next_token);

/* Appends one token at the current position; *next_token (may be NULL) receives the argmax. */
akunu_status akunu_decode_step(akunu_model* model, int32_t token, int32_t* next_token);

/* Greedy chain decode: feeds `token`, then each argmax back in, n times without returning to the
 * caller between steps. out_tokens[i] is the i-th generated token. */
akunu_status akunu_chain_decode(akunu_model* model, int32_t token, int32_t n, int32_t* out_tokens);

/* Empties the KV cache (position 0). */
akunu_status akunu_reset(akunu_model* model);

/* Tokens currently in the KV cache. */
int32_t akunu_position(const akunu_model* model);

/* Copies the logits of the last computed position (vocab_size floats). */
akunu_status akunu_get_logits(const akunu_model* model, float* out, int32_t capacity);

typedef struct akunu_sampling_params {
    float temperature; /* <= 0: greedy */
    int32_t top_k;     /* <= 0: off */
    float top_p;       /* in [0, 1]; 1: off */
    float min_p;       /* in [0, 1]; 0: off */
    float repeat_penalty;
    int32_t repeat_last_n;
    uint64_t seed;
    int32_t max_tokens;         /* generated tokens at most */
    const char* const* stop;    /* stop strings (not emitted), may be NULL */
    int32_t n_stop;
    bool add_bos;               /* prepend BOS when the vocabulary asks for it */
    bool parse_special;         /* special-token text in the prompt becomes those tokens */
    bool reset;                 /* clear the KV cache first (otherwise the prompt is appended) */
} akunu_sampling_params;

/* temperature 0.8, top_k 40, top_p 0.95, min_p 0.05, repeat_penalty 1.0, repeat_last_n 64,
 * seed 0, max_tokens 128, no stops, add_bos true, parse_special false, reset true. */
akunu_sampling_params akunu_default_sampling_params(void);

typedef enum akunu_stop_reason {
    AKUNU_STOP_MAX_TOKENS = 0,
    AKUNU_STOP_EOS = 1,
    AKUNU_STOP_STRING = 2,
    AKUNU_STOP_CALLBACK = 3,
    AKUNU_STOP_CONTEXT_FULL = 4
} akunu_stop_reason;

typedef struct akunu_generation_stats {
    int32_t prompt_tokens;
    int32_t generated_tokens;
    double prefill_ms;
    double decode_ms;
    double ttft_ms; /* prefill + one decode step */
    double prefill_tok_s;
    double decode_tok_s;
    uint64_t peak_memory_bytes; /* peak resident set of the process */
    akunu_stop_reason stop_reason;
} akunu_generation_stats;

/* Receives text as it becomes safe to show (whole UTF-8 characters, never part of a stop string).
 * Return false to stop generation. */
typedef bool (*akunu_text_callback)(const char* text, size_t length, void* user);

akunu_status akunu_generate(akunu_model* model, const char* prompt, const akunu_sampling_params* params,
                            akunu_text_callback callback, void* user, akunu_generation_stats* stats);

/* Profiling: runs one decode step with each command of the dispatch table submitted and timed on
 * its own, writing per-command milliseconds to timing[0..max). Returns the number of commands
 * (which may exceed max; only max are written), or -1 on error (see akunu_last_error). The token is
 * written at `position` (0 <= position <= akunu_position()); the cache then holds position+1 tokens. */
int akunu_profile_decode_step(akunu_model* model, int32_t token_id, int32_t position, float* timing, int max);

/* Label of command i of the decode table ("L3 GEMV ffn_down Q4_0"), or NULL if out of range. */
const char* akunu_profile_label(const akunu_model* model, int i);

/* Per-command costs of the decode table, from the table itself (not measured). */
typedef struct akunu_command_info {
    char label[64];
    char op[16];                    /* "matmul", "attention", "rmsnorm", ... */
    int32_t layer;                  /* -1 outside the layers */
    uint64_t weight_bytes;          /* weights read per run */
    uint64_t act_bytes;             /* activations read + written per token */
    uint64_t kv_bytes_per_position; /* attention: K+V bytes read per cached position */
    uint64_t flops;                 /* per token, excluding attention's per-position work */
} akunu_command_info;

int32_t akunu_command_count(const akunu_model* model);
akunu_status akunu_get_command_info(const akunu_model* model, int32_t i, akunu_command_info* out);

typedef struct akunu_device_info {
    char backend[16];               /* "cpu", "cuda" */
    char device[128];
    char isa[32];                   /* CPU kernel path, e.g. "scalar", "avx2" */
    int32_t n_threads;
    int32_t n_cores;
    uint64_t memory_bytes;          /* available for weights + KV + scratch */
    uint64_t cache_bytes;           /* last-level cache */
    double datasheet_bandwidth_gbs; /* 0 when unknown */
    uint32_t prefill_chunk;
    uint32_t chain_chunk;
} akunu_device_info;

akunu_status akunu_get_device_info(const akunu_model* model, akunu_device_info* out);

/* Measures the device's streaming read bandwidth (GB/s, 1e9 bytes/s). Takes about a second. */
akunu_status akunu_measure_read_bandwidth(akunu_model* model, double* gbs);

/* The commit this library was built from. */
const char* akunu_build_commit(void);

#ifdef __cplusplus
}
#endif

#endif /* AKUNU_AKUNU_H */
