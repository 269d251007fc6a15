// SPM tokenization, reproducing llama.cpp's behaviour for "llama" vocabularies (the test
// vectors in shared/testdata/vocab were checked against it):
//
// 1. Special tokens are cut out of the text first, longest text first. Control and Unknown
//    tokens only when parse_special is set; UserDefined tokens always (Hugging Face treats
//    added non-special tokens that way too).
// 2. Each remaining text fragment that starts the input or follows a special token gets a
//    leading space (if add_space_prefix); then every ' ' becomes U+2581.
// 3. The fragment is split into UTF-8 characters, and adjacent symbols are merged greedily:
//    always the pair whose concatenation is a vocab token of the highest score, the leftmost
//    on ties. A max-heap of candidate pairs over a linked list of symbols makes this
//    O(n log n); candidates made stale by an earlier merge are recognised by their length.
// 4. Each final symbol that is a token emits its id. One that is not is split back into the
//    two parts it was merged from, recursively, and characters no token covers fall back to
//    <0xNN> byte tokens.
#include "tokenizer/spm_tokenizer.h"

#include <algorithm>
#include <cstdio>
#include <queue>
#include <unordered_map>

#include "core/error.h"

namespace akunu {

namespace {

constexpr std::string_view kSpaceMark = "\xE2\x96\x81";  // U+2581 LOWER ONE EIGHTH BLOCK
constexpr std::string_view kUnknownGlyph = "\xE2\x96\x85";  // U+2585, how UNK is shown

// Byte length of the UTF-8 character a lead byte starts, judged from its top four bits only.
// Stray continuation bytes count as one; a truncated sequence is cut at the end of the text.
// This lenient split (no validation) is what the reference does, so malformed input tokenizes
// the same way.
size_t utf8_len_from_lead(unsigned char c) {
    static constexpr uint8_t kLen[16] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4};
    return kLen[c >> 4];
}

// The C locale's isspace, without the signed-char pitfall.
bool is_ascii_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

std::string escape_spaces(std::string_view text) {
    std::string out;
    out.reserve(text.size() + text.size() / 2);
    for (char c : text) {
        if (c == ' ') {
            out.append(kSpaceMark);
        } else {
            out.push_back(c);
        }
    }
    return out;
}

std::string unescape_spaces(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    size_t i = 0;
    while (i < text.size()) {
        if (text.compare(i, kSpaceMark.size(), kSpaceMark) == 0) {
            out.push_back(' ');
            i += kSpaceMark.size();
        } else {
            out.push_back(text[i++]);
        }
    }
    return out;
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

// "<0xNN>" -> NN, or -1.
int parse_byte_piece(std::string_view t) {
    if (t.size() != 6 || t.substr(0, 3) != "<0x" || t[5] != '>') return -1;
    int hi = hex_digit(t[3]), lo = hex_digit(t[4]);
    return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

// One merge session over one escaped fragment.
class Merger {
public:
    Merger(const Vocab& vocab, std::string_view text) : vocab_(vocab), text_(text) {}

    template <typename EmitBytes>
    void run(std::vector<int32_t>& out, EmitBytes&& emit_bytes) {
        split_chars();
        for (int32_t i = 1; i < (int32_t)symbols_.size(); ++i) propose(i - 1, i);

        while (!queue_.empty()) {
            Candidate c = queue_.top();
            queue_.pop();
            Symbol& left = symbols_[(size_t)c.left];
            Symbol& right = symbols_[(size_t)c.right];
            // Stale: one side was absorbed (len 0) or grew since the pair was proposed.
            if (left.len == 0 || right.len == 0 || left.len + right.len != c.len) continue;

            left.len += right.len;
            right.len = 0;
            left.next = right.next;
            if (right.next >= 0) symbols_[(size_t)right.next].prev = c.left;
            propose(left.prev, c.left);
            propose(c.left, left.next);
        }

        for (int32_t i = symbols_.empty() ? -1 : 0; i != -1; i = symbols_[(size_t)i].next) {
            const Symbol& s = symbols_[(size_t)i];
            resegment(text_.substr(s.begin, s.len), out, emit_bytes);
        }
    }

private:
    struct Symbol {
        int32_t prev, next;
        uint32_t begin, len;  // a slice of text_; len 0 once merged into its left neighbour
    };
    struct Candidate {
        float score;
        int32_t left, right;
        uint32_t len;  // left.len + right.len when proposed
    };
    // priority_queue puts the "largest" on top: highest score, then the smallest left index.
    struct LowerPriority {
        bool operator()(const Candidate& a, const Candidate& b) const {
            return a.score < b.score || (a.score == b.score && a.left > b.left);
        }
    };

    void split_chars() {
        symbols_.reserve(text_.size());
        size_t off = 0;
        int32_t index = 0;
        while (off < text_.size()) {
            size_t n = std::min(utf8_len_from_lead((unsigned char)text_[off]), text_.size() - off);
            Symbol s;
            s.begin = (uint32_t)off;
            s.len = (uint32_t)n;
            s.prev = index - 1;
            off += n;
            s.next = off == text_.size() ? -1 : index + 1;
            symbols_.push_back(s);
            ++index;
        }
    }

    int32_t lookup(std::string_view piece) const {
        auto it = vocab_.token_to_id.find(std::string(piece));
        return it == vocab_.token_to_id.end() ? -1 : it->second;
    }

    void propose(int32_t l, int32_t r) {
        if (l < 0 || r < 0) return;
        const Symbol& a = symbols_[(size_t)l];
        const Symbol& b = symbols_[(size_t)r];
        std::string_view joined = text_.substr(a.begin, a.len + b.len);  // b follows a in text_
        int32_t id = lookup(joined);
        if (id < 0) return;
        float score = vocab_.scores.empty() ? 0.0f : vocab_.scores[(size_t)id];
        queue_.push(Candidate{score, l, r, a.len + b.len});
        // Remember where this text was split so that resegment can undo the merge.
        split_at_[std::string(joined)] = a.len;
    }

    // A merge only happens when the joined text is a token, so a merged symbol is always
    // found by the first lookup and the split-back path serves only unmerged characters;
    // it is kept so that the output stays right should a vocab lookup ever disagree.
    template <typename EmitBytes>
    void resegment(std::string_view piece, std::vector<int32_t>& out, EmitBytes& emit_bytes) const {
        int32_t id = lookup(piece);
        if (id >= 0) {
            out.push_back(id);
            return;
        }
        auto it = split_at_.find(std::string(piece));
        if (it == split_at_.end() || it->second == 0 || it->second >= piece.size()) {
            emit_bytes(piece, out);
            return;
        }
        resegment(piece.substr(0, it->second), out, emit_bytes);
        resegment(piece.substr(it->second), out, emit_bytes);
    }

    const Vocab& vocab_;
    std::string_view text_;
    std::vector<Symbol> symbols_;
    std::priority_queue<Candidate, std::vector<Candidate>, LowerPriority> queue_;
    std::unordered_map<std::string, uint32_t> split_at_;  // merged text -> length of its left part
};

}  // namespace

SpmTokenizer::SpmTokenizer(Vocab vocab) : Tokenizer(Vocab::completed(std::move(vocab))) {
    const size_t n = vocab_.tokens.size();
    const Vocab& v = vocab_;

    pieces_.resize(n);
    for (size_t i = 0; i < n; ++i) {
        const std::string& text = v.tokens[i];
        switch (v.types[i]) {
            case TokenType::Normal: pieces_[i] = unescape_spaces(text); break;
            case TokenType::Byte: {
                int b = parse_byte_piece(text);
                pieces_[i] = b < 0 ? text : std::string(1, (char)b);
                break;
            }
            case TokenType::UserDefined: pieces_[i] = text; break;
            case TokenType::Unknown: pieces_[i] = std::string(kUnknownGlyph); break;
            case TokenType::Control:
            case TokenType::Unused:
            case TokenType::Undefined: break;  // renders as nothing
        }
        if (v.types[i] == TokenType::Control || v.types[i] == TokenType::UserDefined ||
            v.types[i] == TokenType::Unknown) {
            if (!text.empty()) special_.push_back((int32_t)i);
        }
    }
    // Longest first, so "<|endoftext|>" is cut before a shorter token inside it could be.
    std::stable_sort(special_.begin(), special_.end(), [&](int32_t a, int32_t b) {
        return v.tokens[(size_t)a].size() > v.tokens[(size_t)b].size();
    });

    for (int b = 0; b < 256; ++b) {
        char name[8];
        std::snprintf(name, sizeof name, "<0x%02X>", b);
        auto it = v.token_to_id.find(name);
        if (it == v.token_to_id.end()) it = v.token_to_id.find(std::string(1, (char)b));
        byte_token_[(size_t)b] = it == v.token_to_id.end() ? -1 : it->second;
    }
}

void SpmTokenizer::emit_bytes(std::string_view bytes, std::vector<int32_t>& out) const {
    for (unsigned char b : bytes) {
        int32_t id = byte_token_[b];
        if (id < 0) id = vocab_.unk_id;  // a vocab without byte fallback: UNK, or nothing at all
        if (id >= 0) out.push_back(id);
    }
}

void SpmTokenizer::encode_escaped(std::string_view text, std::vector<int32_t>& out) const {
    if (text.empty()) return;
    Merger merger(vocab_, text);
    merger.run(out, [this](std::string_view bytes, std::vector<int32_t>& o) { emit_bytes(bytes, o); });
}

std::vector<SpmTokenizer::Fragment> SpmTokenizer::split_special(std::string_view text, bool parse_special) const {
    std::vector<Fragment> frags;
    if (text.empty()) return frags;
    frags.push_back(Fragment{-1, 0, text.size()});

    std::vector<Fragment> next;
    for (int32_t id : special_) {
        TokenType type = vocab_.types[(size_t)id];
        if (!parse_special && (type == TokenType::Control || type == TokenType::Unknown)) continue;
        const std::string& tok = vocab_.tokens[(size_t)id];
        uint8_t strip = vocab_.strip.empty() ? 0 : vocab_.strip[(size_t)id];

        next.clear();
        for (const Fragment& f : frags) {
            if (f.token >= 0) {
                next.push_back(f);
                continue;
            }
            size_t pos = f.offset;
            const size_t end = f.offset + f.length;
            while (pos < end) {
                size_t m = text.substr(0, end).find(tok, pos);
                if (m == std::string_view::npos) break;
                size_t left_end = m;
                if (strip & Vocab::kStripLeft) {
                    while (left_end > pos && is_ascii_space(text[left_end - 1])) --left_end;
                }
                if (left_end > pos) next.push_back(Fragment{-1, pos, left_end - pos});
                next.push_back(Fragment{id, 0, 0});
                pos = m + tok.size();
                if (strip & Vocab::kStripRight) {
                    while (pos < end && is_ascii_space(text[pos])) ++pos;
                }
            }
            if (pos < end) next.push_back(Fragment{-1, pos, end - pos});
        }
        frags.swap(next);
    }
    return frags;
}

std::vector<int32_t> SpmTokenizer::encode(std::string_view text, bool add_bos, bool parse_special) const {
    std::vector<int32_t> out;
    out.reserve(text.size() / 2 + 2);
    if (add_bos && vocab_.bos_id >= 0) out.push_back(vocab_.bos_id);

    // The reference prefixes a space to every text fragment that begins the input or follows
    // a special token, matching SentencePiece's dummy prefix on each piece of text.
    bool after_special = true;
    for (const Fragment& f : split_special(text, parse_special)) {
        if (f.token >= 0) {
            out.push_back(f.token);
            after_special = true;
            continue;
        }
        std::string_view raw = text.substr(f.offset, f.length);
        std::string escaped = escape_spaces(vocab_.add_space_prefix && after_special ? " " : "");
        escaped += escape_spaces(raw);
        encode_escaped(escaped, out);
        after_special = false;
    }

    // add_bos stands for "add the special tokens the vocab asks for": with it off (as in the
    // reference vectors, add_special_tokens=False) no EOS is appended either.
    if (add_bos && vocab_.add_eos && vocab_.eos_id >= 0) out.push_back(vocab_.eos_id);
    return out;
}

std::string SpmTokenizer::token_to_piece(int32_t id) const {
    if (id < 0 || id >= (int32_t)pieces_.size()) {
        fail(ErrorKind::InvalidArgument, "tokenizer",
             "token id " + std::to_string(id) + " is outside the vocab of " + std::to_string(pieces_.size()) +
                 " tokens");
    }
    return pieces_[(size_t)id];
}

}  // namespace akunu
