// Reads tokenizer.ggml.* into a Vocab and checks that it is self-consistent.
//
// Defaults follow what llama.cpp does for the same file, because the models we run were
// converted (and their reference outputs generated) with that behaviour:
//   * SPM ("llama"): BOS 1, EOS 2, UNK 0 when the id keys are absent; add_bos true and
//     add_space_prefix true unless the file says otherwise (stories260K has no add_bos key
//     and its reference prompts start with BOS).
//   * BERT ("bert"): [CLS] / [SEP] (cls_token_id / seperator_token_id, the converters' spelling)
//     stand in for BOS / EOS when those keys are absent, and both are added by default.
//   * scores absent -> empty; token types absent -> all Normal.
// Unlike llama.cpp, which warns and carries on, an id key that points outside the vocab or
// an array whose length disagrees with the token list is a Format error naming the key: a
// file like that was written by a broken converter and would tokenize silently wrong.
#include "tokenizer/vocab.h"

#include <algorithm>
#include <cctype>
#include <string_view>

#include "core/error.h"
#include "format/gguf_file.h"

namespace akunu {

namespace {

constexpr std::string_view kComponent = "tokenizer";

[[noreturn]] void format_error(const GgufFile& file, std::string_view key, const std::string& what) {
    fail(ErrorKind::Format, std::string(kComponent), file.name() + ": " + std::string(key) + " " + what);
}

bool is_integer_type(GgufType t) {
    switch (t) {
        case GgufType::UINT8:
        case GgufType::INT8:
        case GgufType::UINT16:
        case GgufType::INT16:
        case GgufType::UINT32:
        case GgufType::INT32:
        case GgufType::UINT64:
        case GgufType::INT64: return true;
        default: return false;
    }
}

bool is_signed_type(GgufType t) {
    return t == GgufType::INT8 || t == GgufType::INT16 || t == GgufType::INT32 || t == GgufType::INT64;
}

// An array value whose elements are all of one of the accepted kinds, or a Format error.
const GgufValue& require_array(const GgufFile& file, std::string_view key, const GgufValue& v,
                               const char* expected, bool (*elem_ok)(GgufType)) {
    if (v.type != GgufType::ARRAY || !elem_ok(v.elem_type)) {
        std::string got = v.type == GgufType::ARRAY
                              ? std::string("array of ") + gguf_type_name(v.elem_type)
                              : std::string(gguf_type_name(v.type));
        format_error(file, key, std::string("must be an array of ") + expected + ", got " + got);
    }
    return v;
}

void require_length(const GgufFile& file, std::string_view key, size_t got, size_t n_tokens) {
    if (got != n_tokens) {
        format_error(file, key,
                     "has " + std::to_string(got) + " entries but tokenizer.ggml.tokens has " +
                         std::to_string(n_tokens));
    }
}

// A special-token id key: absent -> keep `fallback`; 0xFFFFFFFF (or -1) is the converters'
// "none" sentinel -> -1; anything else must name a token.
int32_t read_token_id(const GgufFile& file, std::string_view key, int32_t fallback, int32_t n_tokens) {
    const GgufValue* v = file.find(key);
    if (!v) return fallback >= 0 && fallback < n_tokens ? fallback : -1;
    if (!is_integer_type(v->type)) {
        format_error(file, key, std::string("must be an integer, got ") + gguf_type_name(v->type));
    }
    int64_t id;
    if (is_signed_type(v->type)) {
        id = v->i;
    } else {
        if (v->u == 0xFFFFFFFFull || v->u == ~0ull) return -1;
        if (v->u > (uint64_t)INT32_MAX) {
            format_error(file, key, "= " + std::to_string(v->u) + " is outside the vocab of " +
                                        std::to_string(n_tokens) + " tokens");
        }
        id = (int64_t)v->u;
    }
    if (id == -1) return -1;
    if (id < 0 || id >= n_tokens) {
        format_error(file, key, "= " + std::to_string(id) + " is outside the vocab of " +
                                    std::to_string(n_tokens) + " tokens");
    }
    return (int32_t)id;
}

bool read_bool(const GgufFile& file, std::string_view key, bool fallback) {
    const GgufValue* v = file.find(key);
    if (!v) return fallback;
    if (v->type == GgufType::BOOL) return v->u != 0;
    if (is_integer_type(v->type)) return is_signed_type(v->type) ? v->i != 0 : v->u != 0;
    format_error(file, key, std::string("must be a bool, got ") + gguf_type_name(v->type));
}

TokenType to_token_type(int64_t raw) {
    // Values outside the known range are treated as Undefined (llama.cpp does the same).
    if (raw < 0 || raw > (int64_t)TokenType::Byte) return TokenType::Undefined;
    return (TokenType)raw;
}

// Texts that mark an end-of-turn token when the file has no eot_token_id, in the order we
// prefer them (GGUF converters rarely write the key; llama.cpp detects these by text too).
constexpr std::string_view kEotTexts[] = {
    "<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|end_of_text|>", "<EOT>",
};

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return (char)std::tolower(c); });
    return s;
}

}  // namespace

