// Sampler and StopMatcher tests.
#include "runtime/sampler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "core/error.h"

namespace akunu {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

// Plain sampling: no truncation, T = 1.
SamplingParams plain(uint64_t seed = 1) {
    SamplingParams p;
    p.temperature = 1.0f;
    p.top_k = 0;
    p.top_p = 1.0f;
    p.min_p = 0.0f;
    p.repeat_penalty = 1.0f;
    p.seed = seed;
    return p;
}

SamplingParams greedy_params() {
    SamplingParams p = plain();
    p.temperature = 0.0f;
    return p;
}

std::vector<float> log_probs(const std::vector<double>& probs) {
    std::vector<float> l;
    for (double p : probs) l.push_back(static_cast<float>(std::log(p)));
    return l;
}

std::vector<double> softmax(const std::vector<float>& logits, double t = 1.0) {
    double mx = -1e300;
    for (float v : logits) mx = std::max(mx, static_cast<double>(v));
    std::vector<double> p;
    double sum = 0;
    for (float v : logits) {
        p.push_back(std::exp((v - mx) / t));
        sum += p.back();
    }
    for (double& x : p) x /= sum;
    return p;
}

std::vector<int> counts(Sampler& s, const std::vector<float>& logits, int draws) {
    std::vector<int> c(logits.size(), 0);
    for (int i = 0; i < draws; ++i) {
        const int32_t t = s.sample(logits.data(), nullptr, 0);
        EXPECT_GE(t, 0);
        EXPECT_LT(t, static_cast<int32_t>(logits.size()));
        if (t >= 0 && t < static_cast<int32_t>(logits.size())) ++c[t];
    }
    return c;
}

std::set<int32_t> drawn_set(const SamplingParams& p, const std::vector<float>& logits, int draws) {
    Sampler s(p, static_cast<int32_t>(logits.size()));
    std::set<int32_t> seen;
    for (int i = 0; i < draws; ++i) seen.insert(s.sample(logits.data(), nullptr, 0));
    return seen;
}

// Per-bin bound: |count - N p| <= 4 sigma, plus a chi-square check.
void expect_matches(const std::vector<int>& c, const std::vector<double>& p, int draws) {
    ASSERT_EQ(c.size(), p.size());
    double chi2 = 0;
    int bins = 0;
    for (size_t i = 0; i < p.size(); ++i) {
        const double expected = draws * p[i];
        if (p[i] == 0.0) {
            EXPECT_EQ(c[i], 0) << "token " << i << " has probability 0";
            continue;
        }
        const double sigma = std::sqrt(draws * p[i] * (1 - p[i]));
        EXPECT_NEAR(c[i], expected, 4 * sigma + 1) << "token " << i;
        chi2 += (c[i] - expected) * (c[i] - expected) / expected;
        ++bins;
    }
    // Chi-square with bins-1 degrees of freedom; mean dof, sd sqrt(2 dof). dof + 6 sd is far in the tail.
    const double dof = bins - 1;
    if (dof > 0) {
        EXPECT_LT(chi2, dof + 6 * std::sqrt(2 * dof)) << "chi2 " << chi2;
    }
}

// ---- argmax / greedy --------------------------------------------------------------------------------

TEST(Argmax, FirstIndexOfMaxNaNIgnored) {
    const std::vector<float> a = {1, 3, 2, 3, -1};
    EXPECT_EQ(argmax(a.data(), 5), 1);
    const std::vector<float> b = {kNaN, 0.5f, kNaN, 0.7f, kNaN};
    EXPECT_EQ(argmax(b.data(), 5), 3);
    const std::vector<float> c = {kNaN, kNaN};
    EXPECT_EQ(argmax(c.data(), 2), 0);
    const std::vector<float> d = {-kInf, -kInf, -kInf};
    EXPECT_EQ(argmax(d.data(), 3), 0);
    const std::vector<float> e = {-kInf, -5.0f, kInf, kInf};
    EXPECT_EQ(argmax(e.data(), 4), 2);
    const std::vector<float> f = {kNaN, -kInf, -7.0f};
    EXPECT_EQ(argmax(f.data(), 3), 2);
    EXPECT_THROW(argmax(a.data(), 0), Error);
}

TEST(Sampler, GreedyEqualsArgmax) {
    std::mt19937 gen(7);
    std::normal_distribution<float> nd(0.0f, 3.0f);
    const int32_t vocab = 1000;
    std::vector<float> logits(vocab);
    Sampler s(greedy_params(), vocab);
    for (int round = 0; round < 50; ++round) {
        for (float& v : logits) v = nd(gen);
        if (round % 5 == 0) logits[(round * 37) % vocab] = kNaN;
        EXPECT_EQ(s.sample(logits.data(), nullptr, 0), argmax(logits.data(), vocab));
    }
}

TEST(Sampler, GreedyTiesFirstIndexAndNaN) {
    Sampler s(greedy_params(), 5);
    const std::vector<float> ties = {0, 2, 1, 2, 2};
    EXPECT_EQ(s.sample(ties.data(), nullptr, 0), 1);
    const std::vector<float> nan = {kNaN, 1.0f, kNaN, 0.0f, 3.0f};
    EXPECT_EQ(s.sample(nan.data(), nullptr, 0), 4);
    const std::vector<float> nan_first = {kNaN, -1.0f, kNaN, -2.0f, -3.0f};
    EXPECT_EQ(s.sample(nan_first.data(), nullptr, 0), 1);
    const std::vector<float> all_nan = {kNaN, kNaN, kNaN, kNaN, kNaN};
    EXPECT_EQ(s.sample(all_nan.data(), nullptr, 0), 0);
    // Negative temperature is greedy too.
    SamplingParams p = greedy_params();
    p.temperature = -1.0f;
    Sampler neg(p, 5);
    EXPECT_EQ(neg.sample(ties.data(), nullptr, 0), 1);
}

TEST(Sampler, NaNAndNegInfNeverSampled) {
    const std::vector<float> logits = {kNaN, 1.0f, kNaN, 0.0f, -kInf, kNaN};
    const std::set<int32_t> seen = drawn_set(plain(3), logits, 5000);
    EXPECT_EQ(seen, (std::set<int32_t>{1, 3}));
    // And the NaNs do not disturb the distribution of the rest: softmax(1, 0) = .731 .269.
    {
        Sampler s(plain(3), 6);
        const int draws = 50000;
        const double e = std::exp(1.0);
        expect_matches(counts(s, logits, draws), {0, e / (e + 1), 0, 1 / (e + 1), 0, 0}, draws);
    }

    // All -inf / NaN -> 0 deterministically, in sampling mode too (with every filter on).
    SamplingParams p = plain(4);
    p.top_k = 2;
    p.top_p = 0.5f;
    p.min_p = 0.1f;
    Sampler s(p, 4);
    const std::vector<float> dead = {-kInf, kNaN, -kInf, kNaN};
    for (int i = 0; i < 10; ++i) EXPECT_EQ(s.sample(dead.data(), nullptr, 0), 0);
    const std::vector<float> dead_nan = {kNaN, kNaN, kNaN, kNaN};
    EXPECT_EQ(s.sample(dead_nan.data(), nullptr, 0), 0);
}

TEST(Sampler, PositiveInfinityTakesAllTheMass) {
    const std::vector<float> logits = {1.0f, kInf, 5.0f, kInf};
    EXPECT_EQ(drawn_set(plain(5), logits, 200), (std::set<int32_t>{1}));
}

TEST(Sampler, LogitsNotModified) {
    SamplingParams p = plain(6);
    p.top_k = 2;
    p.top_p = 0.7f;
    p.min_p = 0.05f;
    p.repeat_penalty = 1.3f;
    const std::vector<float> logits = {1.0f, -2.0f, 0.5f, 3.0f, kNaN};
    const std::vector<float> copy = logits;
    const std::vector<int32_t> recent = {0, 1, 3};
    Sampler s(p, 5);
    for (int i = 0; i < 20; ++i) s.sample(logits.data(), recent.data(), 3);
    for (size_t i = 0; i < logits.size(); ++i) {
        if (std::isnan(copy[i])) EXPECT_TRUE(std::isnan(logits[i]));
        else EXPECT_EQ(logits[i], copy[i]);
    }
}

// ---- determinism -------------------------------------------------------------------------------------

TEST(Sampler, SeededDeterminism) {
    std::mt19937 gen(11);
    std::uniform_real_distribution<float> ud(-2.0f, 2.0f);  // only builds the input
    std::vector<float> logits(256);
    for (float& v : logits) v = ud(gen);
    SamplingParams p;  // the defaults: top-k 40, top-p .95, min-p .05
    p.temperature = 1.2f;
    p.seed = 1234;
    auto run = [&](uint64_t seed) {
        SamplingParams q = p;
        q.seed = seed;
        Sampler s(q, 256);
        std::vector<int32_t> out;
        for (int i = 0; i < 1000; ++i) out.push_back(s.sample(logits.data(), nullptr, 0));
        return out;
    };
    const auto a = run(1234), b = run(1234), c = run(1235);
    EXPECT_EQ(a, b);
    EXPECT_NE(a, c);
    EXPECT_GT(std::set<int32_t>(a.begin(), a.end()).size(), 5u);  // it really samples

    // reseed restarts the sequence.
    Sampler s(p, 256);
    std::vector<int32_t> first;
    for (int i = 0; i < 100; ++i) first.push_back(s.sample(logits.data(), nullptr, 0));
    s.reseed(1234);
    for (int i = 0; i < 100; ++i) EXPECT_EQ(s.sample(logits.data(), nullptr, 0), first[i]) << i;
}

// The uniform is derived from one raw 64-bit output as (x >> 11) * 2^-53 and the CDF is walked in id
// order: on equal logits (exact probabilities 1/n) the draw must be floor(u * n) for an independent
// std::mt19937_64 with the same seed. This pins the platform-independent derivation.
TEST(Sampler, UniformDerivedFromRawEngineOutput) {
    const int32_t n = 7;
    const std::vector<float> logits(n, 0.25f);
    for (uint64_t seed : {0ull, 1ull, 42ull, 0xdeadbeefcafeull}) {
        Sampler s(plain(seed), n);
        std::mt19937_64 ref(seed);
        for (int i = 0; i < 2000; ++i) {
            const double u = static_cast<double>(ref() >> 11) * 0x1.0p-53;
            const auto expected = static_cast<int32_t>(std::floor(u * n));
            ASSERT_EQ(s.sample(logits.data(), nullptr, 0), expected) << "seed " << seed << " draw " << i;
        }
    }
}

// ---- distribution ----------------------------------------------------------------------------------

TEST(Sampler, FrequenciesMatchSoftmax) {
    const std::vector<float> logits = {1.0f, 2.0f, 0.5f, -1.0f, 1.5f};
    const int draws = 200000;
    Sampler s(plain(99), 5);
    expect_matches(counts(s, logits, draws), softmax(logits), draws);
}

TEST(Sampler, FrequenciesMatchTruncatedTemperedDistribution) {
    // top-k 3 at T = 0.5: softmax over the three highest logits divided by 0.5, the rest never.
    const std::vector<float> logits = {1.0f, 2.0f, 0.5f, -1.0f, 1.5f, 0.9f};
    SamplingParams p = plain(17);
    p.temperature = 0.5f;
    p.top_k = 3;
    const int draws = 200000;
    Sampler s(p, 6);
    const std::vector<float> top = {logits[1], logits[4], logits[0]};
    const auto pt = softmax(top, 0.5);
    std::vector<double> expected(6, 0.0);
    expected[1] = pt[0];
    expected[4] = pt[1];
    expected[0] = pt[2];
    expect_matches(counts(s, logits, draws), expected, draws);
}

TEST(Sampler, TopK) {
    const std::vector<float> logits = {0.3f, 1.0f, 0.9f, -0.5f, 0.95f, 0.2f};
    SamplingParams p = plain(21);
    p.temperature = 5.0f;  // flat, so every kept token shows up
    p.top_k = 1;
    EXPECT_EQ(drawn_set(p, logits, 2000), (std::set<int32_t>{1}));
    p.top_k = 2;
    EXPECT_EQ(drawn_set(p, logits, 2000), (std::set<int32_t>{1, 4}));
    p.top_k = 3;
    EXPECT_EQ(drawn_set(p, logits, 2000), (std::set<int32_t>{1, 4, 2}));
    p.top_k = 6;  // == vocab: off
    EXPECT_EQ(drawn_set(p, logits, 5000).size(), 6u);
    p.top_k = 100;  // > vocab: off
    EXPECT_EQ(drawn_set(p, logits, 5000).size(), 6u);

    // Ties at the cut keep the lower ids.
    const std::vector<float> flat = {1, 1, 1, 1, 1};
    p.top_k = 2;
    EXPECT_EQ(drawn_set(p, flat, 2000), (std::set<int32_t>{0, 1}));
}

TEST(Sampler, TopKLargeVocab) {
    const int32_t vocab = 50000;
    std::vector<float> logits(vocab);
    std::mt19937 gen(5);
    std::normal_distribution<float> nd(0.0f, 1.0f);
    for (float& v : logits) v = nd(gen);
    std::vector<int32_t> order(vocab);
    for (int32_t i = 0; i < vocab; ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) { return logits[a] > logits[b]; });
    SamplingParams p = plain(8);
    p.temperature = 100.0f;
    p.top_k = 10;
    const std::set<int32_t> allowed(order.begin(), order.begin() + 10);
    const auto seen = drawn_set(p, logits, 3000);
    EXPECT_EQ(seen, allowed);
}

