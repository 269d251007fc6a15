#include "tokenizer/pre_tokenizer.h"

#include "tokenizer/byte_unicode.h"

namespace akunu {

const char* const kGpt2SplitPattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

namespace {

struct Span {
    size_t begin, end;
    bool is_match;
};

// The piece covered by matches and gaps, in order, each flagged.
std::vector<Span> spans_of(const SplitRegex& regex, std::string_view piece, bool invert) {
    std::vector<Span> spans;
    size_t prev = 0;
    for (const auto& [b, e] : regex.find_all(piece)) {
        if (b > prev) spans.push_back(Span{prev, b, invert});
        spans.push_back(Span{b, e, !invert});
        prev = e;
    }
    if (prev < piece.size()) spans.push_back(Span{prev, piece.size(), invert});
    return spans;
}

}  // namespace

void split_piece(const SplitRegex& regex, SplitBehavior behavior, bool invert, std::string_view piece,
                 std::vector<std::string>& out) {
    const std::vector<Span> spans = spans_of(regex, piece, invert);
    // Each behaviour decides, span by span, whether the span starts a new piece or extends the
    // last one (Removed drops matches). Merging follows Hugging Face: a match joins the gap
    // before it (MergedWithPrevious) or after it (MergedWithNext), never another match.
    std::vector<std::pair<size_t, size_t>> pieces;
    switch (behavior) {
        case SplitBehavior::Removed:
            for (const Span& s : spans) {
                if (!s.is_match) pieces.emplace_back(s.begin, s.end);
            }
            break;
        case SplitBehavior::Isolated:
            for (const Span& s : spans) pieces.emplace_back(s.begin, s.end);
            break;
        case SplitBehavior::Contiguous: {
            bool prev_match = false;
            for (const Span& s : spans) {
                if (!pieces.empty() && s.is_match == prev_match) {
                    pieces.back().second = s.end;
                } else {
                    pieces.emplace_back(s.begin, s.end);
                }
                prev_match = s.is_match;
            }
            break;
        }
        case SplitBehavior::MergedWithPrevious: {
            bool prev_match = false;
            for (const Span& s : spans) {
                if (s.is_match && !prev_match && !pieces.empty()) {
                    pieces.back().second = s.end;
                } else {
                    pieces.emplace_back(s.begin, s.end);
                }
                prev_match = s.is_match;
            }
            break;
        }
        case SplitBehavior::MergedWithNext: {
            bool next_match = false;
            std::vector<std::pair<size_t, size_t>> reversed;
            for (auto it = spans.rbegin(); it != spans.rend(); ++it) {
                if (it->is_match && !next_match && !reversed.empty()) {
                    reversed.back().first = it->begin;
                } else {
                    reversed.emplace_back(it->begin, it->end);
                }
                next_match = it->is_match;
            }
            pieces.assign(reversed.rbegin(), reversed.rend());
            break;
        }
    }
    for (const auto& [b, e] : pieces) {
        if (e > b) out.emplace_back(piece.substr(b, e - b));
    }
}

void PreTokenizer::add_split(SplitRegex regex, SplitBehavior behavior, bool invert) {
    for (const Step& s : steps_) maps_bytes_ = maps_bytes_ || s.kind == Step::Kind::ByteLevel;
    steps_.push_back(Step{Step::Kind::Split, std::move(regex), behavior, invert, false, false});
}

void PreTokenizer::add_byte_level(bool add_prefix_space, bool use_regex) {
    std::optional<SplitRegex> regex;
    if (use_regex) regex.emplace(kGpt2SplitPattern);
    steps_.push_back(Step{Step::Kind::ByteLevel, std::move(regex), SplitBehavior::Isolated, false, add_prefix_space,
                          use_regex});
}

std::vector<std::string> PreTokenizer::split(std::string_view text) const {
    std::vector<std::string> pieces;
    if (text.empty()) return pieces;
    pieces.emplace_back(text);
    bool mapped = false;  // whether the pieces hold byte_unicode characters instead of bytes
    std::vector<std::string> next;
    for (const Step& step : steps_) {
        next.clear();
        for (std::string& piece : pieces) {
            if (step.kind == Step::Kind::Split) {
                split_piece(*step.regex, step.behavior, step.invert, piece, next);
                continue;
            }
            // ByteLevel. Once the bytes are mapped a second ByteLevel has nothing left to do.
            if (mapped) {
                next.push_back(std::move(piece));
                continue;
            }
            // Like Hugging Face, the prefix space goes on every piece that reaches this step
            // without one, and the regex runs on the text before its bytes are mapped.
            if (step.add_prefix_space && piece.front() != ' ') piece.insert(piece.begin(), ' ');
            const size_t first = next.size();
            if (step.use_regex) {
                split_piece(*step.regex, SplitBehavior::Isolated, false, piece, next);
            } else {
                next.push_back(std::move(piece));
            }
            if (maps_bytes_) {
                for (size_t k = first; k < next.size(); ++k) next[k] = byte_unicode::encode(next[k]);
            }
        }
        if (step.kind == Step::Kind::ByteLevel) mapped = true;
        pieces.swap(next);
    }
    if (mapped && maps_bytes_) {
        std::string raw;
        for (std::string& piece : pieces) {
            // Every character came from byte_unicode::encode, so decoding cannot fail, except
            // where a later Split cut a mapped character in half, which a pattern over whole
            // characters never does.
            if (byte_unicode::decode(piece, raw)) piece.swap(raw);
        }
    }
    return pieces;
}

}  // namespace akunu
