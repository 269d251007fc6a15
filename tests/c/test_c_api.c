/* The C API used from plain C11: loads stories260K, generates greedily through a C callback and
 * checks the text against the llama.cpp reference, exercises the other entry points and one error
 * path. Prints "c api: N checks passed" and returns 0, or returns 1 after printing each failure. */
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "akunu/akunu.h"

static int g_checks = 0;
static int g_failures = 0;

#define CHECK(cond)                                                                              \
    do {                                                                                         \
        g_checks++;                                                                              \
        if (!(cond)) {                                                                           \
            g_failures++;                                                                        \
            fprintf(stderr, "%s:%d: check failed: %s (last error: %s)\n", __FILE__, __LINE__, #cond, \
                    akunu_last_error());                                                         \
        }                                                                                        \
    } while (0)

#define CHECK_OK(call) CHECK((call) == AKUNU_OK)

static const char* const kGreedyText =
    ", there was a little girl named Lily. She loved to play outside in the park. One day, she saw";
static const int32_t kPrompt[5] = {1, 403, 407, 261, 378};
static const int32_t kGreedyIds[32] = {432, 383, 286, 261, 376, 298, 315, 421, 395, 317, 426,
                                       338, 401, 396, 267, 337, 410, 408, 419, 292, 411, 322,
                                       265, 282, 295, 433, 426, 385, 328, 432, 358, 394};

typedef struct text_buffer {
    char data[1024];
    size_t length;
    int calls;
    bool overflow;
} text_buffer;

static bool accumulate(const char* text, size_t length, void* user) {
    text_buffer* b = (text_buffer*)user;
    b->calls++;
    if (b->length + length >= sizeof(b->data)) {
        b->overflow = true;
        return false;
    }
    memcpy(b->data + b->length, text, length);
    b->length += length;
    b->data[b->length] = '\0';
    return true;
}

static void print_info(const akunu_model_info* info) {
    printf("model: %s (%s, %s) on %s: dim %u, %u layers, %u heads, %u kv heads, head_dim %u, ffn %u, "
           "vocab %u, context %u (cache %u), %llu params, bos %d, eos %d\n",
           info->name, info->architecture, info->weight_type, info->backend, info->dim, info->n_layers,
           info->n_heads, info->n_kv_heads, info->head_dim, info->ffn_dim, info->vocab_size,
           info->context_length, info->max_context, (unsigned long long)info->n_params, info->bos_id,
           info->eos_id);
}

static int argmax(const float* v, int n) {
    int best = 0;
    for (int i = 1; i < n; ++i) {
        if (v[i] > v[best]) best = i;
    }
    return best;
}

