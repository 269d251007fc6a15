// Byte-level BPE, as Hugging Face's BPE model does it (the reference vectors come from there):
//
// 1. Added tokens are cut out of the raw text (special_token_splitter.h).
// 2. Each remaining fragment is normalized (Qwen2 and MPT: NFC) and pre-tokenized into pieces.
// 3. Each piece starts as one symbol per byte (the token of the byte's character) and adjacent
//    symbols are merged by rank: always the pair with the lowest merge rank, the leftmost on
//    ties. A min-heap of candidate pairs over a linked list of symbols makes this O(n log n)
//    per piece, so a 100 KB piece of one repeated character costs milliseconds, not minutes.
//    A candidate made stale by an earlier merge is recognised because one of its two symbols no
//    longer holds the token it was proposed with.
// 4. Merges map token ids to token ids, checked once at load, so the loop does no string work.
#include "tokenizer/bpe_tokenizer.h"

#include <queue>

#include "core/error.h"
#include "tokenizer/byte_unicode.h"

namespace akunu {

namespace {

[[noreturn]] void merge_error(const Vocab& v, size_t index, const std::string& merge, const std::string& what) {
    fail(ErrorKind::Format, "tokenizer",
         v.source + ": merge " + std::to_string(index) + " '" + merge + "' " + what);
}

struct Symbol {
    int32_t id;          // token, -1 for a byte with no token, kAbsorbed once merged away
    int32_t prev, next;  // neighbours in the list, -1 at the ends
};
constexpr int32_t kAbsorbed = -2;

struct Candidate {
    int32_t rank;
    int32_t left, right;          // symbol indices
    int32_t left_id, right_id;    // what they held when proposed
    int32_t merged_id;
};

// priority_queue keeps the "largest" on top: make that the lowest rank, then the leftmost.
struct LaterThan {
    bool operator()(const Candidate& a, const Candidate& b) const {
        return a.rank > b.rank || (a.rank == b.rank && a.left > b.left);
    }
};

}  // namespace

BpeTokenizer::BpeTokenizer(Vocab vocab, BpeOptions options)
    : Tokenizer(Vocab::completed(std::move(vocab))), options_(std::move(options)), specials_(vocab_) {
    build_merges();

    for (int b = 0; b < 256; ++b) {
        auto it = vocab_.token_to_id.find(byte_unicode::char_of((uint8_t)b));
        byte_token_[(size_t)b] = it == vocab_.token_to_id.end() ? -1 : it->second;
    }

    pieces_.resize(vocab_.tokens.size());
    std::string bytes;
    for (size_t i = 0; i < vocab_.tokens.size(); ++i) {
        const TokenType t = vocab_.types[i];
        if (t == TokenType::Control || t == TokenType::Unused || t == TokenType::Undefined) continue;
        const std::string& text = vocab_.tokens[i];
        pieces_[i] = byte_unicode::decode(text, bytes) ? bytes : text;
    }
}

void BpeTokenizer::build_merges() {
    const Vocab& v = vocab_;
    merges_.reserve(v.merges.size());
    auto id_of = [&](size_t index, const std::string& merge, const std::string& text) {
        auto it = v.token_to_id.find(text);
        if (it == v.token_to_id.end()) merge_error(v, index, merge, "needs '" + text + "', which is not in the vocabulary");
        return it->second;
    };
    for (size_t i = 0; i < v.merges.size(); ++i) {
        const std::string& m = v.merges[i];
        const size_t space = m.find(' ');
        if (space == std::string::npos || space == 0 || space + 1 >= m.size() || m.find(' ', space + 1) != std::string::npos) {
            merge_error(v, i, m, "is not two tokens separated by one space");
        }
        const std::string left = m.substr(0, space), right = m.substr(space + 1);
        const int32_t l = id_of(i, m, left), r = id_of(i, m, right), merged = id_of(i, m, left + right);
        if (i > (size_t)INT32_MAX) merge_error(v, i, m, "is past the 2^31 merges we can rank");
        // A repeated pair keeps its first (best) rank.
        merges_.emplace(pair_key(l, r), MergeResult{(int32_t)i, merged});
    }
}

void BpeTokenizer::encode_piece(std::string_view bytes, std::vector<int32_t>& out) const {
    if (bytes.empty()) return;
    auto emit = [&](int32_t id) {
        if (id >= 0) {
            out.push_back(id);
        } else if (vocab_.unk_id >= 0) {  // a byte the vocabulary has no token for
            out.push_back(vocab_.unk_id);
        }
    };
    if (bytes.size() == 1) {
        emit(byte_token_[(unsigned char)bytes[0]]);
        return;
    }
    if (options_.ignore_merges) {
        auto it = vocab_.token_to_id.find(byte_unicode::encode(bytes));
        if (it != vocab_.token_to_id.end() && vocab_.types[(size_t)it->second] == TokenType::Normal) {
            out.push_back(it->second);
            return;
        }
    }

    const int32_t n = (int32_t)bytes.size();
    std::vector<Symbol> symbols((size_t)n);
    for (int32_t i = 0; i < n; ++i) {
        symbols[(size_t)i] = Symbol{byte_token_[(unsigned char)bytes[(size_t)i]], i - 1, i + 1 < n ? i + 1 : -1};
    }
    std::vector<Candidate> storage;
    storage.reserve((size_t)n);
    std::priority_queue<Candidate, std::vector<Candidate>, LaterThan> queue(LaterThan{}, std::move(storage));
    auto propose = [&](int32_t l, int32_t r) {
        if (l < 0 || r < 0) return;
        const int32_t a = symbols[(size_t)l].id, b = symbols[(size_t)r].id;
        if (a < 0 || b < 0) return;
        auto it = merges_.find(pair_key(a, b));
        if (it != merges_.end()) queue.push(Candidate{it->second.rank, l, r, a, b, it->second.id});
    };
    for (int32_t i = 0; i + 1 < n; ++i) propose(i, i + 1);

    while (!queue.empty()) {
        const Candidate c = queue.top();
        queue.pop();
        Symbol& left = symbols[(size_t)c.left];
        Symbol& right = symbols[(size_t)c.right];
        if (left.id != c.left_id || right.id != c.right_id || left.next != c.right) continue;  // stale
        left.id = c.merged_id;
        left.next = right.next;
        if (right.next >= 0) symbols[(size_t)right.next].prev = c.left;
        right.id = kAbsorbed;
        propose(left.prev, c.left);
        propose(c.left, left.next);
    }
    for (int32_t i = 0; i >= 0; i = symbols[(size_t)i].next) emit(symbols[(size_t)i].id);
}

std::vector<int32_t> BpeTokenizer::encode(std::string_view text, bool add_bos, bool parse_special) const {
    std::vector<int32_t> out;
    out.reserve(text.size() / 3 + 2);
    if (add_bos && vocab_.bos_id >= 0) out.push_back(vocab_.bos_id);
    for (const SpecialTokenSplitter::Fragment& f : specials_.split(text, parse_special)) {
        if (f.token >= 0) {
            out.push_back(f.token);
            continue;
        }
        std::string_view raw = text.substr(f.offset, f.length);
        std::string normalized;
        if (!options_.normalizer.empty()) {
            normalized = options_.normalizer.apply(raw);
            raw = normalized;
        }
        if (options_.pre_tokenizer.empty()) {
            encode_piece(raw, out);
            continue;
        }
        for (const std::string& piece : options_.pre_tokenizer.split(raw)) encode_piece(piece, out);
    }
    // As for SPM: add_bos stands for "add the special tokens the vocab asks for".
    if (add_bos && vocab_.add_eos && vocab_.eos_id >= 0) out.push_back(vocab_.eos_id);
    return out;
}

std::string BpeTokenizer::token_to_piece(int32_t id) const {
    if (id < 0 || id >= (int32_t)pieces_.size()) {
        fail(ErrorKind::InvalidArgument, "tokenizer",
             "token id " + std::to_string(id) + " is outside the vocab of " + std::to_string(pieces_.size()) +
                 " tokens");
    }
    return pieces_[(size_t)id];
}

}  // namespace akunu
