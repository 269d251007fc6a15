// CPU sampler. The steps run in this order (the order llama.cpp-like engines use):
//
//   1. repetition penalty over the last `repeat_last_n` tokens of `recent`, each distinct token once:
//      logit > 0 -> logit / penalty, else logit * penalty. Skipped when penalty == 1.
//   2. temperature <= 0 -> greedy: the first index of the maximum of the penalised logits.
//   3. top-k: keep the k highest logits (heap selection, no sort of the vocabulary). k <= 0 or
//      k >= vocab: off.
//   4. temperature: divide by T, softmax over the candidates (subtracting the maximum first).
//   5. min-p: drop candidates with p < min_p * p_max. min_p <= 0: off.
//   6. top-p: over the candidates left (renormalised), keep the smallest prefix by descending
//      probability whose cumulative probability >= top_p; at least one is always kept. top_p >= 1: off.
//   7. renormalise and draw: u = (x >> 11) * 2^-53 from one 64-bit mt19937_64 output x, then a walk of
//      the CDF. mt19937_64's output is fixed by the standard and nothing implementation-defined
//      (std::discrete_distribution, uniform_real_distribution) is used, so a seed gives the same
//      draws on every platform.
//
// NaN logits count as -inf and are never picked; all -inf (or NaN) -> token 0; a +inf logit -> the first
// +inf. Ties between equal logits are broken by the lower token id, so which tokens survive top-k/top-p
// is fully determined, and so is the order the CDF is walked in: rank order (logit desc, id asc) when
// top-k is on, id order when it is off. No allocation per call: the scratch is sized in the constructor.
#include "runtime/sampler.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "core/error.h"

