// PCRE2 notes:
// * PCRE2_MATCH_INVALID_UTF lets us search text that is not valid UTF-8 (ill-formed bytes
//   never match), so bad input is tokenized byte by byte instead of being rejected.
// * Patterns are JIT-compiled where the platform supports it. Greedy runs that may have to
//   backtrack (\s+(?!\S)) need a JIT stack in proportion to the run, so each thread keeps a
//   growable one; if even that is exhausted the search falls back to the interpreter, whose
//   frames live on the heap.
#include "tokenizer/split_regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "core/error.h"

namespace akunu {

namespace {

constexpr size_t kJitStackStart = 32 * 1024;
constexpr size_t kJitStackMax = 64 * 1024 * 1024;

std::string pcre2_message(int code) {
    PCRE2_UCHAR buf[256];
    if (pcre2_get_error_message(code, buf, sizeof buf) < 0) return "PCRE2 error " + std::to_string(code);
    return std::string((const char*)buf);
}

// Per-thread scratch: the match data and the JIT stack are not shareable across threads.
struct MatchScratch {
    pcre2_match_data* data = nullptr;
    pcre2_match_context* context = nullptr;
    pcre2_jit_stack* jit_stack = nullptr;
    MatchScratch() {
        data = pcre2_match_data_create(1, nullptr);  // only the whole match's offsets are read
        context = pcre2_match_context_create(nullptr);
        jit_stack = pcre2_jit_stack_create(kJitStackStart, kJitStackMax, nullptr);
        if (!data || !context) fail(ErrorKind::OutOfMemory, "tokenizer", "cannot allocate regex match data");
        if (jit_stack) pcre2_jit_stack_assign(context, nullptr, jit_stack);
    }
    ~MatchScratch() {
        pcre2_jit_stack_free(jit_stack);
        pcre2_match_context_free(context);
        pcre2_match_data_free(data);
    }
    MatchScratch(const MatchScratch&) = delete;
    MatchScratch& operator=(const MatchScratch&) = delete;
};

MatchScratch& scratch() {
    thread_local MatchScratch s;
    return s;
}

}  // namespace

struct SplitRegex::Code {
    pcre2_code* code = nullptr;
    bool jit = false;
    ~Code() { pcre2_code_free(code); }
};

SplitRegex::SplitRegex(std::string_view pattern, bool literal) : pattern_(pattern) {
    uint32_t options = PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF;
    if (literal) options |= PCRE2_LITERAL;
    int err = 0;
    PCRE2_SIZE err_offset = 0;
    auto code = std::make_shared<Code>();
    code->code = pcre2_compile((PCRE2_SPTR)pattern.data(), pattern.size(), options, &err, &err_offset, nullptr);
    if (!code->code) {
        fail(ErrorKind::InvalidArgument, "tokenizer",
             "pre-tokenizer pattern '" + pattern_ + "' does not compile at byte " + std::to_string(err_offset) + ": " +
                 pcre2_message(err));
    }
    code->jit = pcre2_jit_compile(code->code, PCRE2_JIT_COMPLETE) == 0;
    code_ = std::move(code);
}

std::vector<std::pair<size_t, size_t>> SplitRegex::find_all(std::string_view subject) const {
    std::vector<std::pair<size_t, size_t>> out;
    MatchScratch& s = scratch();
    const auto* text = (PCRE2_SPTR)subject.data();
    const size_t n = subject.size();
    size_t start = 0;
    uint32_t no_jit = 0;
    while (start <= n) {
        int rc;
        if (code_->jit && !no_jit) {
            rc = pcre2_jit_match(code_->code, text, n, start, 0, s.data, s.context);
            if (rc == PCRE2_ERROR_JIT_STACKLIMIT) {
                no_jit = PCRE2_NO_JIT;
                continue;
            }
        } else {
            rc = pcre2_match(code_->code, text, n, start, no_jit, s.data, s.context);
        }
        if (rc == PCRE2_ERROR_NOMATCH) break;
        if (rc < 0) {
            fail(ErrorKind::Internal, "tokenizer",
                 "pre-tokenizer pattern '" + pattern_ + "' failed on a text of " + std::to_string(n) +
                     " bytes: " + pcre2_message(rc));
        }
        const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(s.data);
        const size_t b = ov[0], e = ov[1];
        if (e > b) {
            out.emplace_back(b, e);
            start = e;
        } else {
            // An empty match: step over one character (or one ill-formed byte) and go on.
            if (b >= n) break;
            size_t step = 1;
            while (b + step < n && ((unsigned char)subject[b + step] & 0xC0) == 0x80 && step < 4) ++step;
            start = b + step;
        }
    }
    return out;
}

}  // namespace akunu