bool Vocab::is_control(int32_t id) const {
    return id >= 0 && id < size() && types[(size_t)id] == TokenType::Control;
}

bool Vocab::is_end_of_generation(int32_t id) const {
    return id >= 0 && (id == eos_id || id == eot_id);
}

Vocab Vocab::completed(Vocab vocab) {
    const size_t n = vocab.tokens.size();
    if (vocab.types.empty()) vocab.types.assign(n, TokenType::Normal);
    if (vocab.token_to_id.empty()) {
        for (size_t i = 0; i < n; ++i) {
            if (!vocab.tokens[i].empty()) vocab.token_to_id.emplace(vocab.tokens[i], (int32_t)i);
        }
    }
    if (vocab.types.size() != n || (!vocab.scores.empty() && vocab.scores.size() != n) ||
        (!vocab.strip.empty() && vocab.strip.size() != n)) {
        fail(ErrorKind::InvalidArgument, "tokenizer", "vocab arrays disagree in length with its token list");
    }
    return vocab;
}

void Vocab::detect_eot_by_text() {
    if (eot_id >= 0) return;
    for (std::string_view text : kEotTexts) {
        auto it = token_to_id.find(std::string(text));
        if (it != token_to_id.end() && it->second != eos_id) {
            eot_id = it->second;
            return;
        }
    }
}

