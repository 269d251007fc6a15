#include "tokenizer/hf_tokenizer_json.h"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "core/error.h"
#include "tokenizer/bpe_tokenizer.h"
#include "tokenizer/wordpiece_tokenizer.h"

namespace akunu {

namespace {

using json = nlohmann::json;

// No real vocabulary comes near 4M tokens; with the density check in read_vocab this keeps a
// corrupt id from asking for an allocation of gigabytes.
constexpr int64_t kMaxTokenId = (int64_t{1} << 22) - 1;
// Ids are dense in real files; a file may leave at most this many unused.
constexpr int64_t kMaxUnusedIds = 65536;

// Typed access to one JSON document: every failure names the document and the field's path.
class Doc {
public:
    Doc(std::string source, std::string_view text) : source_(std::move(source)) {
        try {
            root_ = json::parse(text.begin(), text.end());
        } catch (const json::exception& e) {
            fail(ErrorKind::Format, "tokenizer", source_ + ": not valid JSON: " + e.what());
        }
        if (!root_.is_object()) format("(top level)", "must be an object");
    }

    const json& root() const { return root_; }
    const std::string& source() const { return source_; }

    [[noreturn]] void format(const std::string& path, const std::string& what) const {
        fail(ErrorKind::Format, "tokenizer", source_ + ": " + path + " " + what);
    }
    [[noreturn]] void unsupported(const std::string& path, const std::string& what) const {
        fail(ErrorKind::Unsupported, "tokenizer", source_ + ": " + path + " " + what);
    }

    // A member that is absent or null gives nullptr.
    static const json* find(const json& obj, const char* key) {
        if (!obj.is_object()) return nullptr;
        auto it = obj.find(key);
        return it == obj.end() || it->is_null() ? nullptr : &*it;
    }
    const json& require(const json& obj, const char* key, const std::string& path) const {
        const json* v = find(obj, key);
        if (!v) format(path, "is missing");
        return *v;
    }
    std::string string(const json& v, const std::string& path) const {
        if (!v.is_string()) format(path, std::string("must be a string, got ") + v.type_name());
        return v.get<std::string>();
    }
    bool boolean(const json& obj, const char* key, bool fallback, const std::string& path) const {
        const json* v = find(obj, key);
        if (!v) return fallback;
        if (!v->is_boolean()) format(path + "." + key, std::string("must be a bool, got ") + v->type_name());
        return v->get<bool>();
    }
    std::string string_or(const json& obj, const char* key, const std::string& fallback, const std::string& path) const {
        const json* v = find(obj, key);
        return v ? string(*v, path + "." + key) : fallback;
    }
    int64_t integer(const json& v, const std::string& path, int64_t lo, int64_t hi) const {
        if (!v.is_number_integer()) format(path, std::string("must be an integer, got ") + v.type_name());
        const int64_t x = v.is_number_unsigned() && v.get<uint64_t>() > (uint64_t)INT64_MAX ? INT64_MAX : v.get<int64_t>();
        if (x < lo || x > hi) {
            format(path, "= " + std::to_string(x) + " is outside [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
        }
        return x;
    }
    std::string type_of(const json& obj, const std::string& path) const {
        if (!obj.is_object()) format(path, std::string("must be an object, got ") + obj.type_name());
        return string(require(obj, "type", path + ".type"), path + ".type");
    }

private:
    std::string source_;
    json root_;
};

std::string read_whole_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) fail(ErrorKind::Io, "tokenizer", "cannot open " + path);
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) fail(ErrorKind::Io, "tokenizer", "cannot read " + path);
    return ss.str();
}

// ---- normalizer ------------------------------------------------------------------------------

