// The vocabulary as a GGUF file stores it (tokenizer.ggml.*), independent of the algorithm.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace akunu {

class GgufFile;

// tokenizer.ggml.token_type values.
enum class TokenType : int32_t {
    Undefined = 0,
    Normal = 1,
    Unknown = 2,
    Control = 3,
    UserDefined = 4,
    Unused = 5,
    Byte = 6,
};

struct Vocab {
    std::string source;  // where it was read from (a file name), for messages
    std::string model;  // tokenizer.ggml.model: "llama" (SPM), "gpt2", "bert" ...
    std::string pre;    // tokenizer.ggml.pre, "" if absent
    std::vector<std::string> tokens;
    std::vector<float> scores;     // empty if the file has none
    std::vector<TokenType> types;  // Normal if the file has none
    std::vector<std::string> merges;
    std::unordered_map<std::string, int32_t> token_to_id;

    int32_t bos_id = -1;
    int32_t eos_id = -1;
    int32_t unk_id = -1;
    int32_t pad_id = -1;
    int32_t eot_id = -1;  // end of turn, -1 if none
    bool add_bos = false;
    bool add_eos = false;
    bool add_space_prefix = true;

    // Whitespace a special token swallows when it is split out of text (Hugging Face's
    // lstrip/rstrip). GGUF does not store these; from_gguf sets them for models known to
    // need them. Empty, or one entry per token.
    static constexpr uint8_t kStripLeft = 1;
    static constexpr uint8_t kStripRight = 2;
    std::vector<uint8_t> strip;

    int32_t size() const { return (int32_t)tokens.size(); }
    bool is_control(int32_t id) const;
    bool is_end_of_generation(int32_t id) const;  // EOS, EOT
    // Throws Format naming the file and key when arrays disagree in length or ids are out of range.
    static Vocab from_gguf(const GgufFile& file);

    // A vocab built by hand (tests, converters) may leave the derived fields empty: fills in
    // `types` (all Normal) and `token_to_id`. Throws InvalidArgument when arrays disagree in
    // length with the token list.
    static Vocab completed(Vocab vocab);

    // Sets eot_id from the token texts that mark an end of turn, when it is not set.
    void detect_eot_by_text();
};

}  // namespace akunu