int main(void) {
    const char* path = AKUNU_SHARED_DIR "/models/stories260K.gguf";
    akunu_load_params lp = akunu_default_load_params();
    CHECK(lp.max_context == 0 && lp.backend == AKUNU_BACKEND_AUTO && lp.check_memory);

    /* ---- the error path first: a file that does not exist */
    {
        akunu_model* bad = (akunu_model*)&g_checks; /* must come back NULL */
        const akunu_status st = akunu_load_model(AKUNU_SHARED_DIR "/models/no-such-model.gguf", &lp, &bad);
        CHECK(st == AKUNU_ERR_IO);
        CHECK(bad == NULL);
        CHECK(strlen(akunu_last_error()) > 0);
        CHECK(strstr(akunu_last_error(), "no-such-model.gguf") != NULL);
        CHECK(strcmp(akunu_status_string(AKUNU_ERR_IO), "i/o error") == 0);
    }

    akunu_model* model = NULL;
    if (akunu_load_model(path, &lp, &model) != AKUNU_OK || model == NULL) {
        fprintf(stderr, "cannot load %s: %s\n", path, akunu_last_error());
        return 1;
    }
    CHECK(strcmp(akunu_last_error(), "") == 0);

    /* ---- info and memory */
    akunu_model_info info;
    CHECK_OK(akunu_get_model_info(model, &info));
    print_info(&info);
    CHECK(strcmp(info.architecture, "llama") == 0);
    CHECK(info.dim == 64 && info.n_layers == 5 && info.n_heads == 8 && info.n_kv_heads == 4);
    CHECK(info.head_dim == 8 && info.ffn_dim == 172 && info.vocab_size == 512 && info.context_length == 128);
    akunu_memory mem;
    CHECK_OK(akunu_model_memory(model, &mem));
    CHECK(mem.weight_bytes > 0 && mem.kv_cache_bytes > 0);
    CHECK(mem.total_bytes == mem.weight_bytes + mem.kv_cache_bytes + mem.scratch_bytes);
    printf("memory: weights %llu + KV %llu + scratch %llu bytes, build %s\n", (unsigned long long)mem.weight_bytes,
           (unsigned long long)mem.kv_cache_bytes, (unsigned long long)mem.scratch_bytes, akunu_build_commit());

    /* ---- generate: greedy, 32 tokens, through a C callback */
    akunu_sampling_params sp = akunu_default_sampling_params();
    sp.temperature = 0.0f;
    sp.max_tokens = 32;
    text_buffer text;
    memset(&text, 0, sizeof(text));
    akunu_generation_stats stats;
    memset(&stats, 0, sizeof(stats));
    CHECK_OK(akunu_generate(model, "Once upon a time", &sp, accumulate, &text, &stats));
    printf("generated: \"%s\"\n", text.data);
    CHECK(!text.overflow);
    CHECK(strcmp(text.data, kGreedyText) == 0);
    CHECK(text.calls > 1);
    CHECK(stats.prompt_tokens == 5 && stats.generated_tokens == 32);
    CHECK(stats.stop_reason == AKUNU_STOP_MAX_TOKENS);
    CHECK(stats.prefill_ms > 0.0 && stats.decode_ms > 0.0 && stats.ttft_ms >= stats.prefill_ms);
    CHECK(stats.peak_memory_bytes > 0);
    printf("prefill %.3f ms, decode %.3f ms (%.1f tok/s), ttft %.3f ms\n", stats.prefill_ms, stats.decode_ms,
           stats.decode_tok_s, stats.ttft_ms);

    /* ---- a stop string */
    {
        const char* stops[1] = {", she"};
        akunu_sampling_params s2 = sp;
        s2.stop = stops;
        s2.n_stop = 1;
        text_buffer t2;
        memset(&t2, 0, sizeof(t2));
        CHECK_OK(akunu_generate(model, "Once upon a time", &s2, accumulate, &t2, &stats));
        CHECK(strcmp(t2.data, ", there was a little girl named Lily. She loved to play outside in the park. One day") == 0);
        CHECK(stats.stop_reason == AKUNU_STOP_STRING);
    }

    /* ---- tokenize / detokenize */
    int32_t toks[16];
    int32_t n = 0;
    CHECK_OK(akunu_tokenize(model, "Once upon a time", true, false, toks, 16, &n));
    CHECK(n == 5 && memcmp(toks, kPrompt, sizeof(kPrompt)) == 0);
    n = 0;
    CHECK(akunu_tokenize(model, "Once upon a time", true, false, toks, 3, &n) == AKUNU_ERR_BUFFER_TOO_SMALL);
    CHECK(n == 5);
    char piece[128];
    size_t len = 0;
    CHECK_OK(akunu_detokenize(model, kGreedyIds, 32, piece, sizeof(piece), &len));
    CHECK(strcmp(piece, kGreedyText) == 0);
    CHECK(len == strlen(kGreedyText));
    len = 0;
    CHECK(akunu_detokenize(model, kGreedyIds, 32, piece, 4, &len) == AKUNU_ERR_BUFFER_TOO_SMALL);
    CHECK(len == strlen(kGreedyText));

    /* ---- reset / prefill / get_logits / decode_step / chain_decode */
    CHECK_OK(akunu_reset(model));
    CHECK(akunu_position(model) == 0);
    float logits[512];
    CHECK(akunu_get_logits(model, logits, 512) != AKUNU_OK); /* nothing evaluated yet */
    int32_t next = -1;
    CHECK_OK(akunu_prefill(model, kPrompt, 5, &next));
    CHECK(next == 432);
    CHECK(akunu_position(model) == 5);
    CHECK_OK(akunu_get_logits(model, logits, 512));
    CHECK(argmax(logits, 512) == 432);
    CHECK(isfinite(logits[0]) && fabsf(logits[432]) > 1.0f);
    CHECK(akunu_get_logits(model, logits, 100) == AKUNU_ERR_BUFFER_TOO_SMALL);

    int32_t step = -1;
    CHECK_OK(akunu_decode_step(model, next, &step));
    CHECK(step == kGreedyIds[1]);
    CHECK(akunu_position(model) == 6);
    int32_t chain[30];
    CHECK_OK(akunu_chain_decode(model, step, 30, chain));
    CHECK(memcmp(chain, kGreedyIds + 2, sizeof(chain)) == 0);
    CHECK(akunu_position(model) == 36);
    CHECK(akunu_decode_step(model, 512, &step) == AKUNU_ERR_INVALID_ARGUMENT);
    CHECK(strstr(akunu_last_error(), "512") != NULL);
    CHECK(akunu_position(model) == 36);

    /* ---- profiling */
    CHECK_OK(akunu_reset(model));
    CHECK_OK(akunu_prefill(model, kPrompt, 5, &next));
    float timing[1024];
    const int n_cmds = akunu_profile_decode_step(model, next, 5, timing, 1024);
    CHECK(n_cmds > 0 && n_cmds <= 1024);
    CHECK(akunu_position(model) == 6);
    if (n_cmds > 0 && n_cmds <= 1024) {
        double total = 0;
        int gemv = 0;
        for (int i = 0; i < n_cmds; ++i) {
            const char* label = akunu_profile_label(model, i);
            CHECK(label != NULL);
            CHECK(timing[i] >= 0.0f);
            total += timing[i];
            if (label && strstr(label, "GEMV")) gemv++;
        }
        CHECK(strncmp(akunu_profile_label(model, 0), "Embedding", 9) == 0);
        CHECK(strcmp(akunu_profile_label(model, n_cmds - 1), "Argmax") == 0);
        CHECK(akunu_profile_label(model, n_cmds) == NULL);
        CHECK(gemv > 0);
        printf("profile: %d commands, %.3f ms in all\n", n_cmds, total);
    }
    CHECK(akunu_profile_decode_step(model, next, 99, timing, 1024) == -1);
    CHECK(akunu_profile_label(model, -1) == NULL);
    CHECK_OK(akunu_get_logits(model, logits, 512));
    CHECK(argmax(logits, 512) == kGreedyIds[1]);

    akunu_free_model(model);

    if (g_failures) {
        fprintf(stderr, "c api: %d of %d checks failed\n", g_failures, g_checks);
        return 1;
    }
    printf("c api: %d checks passed\n", g_checks);
    return 0;
}