void map_normalizer(const Doc& doc, const json& n, const std::string& path, TextNormalizer& out) {
    const std::string type = doc.type_of(n, path);
    if (type == "Sequence") {
        const json& list = doc.require(n, "normalizers", path + ".normalizers");
        if (!list.is_array()) doc.format(path + ".normalizers", "must be an array");
        for (size_t i = 0; i < list.size(); ++i) {
            map_normalizer(doc, list[i], path + ".normalizers[" + std::to_string(i) + "]", out);
        }
    } else if (type == "NFC") {
        out.add(TextNormalizer::Op::NFC);
    } else if (type == "NFD") {
        out.add(TextNormalizer::Op::NFD);
    } else if (type == "NFKC") {
        out.add(TextNormalizer::Op::NFKC);
    } else if (type == "NFKD") {
        out.add(TextNormalizer::Op::NFKD);
    } else if (type == "Lowercase") {
        out.add(TextNormalizer::Op::Lowercase);
    } else if (type == "StripAccents") {
        out.add(TextNormalizer::Op::StripAccents);
    } else {
        doc.unsupported(path, "normalizer type '" + type + "' is not supported for BPE");
    }
}

BertNormalization map_bert_normalizer(const Doc& doc, const json* n, const std::string& path) {
    BertNormalization norm;
    if (!n) return BertNormalization{false, false, false, false};
    const std::string type = doc.type_of(*n, path);
    if (type != "BertNormalizer") doc.unsupported(path, "normalizer type '" + type + "' is not supported for WordPiece");
    norm.clean_text = doc.boolean(*n, "clean_text", true, path);
    norm.handle_chinese_chars = doc.boolean(*n, "handle_chinese_chars", true, path);
    norm.lowercase = doc.boolean(*n, "lowercase", true, path);
    norm.strip_accents = doc.boolean(*n, "strip_accents", norm.lowercase, path);  // null: as lowercase
    return norm;
}

// ---- pre-tokenizer ---------------------------------------------------------------------------

SplitBehavior map_behavior(const Doc& doc, const std::string& name, const std::string& path) {
    if (name == "Removed") return SplitBehavior::Removed;
    if (name == "Isolated") return SplitBehavior::Isolated;
    if (name == "MergedWithPrevious") return SplitBehavior::MergedWithPrevious;
    if (name == "MergedWithNext") return SplitBehavior::MergedWithNext;
    if (name == "Contiguous") return SplitBehavior::Contiguous;
    doc.unsupported(path, "split behavior '" + name + "' is not supported");
}

SplitRegex compile(const Doc& doc, const std::string& pattern, bool literal, const std::string& path) {
    try {
        return SplitRegex(pattern, literal);
    } catch (const Error& e) {
        doc.unsupported(path, std::string("pattern does not compile: ") + e.what());
    }
}

void map_pre_tokenizer(const Doc& doc, const json& p, const std::string& path, PreTokenizer& out, bool& byte_level) {
    const std::string type = doc.type_of(p, path);
    if (type == "Sequence") {
        const json& list = doc.require(p, "pretokenizers", path + ".pretokenizers");
        if (!list.is_array()) doc.format(path + ".pretokenizers", "must be an array");
        for (size_t i = 0; i < list.size(); ++i) {
            map_pre_tokenizer(doc, list[i], path + ".pretokenizers[" + std::to_string(i) + "]", out, byte_level);
        }
    } else if (type == "Split") {
        const json& pattern = doc.require(p, "pattern", path + ".pattern");
        const json* regex = Doc::find(pattern, "Regex");
        const json* literal = Doc::find(pattern, "String");
        if (!regex && !literal) doc.format(path + ".pattern", "must hold \"Regex\" or \"String\"");
        const std::string where = path + ".pattern." + (regex ? "Regex" : "String");
        SplitRegex re = compile(doc, doc.string(regex ? *regex : *literal, where), !regex, where);
        const SplitBehavior behavior =
            map_behavior(doc, doc.string(doc.require(p, "behavior", path + ".behavior"), path + ".behavior"),
                         path + ".behavior");
        out.add_split(std::move(re), behavior, doc.boolean(p, "invert", false, path));
    } else if (type == "ByteLevel") {
        out.add_byte_level(doc.boolean(p, "add_prefix_space", true, path), doc.boolean(p, "use_regex", true, path));
        byte_level = true;
    } else if (type == "Digits") {
        const bool individual = doc.boolean(p, "individual_digits", false, path);
        out.add_split(SplitRegex(R"(\p{N})"), individual ? SplitBehavior::Isolated : SplitBehavior::Contiguous);
    } else if (type == "Punctuation") {
        const std::string behavior = doc.string_or(p, "behavior", "Isolated", path);
        out.add_split(SplitRegex(R"([\p{P}\x21-\x2F\x3A-\x40\x5B-\x60\x7B-\x7E])"),
                      map_behavior(doc, behavior, path + ".behavior"));
    } else if (type == "Whitespace") {
        // Keeps runs of word characters and runs of other non-space characters.
        out.add_split(SplitRegex(R"(\w+|[^\w\s]+)"), SplitBehavior::Removed, /*invert=*/true);
    } else if (type == "WhitespaceSplit") {
        out.add_split(SplitRegex(R"([\s\x{85}]+)"), SplitBehavior::Removed);  // White_Space
    } else {
        doc.unsupported(path, "pre-tokenizer type '" + type + "' is not supported for BPE");
    }
}

