// Splitting text into the pieces that BPE merges within (Hugging Face's "pre_tokenizer"): a
// sequence of steps, each applied to every piece the previous steps produced.
//   * Split: a regex whose matches and the gaps between them become pieces, combined as
//     `behavior` says (the five behaviours of Hugging Face's Split).
//   * ByteLevel: optionally split with the GPT-2 pattern, then map every byte to its
//     printable character (byte_unicode.h); later steps see the mapped text.
// The result is always raw bytes: a pipeline that mapped bytes maps them back at the end.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/split_regex.h"

namespace akunu {

enum class SplitBehavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous };

// The GPT-2 pattern, which ByteLevel(use_regex) splits with.
extern const char* const kGpt2SplitPattern;

class PreTokenizer {
public:
    // invert: the gaps between matches are treated as the matches, and the other way round.
    void add_split(SplitRegex regex, SplitBehavior behavior, bool invert = false);
    // add_prefix_space: a piece that does not start with a space gets one.
    void add_byte_level(bool add_prefix_space, bool use_regex);

    bool empty() const { return steps_.empty(); }

    // The pieces of `text`, in order, none empty; their concatenation is `text` unless a step
    // removes text (Removed) or adds a prefix space.
    std::vector<std::string> split(std::string_view text) const;

private:
    struct Step {
        enum class Kind { Split, ByteLevel } kind;
        std::optional<SplitRegex> regex;  // Split, and ByteLevel with use_regex
        SplitBehavior behavior = SplitBehavior::Isolated;
        bool invert = false;
        bool add_prefix_space = false;
        bool use_regex = false;
    };
    std::vector<Step> steps_;
    // Whether a Split follows a ByteLevel and so must see mapped text. When none does, the
    // mapping is skipped here: BPE maps bytes itself, and mapping twice would only cost time.
    bool maps_bytes_ = false;
};

// Applies one split to one piece, appending the resulting pieces to `out`.
void split_piece(const SplitRegex& regex, SplitBehavior behavior, bool invert, std::string_view piece,
                 std::vector<std::string>& out);

}  // namespace akunu
