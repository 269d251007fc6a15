// The table: the printable Latin-1 bytes ('!'..'~', U+00A1..U+00AC, U+00AE..U+00FF) stand for
// themselves; the other 68 (controls, space, DEL, NBSP, soft hyphen) take U+0100, U+0101, ... in
// byte order. This is the published GPT-2 encoder's bytes_to_unicode().
#include "tokenizer/byte_unicode.h"

#include <array>

#include "core/utf8.h"

namespace akunu::byte_unicode {

namespace {

bool stands_for_itself(int b) { return (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF); }

struct Tables {
    std::array<std::string, 256> chars;
    std::array<int16_t, 256 + 68> bytes;  // code point -> byte, -1 where none
    Tables() {
        bytes.fill(-1);
        uint32_t next = 256;
        for (int b = 0; b < 256; ++b) {
            const uint32_t cp = stands_for_itself(b) ? (uint32_t)b : next++;
            utf8::append(chars[(size_t)b], cp);
            bytes[cp] = (int16_t)b;
        }
    }
};

const Tables& tables() {
    static const Tables t;
    return t;
}

}  // namespace

const std::string& char_of(uint8_t b) { return tables().chars[b]; }

int byte_of(uint32_t cp) {
    const auto& bytes = tables().bytes;
    return cp < bytes.size() ? bytes[cp] : -1;
}

std::string encode(std::string_view bytes) {
    const Tables& t = tables();
    std::string out;
    out.reserve(bytes.size() * 2);
    for (unsigned char b : bytes) out += t.chars[b];
    return out;
}

bool decode(std::string_view text, std::string& out) {
    out.clear();
    out.reserve(text.size());
    for (size_t i = 0; i < text.size();) {
        const size_t len = utf8::sequence_length(text, i);
        if (len == 0) return false;
        const int b = byte_of(utf8::decode(text, i, len));
        if (b < 0) return false;
        out.push_back((char)b);
        i += len;
    }
    return true;
}

}  // namespace akunu::byte_unicode