// ---- vocabulary ------------------------------------------------------------------------------

struct AddedToken {
    int32_t id;
    std::string content;
    bool special, lstrip, rstrip;
};

std::vector<AddedToken> read_added_tokens(const Doc& doc) {
    std::vector<AddedToken> out;
    const json* list = Doc::find(doc.root(), "added_tokens");
    if (!list) return out;
    if (!list->is_array()) doc.format("added_tokens", "must be an array");
    for (size_t i = 0; i < list->size(); ++i) {
        const std::string path = "added_tokens[" + std::to_string(i) + "]";
        const json& t = (*list)[i];
        if (!t.is_object()) doc.format(path, "must be an object");
        AddedToken a;
        a.id = (int32_t)doc.integer(doc.require(t, "id", path + ".id"), path + ".id", 0, kMaxTokenId);
        a.content = doc.string(doc.require(t, "content", path + ".content"), path + ".content");
        if (a.content.empty()) doc.format(path + ".content", "is empty");
        a.special = doc.boolean(t, "special", false, path);
        a.lstrip = doc.boolean(t, "lstrip", false, path);
        a.rstrip = doc.boolean(t, "rstrip", false, path);
        out.push_back(std::move(a));
    }
    return out;
}

// The model's vocab with the added tokens laid over it; ids missing from both are empty
// Unused slots (never matched, rendered as nothing).
Vocab read_vocab(const Doc& doc, const json& model, const std::vector<AddedToken>& added) {
    const json& v = doc.require(model, "vocab", "model.vocab");
    if (!v.is_object()) doc.format("model.vocab", std::string("must be an object of token: id, got ") + v.type_name());
    int64_t max_id = -1;
    std::vector<std::pair<int32_t, const std::string*>> entries;
    entries.reserve(v.size());
    for (auto it = v.begin(); it != v.end(); ++it) {
        const int64_t id = doc.integer(it.value(), "model.vocab[\"" + it.key() + "\"]", 0, kMaxTokenId);
        entries.emplace_back((int32_t)id, &it.key());
        max_id = std::max(max_id, id);
    }
    for (const AddedToken& a : added) max_id = std::max<int64_t>(max_id, a.id);
    if (max_id < 0) doc.format("model.vocab", "is empty");
    const int64_t named = (int64_t)(entries.size() + added.size());
    if (max_id + 1 > named + kMaxUnusedIds) {
        doc.format("model.vocab", "has an id of " + std::to_string(max_id) + " for " + std::to_string(named) +
                                      " tokens: more than " + std::to_string(kMaxUnusedIds) + " ids would be unused");
    }

    Vocab vocab;
    vocab.source = doc.source();
    vocab.tokens.assign((size_t)max_id + 1, std::string());
    vocab.types.assign((size_t)max_id + 1, TokenType::Unused);
    for (const auto& [id, text] : entries) {
        if (vocab.types[(size_t)id] != TokenType::Unused) {
            doc.format("model.vocab", "gives id " + std::to_string(id) + " to both '" + vocab.tokens[(size_t)id] +
                                          "' and '" + *text + "'");
        }
        vocab.tokens[(size_t)id] = *text;
        vocab.types[(size_t)id] = TokenType::Normal;
    }
    bool any_strip = false;
    for (const AddedToken& a : added) any_strip = any_strip || a.lstrip || a.rstrip;
    if (any_strip) vocab.strip.assign(vocab.tokens.size(), 0);
    for (const AddedToken& a : added) {
        vocab.tokens[(size_t)a.id] = a.content;
        vocab.types[(size_t)a.id] = a.special ? TokenType::Control : TokenType::UserDefined;
        if (any_strip) {
            vocab.strip[(size_t)a.id] = (uint8_t)((a.lstrip ? Vocab::kStripLeft : 0) | (a.rstrip ? Vocab::kStripRight : 0));
        }
    }
    for (size_t i = 0; i < vocab.tokens.size(); ++i) {
        if (!vocab.tokens[i].empty()) vocab.token_to_id.emplace(vocab.tokens[i], (int32_t)i);
    }
    return vocab;
}