TEST(Sampler, TopPKeepsExactlyTheRightSet) {
    const std::vector<float> logits = log_probs({0.5, 0.3, 0.15, 0.05});
    SamplingParams p = plain(31);
    p.top_p = 0.8f;
    EXPECT_EQ(drawn_set(p, logits, 3000), (std::set<int32_t>{0, 1}));
    p.top_p = 0.81f;
    EXPECT_EQ(drawn_set(p, logits, 3000), (std::set<int32_t>{0, 1, 2}));
    p.top_p = 0.5f;
    EXPECT_EQ(drawn_set(p, logits, 3000), (std::set<int32_t>{0}));
    p.top_p = 0.96f;
    EXPECT_EQ(drawn_set(p, logits, 5000), (std::set<int32_t>{0, 1, 2, 3}));
    p.top_p = 0.0f;  // at least one is kept
    EXPECT_EQ(drawn_set(p, logits, 500), (std::set<int32_t>{0}));

    // The candidates are sorted by probability, not by id.
    const std::vector<float> shuffled = log_probs({0.05, 0.3, 0.15, 0.5});
    p.top_p = 0.8f;
    EXPECT_EQ(drawn_set(p, shuffled, 3000), (std::set<int32_t>{3, 1}));

    // And the kept ones are renormalised: .5 / .8 and .3 / .8.
    p.top_p = 0.8f;
    const int draws = 100000;
    Sampler s(p, 4);
    expect_matches(counts(s, logits, draws), {0.625, 0.375, 0.0, 0.0}, draws);
}

