#include "tokenizer/bpe_presets.h"

#include <utility>

#include "core/error.h"

namespace akunu {

namespace {

// Llama 3's Split pattern (its tokenizer.json). Digits go in groups of up to three; a letter run
// takes one leading non-letter, non-digit character; contractions match in any case.
constexpr const char* kLlama3Pattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

// Qwen2's: Llama 3's with every digit on its own.
constexpr const char* kQwen2Pattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

// Hugging Face's Punctuation pre-tokenizer: ASCII punctuation (which includes the symbols
// $ + < = > ^ ` | ~) and every character of a Unicode punctuation category.
constexpr const char* kPunctuationClass = R"([\p{P}\x21-\x2F\x3A-\x40\x5B-\x60\x7B-\x7E])";

// DeepSeek's: CJK ideographs, everything from U+0800 up to them, and Hangul syllables.
constexpr const char* kDeepseekCjkPattern = R"([\x{4E00}-\x{9FA5}\x{0800}-\x{4E00}\x{AC00}-\x{D7FF}]+)";

// DeepSeek LLM's letter run: an optional whitespace and a run of cased letters, listed range by
// range as in its tokenizer.json (code points, so no editor can normalize them).
constexpr const char* kDeepseekLlmLetters =
    R"(\s?[)"
    R"(A-Za-z\x{B5}\x{C0}-\x{D6}\x{D8}-\x{F6}\x{F8}-\x{1BA}\x{1BC}-\x{1BF}\x{1C4}-\x{293})"
    R"(\x{295}-\x{2AF}\x{370}-\x{373}\x{376}-\x{377}\x{37B}-\x{37D}\x{37F}\x{386})"
    R"(\x{388}-\x{38A}\x{38C}\x{38E}-\x{3A1}\x{3A3}-\x{3F5}\x{3F7}-\x{481}\x{48A}-\x{52F})"
    R"(\x{531}-\x{556}\x{10A0}-\x{10C5}\x{13A0}-\x{13F5}\x{13F8}-\x{13FD}\x{1C90}-\x{1CBA})"
    R"(\x{1CBD}-\x{1CBF}\x{1D00}-\x{1D2B}\x{1D6B}-\x{1D77}\x{1D79}-\x{1D9A})"
    R"(\x{1E00}-\x{1F15}\x{1F18}-\x{1F1D}\x{1F20}-\x{1F45}\x{1F48}-\x{1F4D})"
    R"(\x{1F50}-\x{1F57}\x{1F59}\x{1F5B}\x{1F5D}\x{1F5F}-\x{1F7D}\x{1F80}-\x{1FB4})"
    R"(\x{1FB6}-\x{1FBC}\x{1FBE}\x{1FC2}-\x{1FC4}\x{1FC6}-\x{1FCC}\x{1FD0}-\x{1FD3})"
    R"(\x{1FD6}-\x{1FDB}\x{1FE0}-\x{1FEC}\x{1FF2}-\x{1FF4}\x{1FF6}-\x{1FFC}\x{2102}\x{2107})"
    R"(\x{210A}-\x{2113}\x{2115}\x{2119}-\x{211D}\x{2124}\x{2126}\x{2128}\x{212A}-\x{212D})"
    R"(\x{212F}-\x{2134}\x{2139}\x{213C}-\x{213F}\x{2145}-\x{2149}\x{214E}\x{2183}-\x{2184})"
    R"(\x{2C00}-\x{2C7B}\x{2C7E}-\x{2CE4}\x{2CEB}-\x{2CEE}\x{2CF2}-\x{2CF3})"
    R"(\x{A640}-\x{A66D}\x{A680}-\x{A69B}\x{A722}-\x{A76F}\x{A771}-\x{A787})"
    R"(\x{A78B}-\x{A78E}\x{AB70}-\x{ABBF}\x{FB00}-\x{FB06}\x{FB13}-\x{FB17})"
    R"(\x{FF21}-\x{FF3A}\x{FF41}-\x{FF5A}\x{10400}-\x{1044F}\x{104B0}-\x{104D3})"
    R"(\x{104D8}-\x{104FB}\x{10C80}-\x{10CB2}\x{10CC0}-\x{10CF2}\x{118A0}-\x{118DF})"
    R"(\x{1E900}-\x{1E943})"
    R"(]+)";

// DeepSeek LLM's punctuation run: ASCII and full-width punctuation, curly quotes, CJK marks.
constexpr const char* kDeepseekLlmPunctuation = R"(\s?[!-/:-~\x{FF01}-\x{FF0F}\x{FF1A}-\x{FF5E}\x{2018}-\x{201F}\x{3000}-\x{3002}]+)";

void split(BpeOptions& o, const char* pattern, SplitBehavior behavior = SplitBehavior::Isolated) {
    o.pre_tokenizer.add_split(SplitRegex(pattern), behavior);
}

BpeOptions gpt2() {
    BpeOptions o;
    o.pre_tokenizer.add_byte_level(false, true);
    return o;
}

BpeOptions mpt() {  // GPT-NeoX's tokenizer: NFC, then GPT-2's
    BpeOptions o = gpt2();
    o.normalizer.add(TextNormalizer::Op::NFC);
    return o;
}

BpeOptions starcoder() {  // every digit alone, then GPT-2's
    BpeOptions o;
    split(o, R"(\p{N})");
    o.pre_tokenizer.add_byte_level(false, true);
    return o;
}

BpeOptions falcon() {
    BpeOptions o;
    split(o, kPunctuationClass, SplitBehavior::Contiguous);
    o.pre_tokenizer.add_byte_level(false, true);
    // Digits(individual_digits = false), then groups of three digits, on the mapped text.
    split(o, R"(\p{N})", SplitBehavior::Contiguous);
    split(o, "[0-9][0-9][0-9]");
    return o;
}

BpeOptions llama3() {
    BpeOptions o;
    split(o, kLlama3Pattern);
    o.pre_tokenizer.add_byte_level(false, false);
    o.ignore_merges = true;
    return o;
}

BpeOptions qwen2() {
    BpeOptions o;
    o.normalizer.add(TextNormalizer::Op::NFC);
    split(o, kQwen2Pattern);
    o.pre_tokenizer.add_byte_level(false, false);
    return o;
}

BpeOptions deepseek_coder() {
    BpeOptions o;
    split(o, R"([\r\n])");
    split(o, R"(\s?\p{L}+)");
    split(o, R"(\s?\p{P}+)");
    split(o, kDeepseekCjkPattern);
    split(o, R"(\p{N})");
    o.pre_tokenizer.add_byte_level(false, false);
    return o;
}

BpeOptions deepseek_llm() {
    BpeOptions o;
    split(o, R"([\r\n])");
    split(o, kDeepseekLlmLetters);
    split(o, kDeepseekLlmPunctuation);
    split(o, R"(\s+$)");
    split(o, kDeepseekCjkPattern);
    split(o, R"(\p{N}+)");
    o.pre_tokenizer.add_byte_level(false, false);
    return o;
}

const std::vector<std::pair<std::string_view, BpeOptions (*)()>>& presets() {
    static const std::vector<std::pair<std::string_view, BpeOptions (*)()>> table = {
        {"", gpt2},
        {"default", gpt2},
        {"gpt-2", gpt2},
        {"mpt", mpt},
        {"starcoder", starcoder},
        {"refact", starcoder},
        {"falcon", falcon},
        {"llama-bpe", llama3},
        {"llama3", llama3},
        {"llama-v3", llama3},
        {"qwen2", qwen2},
        {"deepseek-coder", deepseek_coder},
        {"deepseek-llm", deepseek_llm},
    };
    return table;
}

}  // namespace

BpeOptions bpe_options_for_pre(std::string_view pre, const std::string& source) {
    for (const auto& [name, make] : presets()) {
        if (name == pre) return make();
    }
    std::string names;
    for (const std::string& n : supported_bpe_pres()) names += (names.empty() ? "" : ", ") + n;
    fail(ErrorKind::Unsupported, "tokenizer",
         source + ": byte-level BPE pre-tokenizer (tokenizer.ggml.pre) '" + std::string(pre) +
             "' is not supported (supported: " + names + ")");
}

std::vector<std::string> supported_bpe_pres() {
    std::vector<std::string> out;
    for (const auto& [name, make] : presets()) {
        if (!name.empty()) out.emplace_back(name);
    }
    return out;
}

}  // namespace akunu