std::vector<std::string> read_merges(const Doc& doc, const json& model) {
    std::vector<std::string> out;
    const json* merges = Doc::find(model, "merges");
    if (!merges) return out;
    if (!merges->is_array()) doc.format("model.merges", "must be an array");
    out.reserve(merges->size());
    for (size_t i = 0; i < merges->size(); ++i) {
        const std::string path = "model.merges[" + std::to_string(i) + "]";
        const json& m = (*merges)[i];
        if (m.is_string()) {
            out.push_back(m.get<std::string>());
            continue;
        }
        // Newer files: a pair of tokens. Stored as "left right" like GGUF, which a token that
        // itself holds a space could not survive.
        if (!m.is_array() || m.size() != 2) doc.format(path, "must be a string \"a b\" or a pair [\"a\", \"b\"]");
        const std::string left = doc.string(m[0], path + "[0]"), right = doc.string(m[1], path + "[1]");
        if (left.find(' ') != std::string::npos || right.find(' ') != std::string::npos) {
            doc.unsupported(path, "merges a token holding a space, which byte-level BPE never has");
        }
        out.push_back(left + " " + right);
    }
    return out;
}

// ---- special tokens --------------------------------------------------------------------------

// What tokenizer_config.json and the post-processor say about the tokens around a sequence.
struct Framing {
    std::optional<std::string> bos, eos, unk, pad;
    std::optional<bool> add_bos, add_eos;
};

// A token named in tokenizer_config.json: a string, an object with "content", or null (none).
std::optional<std::string> config_token(const Doc& doc, const json& config, const char* key) {
    const json* v = Doc::find(config, key);
    if (!v) return std::nullopt;
    if (v->is_object()) return doc.string(doc.require(*v, "content", std::string(key) + ".content"), std::string(key) + ".content");
    return doc.string(*v, key);
}

// TemplateProcessing's single-sequence template, BertProcessing / RobertaProcessing, or a
// Sequence of processors holding one of them.
void read_post_processor(const Doc& doc, const json& p, const std::string& path, Framing& f) {
    const std::string type = doc.type_of(p, path);
    if (type == "Sequence") {
        const json& list = doc.require(p, "processors", path + ".processors");
        if (!list.is_array()) doc.format(path + ".processors", "must be an array");
        for (size_t i = 0; i < list.size(); ++i) {
            read_post_processor(doc, list[i], path + ".processors[" + std::to_string(i) + "]", f);
        }
    } else if (type == "TemplateProcessing") {
        const json& single = doc.require(p, "single", path + ".single");
        if (!single.is_array()) doc.format(path + ".single", "must be an array");
        auto special_id = [&](const json& item, size_t i) -> std::optional<std::string> {
            const json* s = Doc::find(item, "SpecialToken");
            if (!s) return std::nullopt;
            const std::string where = path + ".single[" + std::to_string(i) + "].SpecialToken.id";
            return doc.string(doc.require(*s, "id", where), where);
        };
        if (!single.empty()) {
            if (auto first = special_id(single.front(), 0)) {
                f.add_bos = true;
                if (!f.bos) f.bos = first;
            }
            if (single.size() > 1) {
                if (auto last = special_id(single.back(), single.size() - 1)) {
                    f.add_eos = true;
                    if (!f.eos) f.eos = last;
                }
            }
        }
    } else if (type == "BertProcessing" || type == "RobertaProcessing") {
        auto pair_text = [&](const char* key) {
            const json& v = doc.require(p, key, path + "." + key);
            if (!v.is_array() || v.empty()) doc.format(path + "." + key, "must be a [token, id] pair");
            return doc.string(v[0], path + "." + key + "[0]");
        };
        f.add_bos = true;
        f.add_eos = true;
        if (!f.bos) f.bos = pair_text("cls");
        if (!f.eos) f.eos = pair_text("sep");
    }
    // ByteLevel and the others add nothing around the sequence.
}