TEST(Sampler, TopPLargeVocabNeedsMoreThanOneChunk) {
    // 1000 equal logits: top_p .5 must keep exactly the 500 lowest ids (ties -> lower id), which takes
    // the sorted prefix past its first chunk.
    const int32_t vocab = 1000;
    const std::vector<float> logits(vocab, 0.0f);
    SamplingParams p = plain(41);
    p.top_p = 0.5f;
    const auto seen = drawn_set(p, logits, 20000);
    EXPECT_EQ(*seen.rbegin(), 499);
    EXPECT_EQ(*seen.begin(), 0);
    EXPECT_GT(seen.size(), 480u);
}

TEST(Sampler, MinP) {
    const std::vector<float> logits = log_probs({0.5, 0.3, 0.15, 0.05});
    SamplingParams p = plain(51);
    p.min_p = 0.5f;  // threshold .25
    EXPECT_EQ(drawn_set(p, logits, 3000), (std::set<int32_t>{0, 1}));
    p.min_p = 0.2f;  // threshold .1
    EXPECT_EQ(drawn_set(p, logits, 3000), (std::set<int32_t>{0, 1, 2}));
    p.min_p = 0.09f;  // threshold .045
    EXPECT_EQ(drawn_set(p, logits, 5000), (std::set<int32_t>{0, 1, 2, 3}));
    p.min_p = 1.0f;  // only the maximum
    EXPECT_EQ(drawn_set(p, logits, 500), (std::set<int32_t>{0}));

    // Min-p runs after temperature: at T = 2 the relative probabilities are sqrt(.6), sqrt(.3), sqrt(.1)
    // = .77, .55, .32, so min-p .5 keeps three tokens instead of two.
    p.min_p = 0.5f;
    p.temperature = 2.0f;
    EXPECT_EQ(drawn_set(p, logits, 3000), (std::set<int32_t>{0, 1, 2}));
}

