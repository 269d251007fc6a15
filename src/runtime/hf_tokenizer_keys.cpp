#include "runtime/hf_tokenizer_keys.h"

#include <sys/stat.h>

#include "chat/tokenizer_config.h"
#include "core/error.h"
#include "format/gguf_writer.h"
#include "tokenizer/bpe_presets.h"
#include "tokenizer/bpe_tokenizer.h"
#include "tokenizer/hf_tokenizer_json.h"

namespace akunu {

namespace {

// Text that tells the presets apart: contractions in both cases, runs of digits of several
// lengths, whitespace runs of each kind, punctuation clusters, and letters outside ASCII
// (accented, CJK, emoji), where the presets' regexes disagree.
constexpr const char* kProbe =
    "Hello world! It's, I'M, we'll, they've, she'd, DON'T; don't.\n\n"
    "  leading  and   trailing   \t\ttabs \r\n\r\n"
    "1 12 123 1234 12345 3.14159 1,000,000 2024-11-26 v2.0_beta\n"
    "snake_case camelCase kebab-case $var @user #tag 100% (paren) [brack] {brace} <tag/>\n"
    "caf\xC3\xA9 na\xC3\xAFve \xC3\x9C" "ber stra\xC3\x9F" "e \xD0\xBF\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82 "
    "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\xE3\x81\xAE\xE3\x83\x86\xE3\x82\xAD\xE3\x82\xB9\xE3\x83\x88 "
    "\xED\x95\x9C\xEA\xB5\xAD\xEC\x96\xB4 \xF0\x9F\xA6\x99\xF0\x9F\x98\x80 !!! ... ??? --- === ''' \"\"\"\n"
    "    def f(x):\n        return x*2  # comment\n";

bool is_file(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

}  // namespace

std::string detect_bpe_pre(const Tokenizer& hf, const std::string& source) {
    const std::vector<int32_t> want = hf.encode(kProbe, false, false);
    std::vector<std::string> names = {"default"};
    for (const std::string& n : supported_bpe_pres()) {
        if (n != "default") names.push_back(n);
    }
    for (const std::string& name : names) {
        const BpeTokenizer candidate(hf.vocab(), bpe_options_for_pre(name, source));
        if (candidate.encode(kProbe, false, false) == want) return name;
    }
    std::string list;
    for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
    fail(ErrorKind::Unsupported, "hf-tokenizer",
         source + ": its pre-tokenizer and normalizer match none of the GGUF byte-level BPE presets (" + list + ")");
}

HfTokenizer read_hf_tokenizer(const std::string& dir) {
    const std::string json_path = dir + "/tokenizer.json";
    const std::string config_path = dir + "/tokenizer_config.json";
    if (!is_file(json_path)) {
        fail(ErrorKind::Io, "hf-tokenizer",
             dir + ": has no tokenizer.json (a SentencePiece tokenizer.model alone is not supported)");
    }
    const bool has_config = is_file(config_path);
    HfTokenizer out;
    out.source = json_path;
    out.tokenizer = tokenizer_from_hf_files(json_path, has_config ? config_path : "");
    if (out.tokenizer->vocab().model != "gpt2") {
        fail(ErrorKind::Unsupported, "hf-tokenizer",
             json_path + ": a '" + out.tokenizer->vocab().model + "' tokenizer is not converted (byte-level BPE is)");
    }
    if (has_config) out.chat_template = chat::load_tokenizer_config(config_path).chat_template;
    return out;
}

void add_hf_tokenizer_keys(const HfTokenizer& hf, GgufWriter& out) {
    const Vocab& v = hf.tokenizer->vocab();
    out.set_string("tokenizer.ggml.model", v.model);
    out.set_string("tokenizer.ggml.pre", detect_bpe_pre(*hf.tokenizer, hf.source));
    out.set_string_array("tokenizer.ggml.tokens", v.tokens);
    std::vector<int32_t> types;
    types.reserve(v.types.size());
    for (TokenType t : v.types) types.push_back(static_cast<int32_t>(t));
    out.set_i32_array("tokenizer.ggml.token_type", types);
    // Written even when empty (a vocabulary of single bytes): llama.cpp refuses a BPE vocabulary
    // without the key, though its own converter drops an empty list.
    out.set_string_array("tokenizer.ggml.merges", v.merges);
    const std::pair<const char*, int32_t> ids[] = {{"tokenizer.ggml.bos_token_id", v.bos_id},
                                                   {"tokenizer.ggml.eos_token_id", v.eos_id},
                                                   {"tokenizer.ggml.unknown_token_id", v.unk_id},
                                                   {"tokenizer.ggml.padding_token_id", v.pad_id}};
    for (const auto& [key, id] : ids) {
        if (id >= 0) out.set_u32(key, static_cast<uint32_t>(id));
    }
    out.set_bool("tokenizer.ggml.add_bos_token", v.add_bos);
    out.set_bool("tokenizer.ggml.add_eos_token", v.add_eos);
    if (!hf.chat_template.empty()) out.set_string("tokenizer.chat_template", hf.chat_template);
}

}  // namespace akunu