int32_t id_of(const Doc& doc, const Vocab& vocab, const std::optional<std::string>& text, const char* what) {
    if (!text) return -1;
    auto it = vocab.token_to_id.find(*text);
    if (it == vocab.token_to_id.end()) doc.format(what, "'" + *text + "' is not a token of the vocabulary");
    return it->second;
}

void apply_framing(const Doc& doc, const std::optional<Doc>& config, bool bert, const std::string& unk_from_model,
                   Vocab& vocab) {
    Framing f;
    if (config) {
        const json& c = config->root();
        f.bos = config_token(*config, c, bert ? "cls_token" : "bos_token");
        f.eos = config_token(*config, c, bert ? "sep_token" : "eos_token");
        f.unk = config_token(*config, c, "unk_token");
        f.pad = config_token(*config, c, "pad_token");
    }
    if (const json* post = Doc::find(doc.root(), "post_processor")) read_post_processor(doc, *post, "post_processor", f);
    if (config) {
        const json& c = config->root();
        if (Doc::find(c, "add_bos_token")) f.add_bos = config->boolean(c, "add_bos_token", false, "(top level)");
        if (Doc::find(c, "add_eos_token")) f.add_eos = config->boolean(c, "add_eos_token", false, "(top level)");
    }
    if (!unk_from_model.empty()) f.unk = unk_from_model;

    const Doc& names = config ? *config : doc;
    vocab.bos_id = id_of(names, vocab, f.bos, bert ? "cls_token" : "bos_token");
    vocab.eos_id = id_of(names, vocab, f.eos, bert ? "sep_token" : "eos_token");
    vocab.unk_id = id_of(names, vocab, f.unk, "unk_token");
    vocab.pad_id = id_of(names, vocab, f.pad, "pad_token");
    vocab.add_bos = f.add_bos.value_or(false) && vocab.bos_id >= 0;
    vocab.add_eos = f.add_eos.value_or(false) && vocab.eos_id >= 0;
    vocab.add_space_prefix = false;
    vocab.detect_eot_by_text();
}

// ---- models ----------------------------------------------------------------------------------

std::unique_ptr<Tokenizer> build_bpe(const Doc& doc, const std::optional<Doc>& config, const json& model) {
    for (const char* key : {"continuing_subword_prefix", "end_of_word_suffix"}) {
        if (!doc.string_or(model, key, "", "model").empty()) {
            doc.unsupported(std::string("model.") + key, "is set; only byte-level BPE without affixes is supported");
        }
    }
    // Dropout is a training device; a file that asks for it at inference is not one we reproduce.
    if (const json* d = Doc::find(model, "dropout")) {
        if (!d->is_number()) doc.format("model.dropout", "must be a number");
        if (d->get<double>() > 0) doc.unsupported("model.dropout", "is set; BPE dropout is not supported");
    }
    BpeOptions options;
    options.ignore_merges = doc.boolean(model, "ignore_merges", false, "model");
    if (const json* n = Doc::find(doc.root(), "normalizer")) map_normalizer(doc, *n, "normalizer", options.normalizer);
    bool byte_level = false;
    if (const json* p = Doc::find(doc.root(), "pre_tokenizer")) {
        map_pre_tokenizer(doc, *p, "pre_tokenizer", options.pre_tokenizer, byte_level);
    }
    if (!byte_level) {
        doc.unsupported("pre_tokenizer", "has no ByteLevel step: only byte-level BPE is supported "
                                         "(SentencePiece-style BPE over Metaspace is not)");
    }

    Vocab vocab = read_vocab(doc, model, read_added_tokens(doc));
    vocab.model = "gpt2";
    vocab.merges = read_merges(doc, model);
    apply_framing(doc, config, false, doc.string_or(model, "unk_token", "", "model"), vocab);
    return std::make_unique<BpeTokenizer>(std::move(vocab), std::move(options));
}

