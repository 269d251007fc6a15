// The tokenizer factory, decoding, and streaming detokenization.
#include "tokenizer/tokenizer.h"

#include "core/error.h"
#include "format/gguf_file.h"
#include "tokenizer/bpe_presets.h"
#include "tokenizer/bpe_tokenizer.h"
#include "tokenizer/spm_tokenizer.h"
#include "tokenizer/wordpiece_tokenizer.h"

namespace akunu {

std::unique_ptr<Tokenizer> Tokenizer::from_gguf(const GgufFile& file) {
    // Decide on the model before reading the (possibly 150k-entry) vocab, so an unsupported
    // tokenizer fails fast and says which one it was.
    const std::string model = file.get_string("tokenizer.ggml.model");
    if (model == "llama") return std::make_unique<SpmTokenizer>(Vocab::from_gguf(file));
    if (model == "gpt2") {
        BpeOptions options = bpe_options_for_pre(file.get_string_or("tokenizer.ggml.pre", ""), file.name());
        return std::make_unique<BpeTokenizer>(Vocab::from_gguf(file), std::move(options));
    }
    if (model == "bert") return std::make_unique<WordPieceTokenizer>(Vocab::from_gguf(file), WordPieceOptions::for_gguf());
    fail(ErrorKind::Unsupported, "tokenizer",
         file.name() + ": tokenizer model '" + model + "' is not supported (supported: llama, gpt2, bert)");
}

std::string Tokenizer::decode(const std::vector<int32_t>& ids) const {
    std::string out;
    for (int32_t id : ids) out += token_to_piece(id);
    return out;
}

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Moves the longest run of complete characters from the front of `pending` to the result.
// Well-formedness follows Unicode's table (no overlongs, surrogates or values past U+10FFFF),
// so the output is always valid UTF-8. An ill-formed sequence becomes one U+FFFD per maximal
// subpart and scanning resumes at the byte that broke it. A valid but incomplete sequence at
// the end is held back, unless `final`, when it too becomes U+FFFD.
std::string drain_complete(std::string& pending, bool final) {
    std::string out;
    size_t i = 0;
    const size_t n = pending.size();
    while (i < n) {
        const unsigned char c = (unsigned char)pending[i];
        if (c < 0x80) {
            out.push_back((char)c);
            ++i;
            continue;
        }
        size_t need = 0;
        unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
        if (c >= 0xC2 && c <= 0xDF) {
            need = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            need = 3;
            if (c == 0xE0) lo = 0xA0;  // no overlongs
            if (c == 0xED) hi = 0x9F;  // no surrogates
        } else if (c >= 0xF0 && c <= 0xF4) {
            need = 4;
            if (c == 0xF0) lo = 0x90;  // no overlongs
            if (c == 0xF4) hi = 0x8F;  // nothing past U+10FFFF
        } else {  // a stray continuation byte, C0/C1, or F5..FF
            out.append(kReplacement);
            ++i;
            continue;
        }
        size_t k = 1;
        bool broken = false;
        while (k < need && i + k < n) {
            const unsigned char d = (unsigned char)pending[i + k];
            const unsigned char min = k == 1 ? lo : 0x80, max = k == 1 ? hi : 0xBF;
            if (d < min || d > max) {
                broken = true;
                break;
            }
            ++k;
        }
        if (broken) {
            out.append(kReplacement);
            i += k;
            continue;
        }
        if (k < need) {  // incomplete: wait for the next token
            if (final) {
                out.append(kReplacement);
                i = n;
            }
            break;
        }
        out.append(pending, i, need);
        i += need;
    }
    pending.erase(0, i);
    return out;
}

}  // namespace

std::string StreamingDetokenizer::push(int32_t id) {
    pending_ += tok_.token_to_piece(id);
    return drain_complete(pending_, false);
}

std::string StreamingDetokenizer::flush() {
    std::string out = drain_complete(pending_, true);
    pending_.clear();
    return out;
}

}  // namespace akunu
