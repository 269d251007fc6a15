#include "tokenizer/text_normalizer.h"

#include <utf8proc.h>

#include <cstdlib>

#include "core/error.h"
#include "core/utf8.h"

namespace akunu {

namespace {

bool is_ascii(std::string_view s) {
    for (unsigned char c : s) {
        if (c >= 0x80) return false;
    }
    return true;
}

// Calls `fn` on each maximal well-formed run of `text` and appends the result; ill-formed
// bytes are copied through one at a time.
template <typename Fn>
std::string map_valid_runs(std::string_view text, Fn&& fn) {
    std::string out;
    out.reserve(text.size());
    size_t i = 0;
    while (i < text.size()) {
        size_t j = i;
        while (j < text.size()) {
            const size_t len = utf8::sequence_length(text, j);
            if (len == 0) break;
            j += len;
        }
        if (j > i) fn(text.substr(i, j - i), out);
        if (j < text.size()) out.push_back(text[j++]);
        i = j;
    }
    return out;
}

int utf8proc_options(TextNormalizer::Op form) {
    switch (form) {
        case TextNormalizer::Op::NFC: return UTF8PROC_STABLE | UTF8PROC_COMPOSE;
        case TextNormalizer::Op::NFD: return UTF8PROC_STABLE | UTF8PROC_DECOMPOSE;
        case TextNormalizer::Op::NFKC: return UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT;
        case TextNormalizer::Op::NFKD: return UTF8PROC_STABLE | UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT;
        default: break;
    }
    fail(ErrorKind::Internal, "tokenizer", "normalize() called with an op that is not a normal form");
}

void append_normalized(std::string_view valid, int options, std::string& out) {
    utf8proc_uint8_t* dst = nullptr;
    const utf8proc_ssize_t n =
        utf8proc_map((const utf8proc_uint8_t*)valid.data(), (utf8proc_ssize_t)valid.size(), &dst,
                     (utf8proc_option_t)options);
    if (n < 0) {
        std::free(dst);
        // The run was checked to be well-formed, so only running out of memory gets here.
        fail(ErrorKind::OutOfMemory, "tokenizer", std::string("Unicode normalization failed: ") + utf8proc_errmsg(n));
    }
    out.append((const char*)dst, (size_t)n);
    std::free(dst);
}

}  // namespace

std::string TextNormalizer::normalize(std::string_view text, Op form) {
    // ASCII is already in every normal form.
    if (is_ascii(text)) return std::string(text);
    const int options = utf8proc_options(form);
    return map_valid_runs(text, [&](std::string_view run, std::string& out) { append_normalized(run, options, out); });
}

std::string TextNormalizer::lowercase(std::string_view text) {
    return map_valid_runs(text, [](std::string_view run, std::string& out) {
        for (size_t i = 0; i < run.size();) {
            const size_t len = utf8::sequence_length(run, i);
            const uint32_t cp = utf8::decode(run, i, len);
            i += len;
            // U+0130 is the one character whose full lower-case mapping (what Hugging Face
            // applies) differs from the simple one that utf8proc gives: i + combining dot above.
            if (cp == 0x130) {
                out.append("i\xCC\x87");
                continue;
            }
            utf8::append(out, (uint32_t)utf8proc_tolower((utf8proc_int32_t)cp));
        }
    });
}

std::string TextNormalizer::strip_accents(std::string_view text) {
    const std::string decomposed = normalize(text, Op::NFD);
    return map_valid_runs(decomposed, [](std::string_view run, std::string& out) {
        for (size_t i = 0; i < run.size();) {
            const size_t len = utf8::sequence_length(run, i);
            const uint32_t cp = utf8::decode(run, i, len);
            if (utf8proc_category((utf8proc_int32_t)cp) != UTF8PROC_CATEGORY_MN) out.append(run.substr(i, len));
            i += len;
        }
    });
}

std::string TextNormalizer::apply(std::string_view text) const {
    std::string s(text);
    for (Op op : ops_) {
        switch (op) {
            case Op::Lowercase: s = lowercase(s); break;
            case Op::StripAccents: s = strip_accents(s); break;
            default: s = normalize(s, op); break;
        }
    }
    return s;
}

}  // namespace akunu