std::unique_ptr<Tokenizer> build_wordpiece(const Doc& doc, const std::optional<Doc>& config, const json& model) {
    WordPieceOptions options;
    options.normalization = map_bert_normalizer(doc, Doc::find(doc.root(), "normalizer"), "normalizer");
    const json* p = Doc::find(doc.root(), "pre_tokenizer");
    const std::string pre = p ? doc.type_of(*p, "pre_tokenizer") : "(none)";
    if (pre != "BertPreTokenizer") {
        doc.unsupported("pre_tokenizer", "type '" + pre + "' is not supported for WordPiece (BertPreTokenizer is)");
    }
    options.word_start_prefix.clear();
    options.continuation_prefix = doc.string_or(model, "continuing_subword_prefix", "##", "model");
    if (const json* m = Doc::find(model, "max_input_chars_per_word")) {
        options.max_chars_per_word = (size_t)doc.integer(*m, "model.max_input_chars_per_word", 1, INT32_MAX);
    }

    Vocab vocab = read_vocab(doc, model, read_added_tokens(doc));
    vocab.model = "bert";
    apply_framing(doc, config, true, doc.string_or(model, "unk_token", "[UNK]", "model"), vocab);
    return std::make_unique<WordPieceTokenizer>(std::move(vocab), std::move(options));
}

std::unique_ptr<Tokenizer> build(std::string_view tokenizer_json, const std::string& json_source,
                                 std::string_view tokenizer_config, const std::string& config_source) {
    const Doc doc(json_source, tokenizer_json);
    std::optional<Doc> config;
    if (!tokenizer_config.empty()) config.emplace(config_source, tokenizer_config);

    const json& model = doc.require(doc.root(), "model", "model");
    if (!model.is_object()) doc.format("model", "must be an object");
    // Old files leave out the type; merges then mean BPE.
    const std::string type = Doc::find(model, "type") ? doc.type_of(model, "model")
                             : Doc::find(model, "merges") ? "BPE"
                                                          : "";
    if (type == "BPE") return build_bpe(doc, config, model);
    if (type == "WordPiece") return build_wordpiece(doc, config, model);
    doc.unsupported("model.type", "'" + type + "' is not supported (BPE over ByteLevel and WordPiece are)");
}

}  // namespace

std::unique_ptr<Tokenizer> tokenizer_from_hf_json(std::string_view tokenizer_json, std::string_view tokenizer_config,
                                                  const std::string& source) {
    return build(tokenizer_json, source, tokenizer_config, source + " (tokenizer_config.json)");
}

std::unique_ptr<Tokenizer> tokenizer_from_hf_files(const std::string& tokenizer_json_path,
                                                   const std::string& tokenizer_config_path) {
    const std::string json_text = read_whole_file(tokenizer_json_path);
    const std::string config_text = tokenizer_config_path.empty() ? std::string() : read_whole_file(tokenizer_config_path);
    if (!tokenizer_config_path.empty() && config_text.empty()) {
        fail(ErrorKind::Format, "tokenizer", tokenizer_config_path + ": is empty");
    }
    return build(json_text, tokenizer_json_path, config_text, tokenizer_config_path);
}

}  // namespace akunu