TEST(Sampler, MinPThenTopPOnTheRenormalisedRest) {
    // min-p .2 drops .05; the rest renormalised is .5/.95, .3/.95, .15/.95 = .526 .316 .158. top-p .8:
    // .526 + .316 = .842 >= .8 -> {0, 1}. Had top-p used the unrenormalised mass (.8 of 1.0 reached at
    // .5 + .3 = .8 exactly) it would keep the same set; use top-p .83 to tell them apart: renormalised
    // keeps {0, 1}, raw needs .95 -> {0, 1, 2}.
    const std::vector<float> logits = log_probs({0.5, 0.3, 0.15, 0.05});
    SamplingParams p = plain(52);
    p.min_p = 0.2f;
    p.top_p = 0.83f;
    EXPECT_EQ(drawn_set(p, logits, 3000), (std::set<int32_t>{0, 1}));
}

TEST(Sampler, TemperatureConcentratesAndFlattens) {
    const std::vector<float> logits = {2.0f, 1.0f, 0.0f};
    const int draws = 20000;
    auto freq_of_argmax = [&](float t) {
        SamplingParams p = plain(61);
        p.temperature = t;
        Sampler s(p, 3);
        return counts(s, logits, draws)[0] / static_cast<double>(draws);
    };
    const double cold = freq_of_argmax(0.1f), normal = freq_of_argmax(1.0f), hot = freq_of_argmax(10.0f);
    const double p_normal = softmax(logits, 1.0)[0];  // .665
    const double p_hot = softmax(logits, 10.0)[0];    // .367
    EXPECT_GT(cold, 0.999);
    EXPECT_NEAR(normal, p_normal, 0.015);
    EXPECT_NEAR(hot, p_hot, 0.015);
    EXPECT_GT(cold, normal);
    EXPECT_GT(normal, hot);

    // Very high temperature: close to uniform.
    SamplingParams p = plain(62);
    p.temperature = 1000.0f;
    Sampler s(p, 3);
    const auto c = counts(s, logits, draws);
    for (int v : c) EXPECT_NEAR(v / static_cast<double>(draws), 1.0 / 3, 0.015);

    // Vanishing temperature: only the maximum. At 1e-45 (denormal) 1/T overflows to inf, and the
    // maximum's (0 * inf) must not turn into NaN.
    for (float t : {1e-30f, 1e-45f}) {
        p.temperature = t;
        EXPECT_EQ(drawn_set(p, logits, 200), (std::set<int32_t>{0})) << t;
        const std::vector<float> tied = {1.0f, 3.0f, 3.0f, 2.0f};
        EXPECT_EQ(drawn_set(p, tied, 500), (std::set<int32_t>{1, 2})) << t;
    }
}

// A brute-force reference of steps 3-7 (full sorts, probabilities in the p domain), walking the CDF in the
// documented order: rank order (logit desc, id asc) when top-k is on, id order when it is off. Same seed,
// same float ops for the probabilities -> the same draws, unless a cut lands exactly on a boundary,
// which random logits do not do.
using Candidates = std::vector<std::pair<float, int32_t>>;