namespace akunu {

namespace {

constexpr const char* kComponent = "sampler";

// Higher value first, then lower token id: a strict total order on (value, id) pairs, so the
// results of nth_element/partial_sort/sort do not depend on the standard library.
inline bool higher(const std::pair<float, int32_t>& a, const std::pair<float, int32_t>& b) {
    if (a.first != b.first) return a.first > b.first;
    return a.second < b.second;
}

}  // namespace

int32_t argmax(const float* logits, int32_t n) {
    if (logits == nullptr) fail(ErrorKind::InvalidArgument, kComponent, "argmax: logits is null");
    if (n <= 0) fail(ErrorKind::InvalidArgument, kComponent, "argmax: n must be > 0, got " + std::to_string(n));
    int32_t best = -1;
    float best_value = 0.0f;
    for (int32_t i = 0; i < n; ++i) {
        const float v = logits[i];
        if (std::isnan(v)) continue;
        if (best < 0 || v > best_value) {
            best = i;
            best_value = v;
        }
    }
    return best < 0 ? 0 : best;
}

Sampler::Sampler(const SamplingParams& params, int32_t vocab_size)
    : params_(params), vocab_size_(vocab_size), rng_(params.seed) {
    auto bad = [](const std::string& msg) { fail(ErrorKind::InvalidArgument, kComponent, msg); };
    if (vocab_size <= 0) bad("vocab_size must be > 0, got " + std::to_string(vocab_size));
    if (std::isnan(params.temperature)) bad("temperature is NaN");
    if (std::isnan(params.top_p) || params.top_p < 0.0f)
        bad("top_p must be >= 0, got " + std::to_string(params.top_p));
    if (!(params.min_p >= 0.0f && params.min_p <= 1.0f))
        bad("min_p must be in [0, 1], got " + std::to_string(params.min_p));
    if (!(params.repeat_penalty > 0.0f) || !std::isfinite(params.repeat_penalty))
        bad("repeat_penalty must be finite and > 0, got " + std::to_string(params.repeat_penalty));
    if (params.repeat_last_n < 0)
        bad("repeat_last_n must be >= 0, got " + std::to_string(params.repeat_last_n));
    work_.resize(static_cast<size_t>(vocab_size));
    candidates_.resize(static_cast<size_t>(vocab_size));
    seen_.assign(static_cast<size_t>(vocab_size), 0);
    bucket_items_.resize(static_cast<size_t>(vocab_size));
    bucket_mass_.resize(1024);
}

int32_t Sampler::sample(const float* logits, const int32_t* recent, int32_t n_recent) {
    if (logits == nullptr) fail(ErrorKind::InvalidArgument, kComponent, "logits is null");
    if (n_recent < 0) fail(ErrorKind::InvalidArgument, kComponent, "n_recent must be >= 0");
    if (n_recent > 0 && recent == nullptr)
        fail(ErrorKind::InvalidArgument, kComponent, "recent is null but n_recent > 0");

    const int32_t n_vocab = vocab_size_;
    const bool penalise = params_.repeat_penalty != 1.0f && params_.repeat_last_n > 0 && n_recent > 0;
    const bool greedy = !(params_.temperature > 0.0f);
    constexpr float kNegInf = -std::numeric_limits<float>::infinity();

    // The logits the steps below read: the caller's, or a penalised copy. NaN is skipped everywhere
    // (`!(v > -inf)` is true for NaN and -inf), so it needs no rewriting.
    const float* w = logits;

    // 1. Repetition penalty, each distinct token of the window once.
    if (penalise) {
        float* pw = work_.data();
        std::copy(logits, logits + n_vocab, pw);
        const float penalty = params_.repeat_penalty;
        const int32_t start = std::max<int32_t>(0, n_recent - params_.repeat_last_n);
        for (int32_t i = start; i < n_recent; ++i) {
            const int32_t t = recent[i];
            if (t < 0 || t >= n_vocab || seen_[static_cast<size_t>(t)]) continue;
            seen_[static_cast<size_t>(t)] = 1;
            pw[t] = pw[t] > 0.0f ? pw[t] / penalty : pw[t] * penalty;  // NaN stays NaN
        }
        for (int32_t i = start; i < n_recent; ++i) {
            const int32_t t = recent[i];
            if (t >= 0 && t < n_vocab) seen_[static_cast<size_t>(t)] = 0;
        }
        w = pw;
    }

    // 2. Greedy.
    if (greedy) return argmax(w, n_vocab);

    // 3. Top-k, or every token when it is off. The candidates come out in a fixed order: by rank
    // (logit desc, id asc) after top-k, by id otherwise.
    auto* cand = candidates_.data();
    int32_t n = 0;
    float max_logit = kNegInf;
    const int32_t k = params_.top_k;
    if (k > 0 && k < n_vocab) {
        // Selection with a heap of the k best so far, its top the worst of them: one comparison for most
        // tokens, no sort of the vocabulary. A later token of equal logit has a higher id, so it never
        // displaces the top.
        for (int32_t i = 0; i < n_vocab; ++i) {
            const float v = w[i];
            if (!(v > kNegInf)) continue;
            if (n < k) {
                cand[n++] = {v, i};
                if (n == k) std::make_heap(cand, cand + k, higher);
            } else if (v > cand[0].first) {
                std::pop_heap(cand, cand + k, higher);
                cand[k - 1] = {v, i};
                std::push_heap(cand, cand + k, higher);
            }
        }
        std::sort(cand, cand + n, higher);
        if (n > 0) max_logit = cand[0].first;
    } else {
        for (int32_t i = 0; i < n_vocab; ++i)
            if (w[i] > max_logit) max_logit = w[i];
    }
    if (max_logit == kNegInf) return 0;                    // all -inf / NaN
    if (max_logit == -kNegInf) return argmax(w, n_vocab);  // a +inf logit takes all the mass: the first

    // 4 + 5. Temperature, softmax and min-p. The probabilities are left unnormalised: the maximum gets
    // exp(0) = 1 (so p_max == 1) and the sum is kept in double. Min-p (p < min_p * p_max) is tested in the
    // log domain, x < log(min_p), so that exp runs only on the tokens that survive it.
    // T = +inf -> uniform; T so small that 1/T = inf -> only the maximum (its 0 * inf = NaN is taken as 0,
    // the rest get exp(-inf) = 0).
    const float inv_t = 1.0f / params_.temperature;
    const float log_min_p = params_.min_p > 0.0f ? std::log(params_.min_p) : kNegInf;
    double total = 0.0;
    auto keep = [&](float logit, int32_t id) {
        float x = (logit - max_logit) * inv_t;
        if (std::isnan(x)) x = 0.0f;
        if (x < log_min_p) return;
        const float p = std::exp(x);
        cand[n++] = {p, id};
        total += p;
    };
    if (k > 0 && k < n_vocab) {
        const int32_t n_top = n;
        n = 0;
        for (int32_t i = 0; i < n_top; ++i) keep(cand[i].first, cand[i].second);  // in place: n <= i
    } else {
        for (int32_t i = 0; i < n_vocab; ++i)
            if (w[i] > kNegInf) keep(w[i], i);
    }
    // From here cand[i].first is the unnormalised probability; the maximum (p = 1) always survives.

    // 6. Top-p over the renormalised candidates.
    if (params_.top_p < 1.0f && n > 1) {
        const auto cut = top_p_cut(n, total);
        int32_t kept = 0;
        total = 0.0;
        for (int32_t i = 0; i < n; ++i) {
            if (higher(cut, cand[i])) continue;  // keep what ranks at or above the cut, in the same order
            total += cand[i].first;
            cand[kept++] = cand[i];
        }
        n = kept;
    }

    // 7. Draw: one 64-bit output -> u in [0, 1) with 53 random bits, walk the CDF.
    const uint64_t x = rng_();
    const double u = static_cast<double>(x >> 11) * 0x1.0p-53;
    const double r = u * total;
    double acc = 0.0;
    for (int32_t i = 0; i < n; ++i) {
        acc += cand[i].first;
        if (r < acc) return cand[i].second;
    }
    // Rounding left r at the very top: the last candidate with a nonzero probability.
    for (int32_t i = n - 1; i > 0; --i)
        if (cand[i].first > 0.0f) return cand[i].second;
    return cand[0].second;
}

// Top-p: the last candidate, in rank order (probability desc, id asc), of the smallest prefix whose mass
// reaches top_p * total. No sort of the candidates: their mass goes into buckets of log-probability
// (the bit pattern of a positive float grows with its value, so (bits(1) - bits(p)) >> 19 is 16 buckets an
// octave, rank order between buckets), the bucket where the cumulative mass crosses the target is found,
// and only that bucket's candidates are sorted.
std::pair<float, int32_t> Sampler::top_p_cut(int32_t n, double total) {
    const auto* cand = candidates_.data();
    // A relative slack of 1e-6 so a cut exactly at a boundary (probabilities .5 .3, top_p .8) does not
    // flip on float rounding.
    const double target = (static_cast<double>(params_.top_p) - 1e-6) * total;
    constexpr uint32_t kOne = 0x3F800000u;  // bits of 1.0f, the largest probability
    constexpr int kShift = 19;
    const auto n_buckets = static_cast<uint32_t>(bucket_mass_.size());
    auto bucket_of = [&](float p) {
        uint32_t bits;
        std::memcpy(&bits, &p, sizeof bits);
        return std::min((kOne - std::min(bits, kOne)) >> kShift, n_buckets - 1);
    };

    std::fill(bucket_mass_.begin(), bucket_mass_.end(), 0.0);
    for (int32_t i = 0; i < n; ++i) bucket_mass_[bucket_of(cand[i].first)] += cand[i].first;
    double before = 0.0;  // mass of the buckets above the crossing one
    uint32_t crossing = 0;
    for (; crossing < n_buckets; ++crossing) {
        if (before + bucket_mass_[crossing] >= target) break;
        before += bucket_mass_[crossing];
    }
    if (crossing == n_buckets) crossing = n_buckets - 1;  // rounding: the target is the whole mass

    auto* items = bucket_items_.data();
    int32_t m = 0;
    for (int32_t i = 0; i < n; ++i)
        if (bucket_of(cand[i].first) == crossing) items[m++] = cand[i];
    std::sort(items, items + m, higher);
    double cum = before;
    for (int32_t i = 0; i < m; ++i) {
        cum += items[i].first;
        if (cum >= target) return items[i];
    }
    // Rounding between the two summation orders: the whole bucket. An empty crossing bucket cannot be
    // reached (it would have stopped one bucket earlier), except at the forced last one: keep everything.
    return m > 0 ? items[m - 1] : std::pair<float, int32_t>{-1.0f, 0};  // ranks below every candidate
}

// ---- StopMatcher ----------------------------------------------------------------------------------

namespace {

inline bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// Moves a cut back to the start of a UTF-8 character. For valid UTF-8 stop strings the cut already is
// one (a stop string starts with a lead byte); this only guards against malformed stop strings.
inline size_t to_char_boundary(const std::string& s, size_t cut) {
    while (cut > 0 && cut < s.size() && is_continuation(s[cut])) --cut;
    return cut;
}

}  // namespace

std::string StopMatcher::push(const std::string& text, bool* stopped) {
    if (stopped_) {
        if (stopped) *stopped = true;
        return {};
    }
    held_ += text;

    // A complete stop string: the earliest occurrence of any wins.
    size_t earliest = std::string::npos;
    for (const std::string& stop : stops_) {
        if (stop.empty()) continue;
        const size_t pos = held_.find(stop);
        if (pos < earliest) earliest = pos;
    }
    if (earliest != std::string::npos) {
        std::string out = held_.substr(0, to_char_boundary(held_, earliest));
        held_.clear();
        stopped_ = true;
        if (stopped) *stopped = true;
        return out;
    }

    // Hold back the longest suffix that is a proper prefix of some stop string.
    size_t hold = 0;
    for (const std::string& stop : stops_) {
        if (stop.empty()) continue;
        const size_t max_len = std::min(held_.size(), stop.size() - 1);
        for (size_t len = max_len; len > hold; --len) {
            if (held_.compare(held_.size() - len, len, stop, 0, len) == 0) {
                hold = len;
                break;
            }
        }
    }
    const size_t cut = to_char_boundary(held_, held_.size() - hold);
    std::string out = held_.substr(0, cut);
    held_.erase(0, cut);
    if (stopped) *stopped = false;
    return out;
}

std::string StopMatcher::flush() {
    std::string out;
    out.swap(held_);
    return out;
}

}  // namespace akunu