Vocab Vocab::from_gguf(const GgufFile& file) {
    Vocab vocab;
    vocab.source = file.name();
    vocab.model = file.get_string("tokenizer.ggml.model");
    vocab.pre = file.get_string_or("tokenizer.ggml.pre", "");
    const bool spm = vocab.model == "llama";
    const bool bert = vocab.model == "bert";

    // tokens
    static constexpr std::string_view kTokens = "tokenizer.ggml.tokens";
    const GgufValue* tokens_v = file.find(kTokens);
    if (!tokens_v) format_error(file, kTokens, "is missing");
    require_array(file, kTokens, *tokens_v, "string", [](GgufType t) { return t == GgufType::STRING; });
    const size_t n = tokens_v->elems.size();
    if (n == 0) format_error(file, kTokens, "is empty");
    if (n > (size_t)INT32_MAX) format_error(file, kTokens, "has too many entries");
    vocab.tokens.reserve(n);
    vocab.token_to_id.reserve(n);
    for (size_t i = 0; i < n; ++i) {
        vocab.tokens.push_back(tokens_v->elems[i].s);
        // An empty piece can never be looked up by text; leave it out of the map. With
        // duplicated texts the first id wins (lookups by text must be deterministic).
        if (!vocab.tokens.back().empty()) vocab.token_to_id.emplace(vocab.tokens.back(), (int32_t)i);
    }

    // scores: float32 normally; some converters wrote int32.
    static constexpr std::string_view kScores = "tokenizer.ggml.scores";
    if (const GgufValue* v = file.find(kScores)) {
        require_array(file, kScores, *v, "float32", [](GgufType t) {
            return t == GgufType::FLOAT32 || t == GgufType::FLOAT64 || is_integer_type(t);
        });
        require_length(file, kScores, v->elems.size(), n);
        vocab.scores.reserve(n);
        for (const GgufValue& e : v->elems) {
            float s = e.type == GgufType::FLOAT32 || e.type == GgufType::FLOAT64 ? (float)e.f
                      : is_signed_type(e.type)                                   ? (float)e.i
                                                                                 : (float)e.u;
            vocab.scores.push_back(s);
        }
    }

    static constexpr std::string_view kTypes = "tokenizer.ggml.token_type";
    if (const GgufValue* v = file.find(kTypes)) {
        require_array(file, kTypes, *v, "int32", is_integer_type);
        require_length(file, kTypes, v->elems.size(), n);
        vocab.types.reserve(n);
        for (const GgufValue& e : v->elems) {
            vocab.types.push_back(to_token_type(is_signed_type(e.type) ? e.i : (int64_t)e.u));
        }
    } else {
        vocab.types.assign(n, TokenType::Normal);
    }

    static constexpr std::string_view kMerges = "tokenizer.ggml.merges";
    if (const GgufValue* v = file.find(kMerges)) {
        require_array(file, kMerges, *v, "string", [](GgufType t) { return t == GgufType::STRING; });
        vocab.merges.reserve(v->elems.size());
        for (const GgufValue& e : v->elems) vocab.merges.push_back(e.s);
    }

    const int32_t n_tokens = (int32_t)n;
    // BERT files name their [CLS] and [SEP] instead; they play the parts of BOS and EOS.
    const int32_t cls = bert ? read_token_id(file, "tokenizer.ggml.cls_token_id", -1, n_tokens) : -1;
    const int32_t sep = bert ? read_token_id(file, "tokenizer.ggml.seperator_token_id", -1, n_tokens) : -1;
    vocab.bos_id = read_token_id(file, "tokenizer.ggml.bos_token_id", spm ? 1 : cls, n_tokens);
    vocab.eos_id = read_token_id(file, "tokenizer.ggml.eos_token_id", spm ? 2 : sep, n_tokens);
    vocab.unk_id = read_token_id(file, "tokenizer.ggml.unknown_token_id", spm ? 0 : -1, n_tokens);
    vocab.pad_id = read_token_id(file, "tokenizer.ggml.padding_token_id", -1, n_tokens);
    vocab.eot_id = read_token_id(file, "tokenizer.ggml.eot_token_id", -1, n_tokens);
    if (!file.has("tokenizer.ggml.eot_token_id")) vocab.detect_eot_by_text();

    // BERT wraps every sequence in [CLS] ... [SEP].
    vocab.add_bos = read_bool(file, "tokenizer.ggml.add_bos_token", spm || (bert && vocab.bos_id >= 0));
    vocab.add_eos = read_bool(file, "tokenizer.ggml.add_eos_token", bert && vocab.eos_id >= 0);
    vocab.add_space_prefix = read_bool(file, "tokenizer.ggml.add_space_prefix", spm);
    if (vocab.add_bos && vocab.bos_id < 0) {
        format_error(file, "tokenizer.ggml.add_bos_token", "is true but tokenizer.ggml.bos_token_id is not set");
    }
    if (vocab.add_eos && vocab.eos_id < 0) {
        format_error(file, "tokenizer.ggml.add_eos_token", "is true but tokenizer.ggml.eos_token_id is not set");
    }

    // GGUF does not carry Hugging Face's per-token lstrip/rstrip flags. Phi-3 marks its added
    // tokens rstrip ("<|user|>\nHi" drops the newline after the tag), so, as llama.cpp does, we
    // recognise the model by name and set the flag on its special tokens.
    const std::string name = lower(file.get_string_or("general.name", ""));
    if (name.find("phi-3") != std::string::npos || name.find("phi3") != std::string::npos) {
        vocab.strip.assign(n, 0);
        for (size_t i = 0; i < n; ++i) {
            TokenType t = vocab.types[i];
            if (t == TokenType::Control || t == TokenType::UserDefined || t == TokenType::Unknown) {
                vocab.strip[i] = kStripRight;
            }
        }
        for (const char* text : {"<unk>", "<s>", "<|endoftext|>"}) {
            auto it = vocab.token_to_id.find(text);
            if (it != vocab.token_to_id.end()) vocab.strip[(size_t)it->second] = 0;
        }
        auto it = vocab.token_to_id.find("</s>");
        if (it != vocab.token_to_id.end()) vocab.strip[(size_t)it->second] = kStripRight;
    }
    return vocab;
}

}  // namespace akunu