Candidates reference_candidates(const std::vector<float>& logits, const SamplingParams& sp) {
    using C = std::pair<float, int32_t>;
    auto rank = [](const C& a, const C& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; };
    const auto vocab = static_cast<int32_t>(logits.size());
    std::vector<C> c;
    for (int32_t i = 0; i < vocab; ++i) c.push_back({logits[i], i});
    if (sp.top_k > 0 && sp.top_k < vocab) {
        std::sort(c.begin(), c.end(), rank);
        c.resize(sp.top_k);
    }
    float mx = -kInf;
    for (const C& e : c) mx = std::max(mx, e.first);
    const float inv_t = 1.0f / sp.temperature;
    for (C& e : c) e.first = std::exp((e.first - mx) * inv_t);
    if (sp.min_p > 0) {
        std::vector<C> kept;
        for (const C& e : c)
            if (!(e.first < sp.min_p * 1.0f)) kept.push_back(e);
        c = kept;
    }
    if (sp.top_p < 1.0f) {
        std::vector<C> sorted = c;
        std::sort(sorted.begin(), sorted.end(), rank);
        double total = 0, cum = 0;
        for (const C& e : sorted) total += e.first;
        C cut = sorted.back();
        for (const C& e : sorted) {
            cum += e.first;
            if (cum >= sp.top_p * total) {
                cut = e;
                break;
            }
        }
        std::vector<C> kept;
        for (const C& e : c)
            if (!rank(cut, e)) kept.push_back(e);
        c = kept;
    }
    return c;
}

int32_t reference_draw(const Candidates& c, std::mt19937_64& rng) {
    double total = 0;
    for (const auto& e : c) total += e.first;
    const double r = static_cast<double>(rng() >> 11) * 0x1.0p-53 * total;
    double acc = 0;
    for (const auto& e : c) {
        acc += e.first;
        if (r < acc) return e.second;
    }
    return c.back().second;
}

TEST(Sampler, MatchesBruteForceReference) {
    const int32_t vocab = 6000;
    std::mt19937 gen(77);
    std::normal_distribution<float> nd(0.0f, 2.5f);
    std::vector<float> logits(vocab);
    struct Case {
        float t;
        int32_t k;
        float p, m;
        int gen;  // 0: normal, 1: few distinct values (ties everywhere), 2: huge spread (p underflows to 0)
    };
    const Case cases[] = {{1.0f, 0, 1.0f, 0.0f, 0},   {0.8f, 0, 0.95f, 0.0f, 0},  {1.5f, 0, 0.5f, 0.0f, 0},
                          {3.0f, 0, 0.9f, 0.0f, 0},   {0.7f, 40, 0.95f, 0.05f, 0}, {1.0f, 500, 0.9f, 0.0f, 0},
                          {2.0f, 0, 0.99f, 0.01f, 0}, {1.0f, 0, 0.3f, 0.0f, 0},   {5.0f, 2000, 0.7f, 0.2f, 0},
                          {1.0f, 0, 1.0f, 0.1f, 0},   {1.0f, 0, 0.77f, 0.0f, 1},  {1.0f, 300, 0.6033f, 0.0f, 1},
                          {1.0f, 0, 0.9f, 0.0f, 2},   {1.0f, 0, 0.999f, 0.0f, 2}};
    int distinct_total = 0;
    for (const Case& cs : cases) {
        for (float& v : logits) {
            if (cs.gen == 0) v = nd(gen);
            else if (cs.gen == 1) v = static_cast<float>(gen() % 4) * 0.37f;
            else v = nd(gen) * 15.0f;
        }
        SamplingParams p = plain(1000 + static_cast<uint64_t>(cs.k));
        p.temperature = cs.t;
        p.top_k = cs.k;
        p.top_p = cs.p;
        p.min_p = cs.m;
        Sampler s(p, vocab);
        std::mt19937_64 ref(p.seed);
        const Candidates expected = reference_candidates(logits, p);
        std::set<int32_t> distinct;
        for (int i = 0; i < 1000; ++i) {
            const int32_t got = s.sample(logits.data(), nullptr, 0);
            ASSERT_EQ(got, reference_draw(expected, ref)) << "T " << cs.t << " k " << cs.k << " top_p " << cs.p
                                                          << " min_p " << cs.m << " gen " << cs.gen << " draw " << i;
            distinct.insert(got);
        }
        distinct_total += static_cast<int>(distinct.size());
    }
    EXPECT_GT(distinct_total, 1000);  // the cases really sample from wide sets
}

// ---- repetition penalty --------------------------------------------------------------------------

TEST(Sampler, RepetitionPenaltyDividesPositiveMultipliesNegative) {
    SamplingParams p = greedy_params();
    p.repeat_penalty = 1.5f;
    p.repeat_last_n = 64;
    Sampler s(p, 4);

    // Positive: 2.0 / 1.5 = 1.33 < 1.8.
    const std::vector<float> pos = {2.0f, 1.8f, -0.5f, -0.4f};
    const std::vector<int32_t> recent0 = {0};
    EXPECT_EQ(s.sample(pos.data(), nullptr, 0), 0);
    EXPECT_EQ(s.sample(pos.data(), recent0.data(), 1), 1);

    // Negative: -1.0 * 1.5 = -1.5 < -1.2 (dividing would give -0.67 and keep token 0).
    const std::vector<float> neg = {-1.0f, -1.2f, -3.0f, -4.0f};
    EXPECT_EQ(s.sample(neg.data(), nullptr, 0), 0);
    EXPECT_EQ(s.sample(neg.data(), recent0.data(), 1), 1);

    // Zero is "not > 0": multiplied, stays 0.
    const std::vector<float> zero = {0.0f, -0.1f, -3.0f, -4.0f};
    EXPECT_EQ(s.sample(zero.data(), recent0.data(), 1), 0);

    // Penalty < 1 boosts: 1.0 / 0.5 = 2.0 > 1.5.
    SamplingParams boost = p;
    boost.repeat_penalty = 0.5f;
    Sampler b(boost, 4);
    const std::vector<float> l = {1.5f, 1.0f, 0.0f, 0.0f};
    const std::vector<int32_t> recent1 = {1};
    EXPECT_EQ(b.sample(l.data(), recent1.data(), 1), 1);
}

TEST(Sampler, RepetitionPenaltyDistinctTokensOnce) {
    SamplingParams p = greedy_params();
    p.repeat_penalty = 1.5f;
    Sampler s(p, 2);
    // Once: 2.0 / 1.5 = 1.33 > 1.2 -> 0. Applied three times it would be 0.59 -> 1.
    const std::vector<float> l = {2.0f, 1.2f};
    const std::vector<int32_t> recent = {0, 0, 0};
    EXPECT_EQ(s.sample(l.data(), recent.data(), 3), 0);
    // And the marks are cleared between calls: the next call penalises again, once.
    EXPECT_EQ(s.sample(l.data(), recent.data(), 3), 0);
    const std::vector<float> l2 = {2.0f, 1.4f};
    EXPECT_EQ(s.sample(l2.data(), recent.data(), 3), 1);
}

TEST(Sampler, RepetitionPenaltyOnlyLastN) {
    SamplingParams p = greedy_params();
    p.repeat_penalty = 1.5f;
    p.repeat_last_n = 2;
    const std::vector<float> l = {2.0f, 1.8f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f};
    const std::vector<int32_t> recent = {0, 5, 6};  // oldest first: token 0 is outside the last 2
    Sampler two(p, 7);
    EXPECT_EQ(two.sample(l.data(), recent.data(), 3), 0);
    p.repeat_last_n = 3;
    Sampler three(p, 7);
    EXPECT_EQ(three.sample(l.data(), recent.data(), 3), 1);
    p.repeat_last_n = 0;
    Sampler none(p, 7);
    EXPECT_EQ(none.sample(l.data(), recent.data(), 3), 0);
    // Out-of-range ids in recent are ignored.
    p.repeat_last_n = 64;
    Sampler s(p, 7);
    const std::vector<int32_t> junk = {-1, 7, 1000};
    EXPECT_EQ(s.sample(l.data(), junk.data(), 3), 0);
}

TEST(Sampler, RepetitionPenaltyAppliesWhenSampling) {
    // Token 0 dominates until penalised hard: with penalty 100 its logit 5 -> 0.05 and token 1 (logit 4)
    // takes nearly all the mass.
    SamplingParams p = plain(71);
    p.repeat_penalty = 100.0f;
    Sampler s(p, 3);
    const std::vector<float> l = {5.0f, 4.0f, -5.0f};
    const std::vector<int32_t> recent = {0};
    int ones = 0;
    for (int i = 0; i < 1000; ++i) ones += s.sample(l.data(), recent.data(), 1) == 1;
    EXPECT_GT(ones, 950);
}

// ---- validation ----------------------------------------------------------------------------------

void expect_invalid(const SamplingParams& p, int32_t vocab, const std::string& field) {
    try {
        Sampler s(p, vocab);
        ADD_FAILURE() << "no error for bad " << field;
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument) << field;
        const std::string msg = e.what();
        EXPECT_NE(msg.find("[sampler]"), std::string::npos) << msg;
        EXPECT_NE(msg.find(field), std::string::npos) << msg;
    }
}

TEST(Sampler, InvalidParamsThrow) {
    auto with = [](auto set) {
        SamplingParams p = plain();
        set(p);
        return p;
    };
    expect_invalid(plain(), 0, "vocab_size");
    expect_invalid(plain(), -3, "vocab_size");
    expect_invalid(with([](SamplingParams& p) { p.temperature = kNaN; }), 10, "temperature");
    expect_invalid(with([](SamplingParams& p) { p.top_p = kNaN; }), 10, "top_p");
    expect_invalid(with([](SamplingParams& p) { p.top_p = -0.1f; }), 10, "top_p");
    expect_invalid(with([](SamplingParams& p) { p.min_p = -0.1f; }), 10, "min_p");
    expect_invalid(with([](SamplingParams& p) { p.min_p = 1.5f; }), 10, "min_p");
    expect_invalid(with([](SamplingParams& p) { p.min_p = kNaN; }), 10, "min_p");
    expect_invalid(with([](SamplingParams& p) { p.repeat_penalty = 0.0f; }), 10, "repeat_penalty");
    expect_invalid(with([](SamplingParams& p) { p.repeat_penalty = -1.0f; }), 10, "repeat_penalty");
    expect_invalid(with([](SamplingParams& p) { p.repeat_penalty = kNaN; }), 10, "repeat_penalty");
    expect_invalid(with([](SamplingParams& p) { p.repeat_penalty = kInf; }), 10, "repeat_penalty");
    expect_invalid(with([](SamplingParams& p) { p.repeat_last_n = -1; }), 10, "repeat_last_n");

    // Allowed edges.
    EXPECT_NO_THROW(Sampler(with([](SamplingParams& p) { p.temperature = -1.0f; }), 10));
    EXPECT_NO_THROW(Sampler(with([](SamplingParams& p) { p.top_p = 0.0f; }), 10));
    EXPECT_NO_THROW(Sampler(with([](SamplingParams& p) { p.top_p = 2.0f; }), 10));
    EXPECT_NO_THROW(Sampler(with([](SamplingParams& p) { p.min_p = 0.0f; }), 10));
    EXPECT_NO_THROW(Sampler(with([](SamplingParams& p) { p.min_p = 1.0f; }), 10));
    EXPECT_NO_THROW(Sampler(with([](SamplingParams& p) { p.top_k = -5; }), 10));
    EXPECT_NO_THROW(Sampler(SamplingParams{}, 1));
}

TEST(Sampler, InvalidCallArgumentsThrow) {
    Sampler s(plain(), 4);
    const std::vector<float> l = {0, 1, 2, 3};
    EXPECT_THROW(s.sample(nullptr, nullptr, 0), Error);
    EXPECT_THROW(s.sample(l.data(), nullptr, 2), Error);
    const int32_t r = 1;
    EXPECT_THROW(s.sample(l.data(), &r, -1), Error);
}

// ---- StopMatcher -----------------------------------------------------------------------------------

// True if s is well-formed UTF-8 made of whole characters.
bool valid_utf8(const std::string& s) {
    size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
        if (len == 0 || i + len > s.size()) return false;
        for (size_t j = 1; j < len; ++j)
            if ((static_cast<unsigned char>(s[i + j]) & 0xC0) != 0x80) return false;
        i += len;
    }
    return true;
}

TEST(StopMatcher, StopSplitAcrossPushes) {
    StopMatcher m({"o W"});
    bool stopped = true;
    std::string out = m.push("Hel", &stopped);
    EXPECT_FALSE(stopped);
    EXPECT_EQ(out, "Hel");
    out = m.push("lo Wo", &stopped);
    EXPECT_TRUE(stopped);
    EXPECT_EQ(out, "l");  // "Hell" in all
    EXPECT_TRUE(m.stopped());
    // After a stop nothing more comes out.
    out = m.push("rld", &stopped);
    EXPECT_TRUE(stopped);
    EXPECT_EQ(out, "");
    EXPECT_EQ(m.flush(), "");
}

TEST(StopMatcher, StopSplitOneByteAtATime) {
    StopMatcher m({"o W"});
    std::string emitted;
    bool stopped = false;
    for (char c : std::string("Hello World")) {
        emitted += m.push(std::string(1, c), &stopped);
        if (stopped) break;
    }
    EXPECT_TRUE(stopped);
    EXPECT_EQ(emitted, "Hell");
}

TEST(StopMatcher, HeldBackPrefixReleasedWhenNotMatching) {
    StopMatcher m({"</s>"});
    bool stopped = true;
    EXPECT_EQ(m.push("a <", &stopped), "a ");  // "<" could start "</s>"
    EXPECT_FALSE(stopped);
    EXPECT_EQ(m.push("/", &stopped), "");  // "</" still could
    EXPECT_EQ(m.push("b", &stopped), "</b");  // "</b" cannot: released
    EXPECT_FALSE(stopped);
    EXPECT_EQ(m.push("</", &stopped), "");
    EXPECT_EQ(m.flush(), "</");  // generation ended without a stop
    EXPECT_EQ(m.flush(), "");
    EXPECT_EQ(m.push("x", &stopped), "x");
}

TEST(StopMatcher, OverlappingPrefixes) {
    // "aab" with the text "aaab": after "aa" both chars may start the stop; after "aaa" the first "a" is safe.
    StopMatcher m({"aab"});
    bool stopped = false;
    EXPECT_EQ(m.push("aa", &stopped), "");
    EXPECT_EQ(m.push("a", &stopped), "a");
    EXPECT_EQ(m.push("b", &stopped), "");
    EXPECT_TRUE(stopped);
}

TEST(StopMatcher, EarliestStopWins) {
    StopMatcher m({"World", "o Wor", "lo"});
    bool stopped = false;
    EXPECT_EQ(m.push("Hello World", &stopped), "Hel");
    EXPECT_TRUE(stopped);

    // Both complete in one push; the earlier one in the text wins, not the earlier one in the list.
    StopMatcher m2({"XYZ", "ab"});
    EXPECT_EQ(m2.push("123 ab XYZ", &stopped), "123 ");
    EXPECT_TRUE(stopped);

    // A complete stop wins over a longer one that started earlier but has not completed.
    StopMatcher m3({"cd", "bcde"});
    std::string out = m3.push("ab", &stopped);
    EXPECT_EQ(out, "a");
    out += m3.push("cd", &stopped);
    EXPECT_TRUE(stopped);
    // "bcde" is incomplete, so the complete "cd" stops and the "b" held back for "bcde" is released.
    EXPECT_EQ(out, "ab");
}

TEST(StopMatcher, NoStopsAndEmptyStops) {
    StopMatcher m({"", ""});
    bool stopped = true;
    EXPECT_EQ(m.push("abc", &stopped), "abc");
    EXPECT_FALSE(stopped);
    EXPECT_EQ(m.flush(), "");
    StopMatcher none({});
    EXPECT_EQ(none.push("xyz", nullptr), "xyz");
    // A stop at the very start emits nothing.
    StopMatcher start({"", "ab"});
    EXPECT_EQ(start.push("abc", &stopped), "");
    EXPECT_TRUE(stopped);
}

TEST(StopMatcher, Utf8NeverSplit) {
    // "é" is C3 A9; the stop "é!" shares its first two bytes with the text "é".
    StopMatcher m({"\xC3\xA9!"});
    bool stopped = false;
    std::string out = m.push("caf\xC3\xA9", &stopped);
    EXPECT_EQ(out, "caf");
    EXPECT_TRUE(valid_utf8(out));
    out = m.push(" ok", &stopped);
    EXPECT_EQ(out, "\xC3\xA9 ok");
    EXPECT_TRUE(valid_utf8(out));
    EXPECT_FALSE(stopped);

    // Japanese: stop "日本" (E6 97 A5 E6 9C AC), text "日曜日本語" pushed a char at a time.
    StopMatcher j({"\xE6\x97\xA5\xE6\x9C\xAC"});
    const std::vector<std::string> chars = {"\xE6\x97\xA5", "\xE6\x9B\x9C", "\xE6\x97\xA5", "\xE6\x9C\xAC",
                                            "\xE8\xAA\x9E"};
    std::string all;
    for (const auto& c : chars) {
        const std::string piece = j.push(c, &stopped);
        EXPECT_TRUE(valid_utf8(piece));
        all += piece;
        if (stopped) break;
    }
    EXPECT_TRUE(stopped);
    EXPECT_EQ(all, "\xE6\x97\xA5\xE6\x9B\x9C");  // 日曜
}

// Property test: random UTF-8 text pushed in random whole-character chunks. Every piece is valid UTF-8,
// and the concatenation (plus flush) equals the text up to the earliest stop occurrence (or all of it).
TEST(StopMatcher, RandomisedAgainstReference) {
    const std::vector<std::string> alphabet = {"a", "b", " ", "\xC3\xA9", "\xE6\x97\xA5", "\xF0\x9F\x98\x80",
                                               "\xE2\x82\xAC"};
    std::mt19937 gen(123);
    auto pick = [&](size_t n) { return static_cast<size_t>(gen() % n); };
    int stops_hit = 0;
    for (int round = 0; round < 3000; ++round) {
        std::vector<std::string> text_chars;
        const size_t len = 1 + pick(30);
        for (size_t i = 0; i < len; ++i) text_chars.push_back(alphabet[pick(alphabet.size())]);
        std::vector<std::string> stops;
        const size_t n_stops = pick(4);
        for (size_t s = 0; s < n_stops; ++s) {
            std::string stop;
            const size_t slen = pick(4);  // 0 -> empty stop, ignored
            for (size_t i = 0; i < slen; ++i) stop += alphabet[pick(alphabet.size())];
            stops.push_back(stop);
        }
        std::string text;
        for (const auto& c : text_chars) text += c;
        size_t earliest = std::string::npos;
        for (const auto& s : stops)
            if (!s.empty()) earliest = std::min(earliest, text.find(s));

        StopMatcher m(stops);
        std::string out;
        bool stopped = false;
        size_t i = 0;
        while (i < text_chars.size() && !stopped) {
            std::string chunk;
            const size_t n = 1 + pick(4);
            for (size_t k = 0; k < n && i < text_chars.size(); ++k) chunk += text_chars[i++];
            const std::string piece = m.push(chunk, &stopped);
            ASSERT_TRUE(valid_utf8(piece)) << "round " << round;
            out += piece;
        }
        if (!stopped) {
            const std::string rest = m.flush();
            ASSERT_TRUE(valid_utf8(rest));
            out += rest;
        }
        if (earliest == std::string::npos) {
            EXPECT_FALSE(stopped) << "round " << round;
            EXPECT_EQ(out, text) << "round " << round;
        } else {
            ++stops_hit;
            EXPECT_TRUE(stopped) << "round " << round;
            EXPECT_EQ(out, text.substr(0, earliest)) << "round " << round;
        }
    }
    EXPECT_GT(stops_hit, 300);  // the test really exercises stops
}

}  // namespace
}  // namespace akunu
