#include "backend/cpu/thread_pool.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define AKUNU_PAUSE() _mm_pause()
#else
#define AKUNU_PAUSE() std::this_thread::yield()
#endif

namespace akunu {
namespace {
// ~100 µs of spinning (PAUSE is ~26 ns on Zen 4) before a worker sleeps: longer than the gap
// between two commands of a decode step, far shorter than the gap between user calls. Not longer:
// on a loaded host a spinning worker holds a core while the caller it waits for is preempted;
// asleep, it lets the scheduler run the caller (or anyone) there.
constexpr int kSpinIterations = 4000;
// The caller spins this long (~50 µs) for ranges still running on other threads, then yields, so
// that an oversubscribed host runs the thread we wait for instead of our spinning.
constexpr int kCallerSpins = 2000;

uint64_t share_word(int64_t front, int64_t back) { return (uint64_t)back << 32 | (uint64_t)front; }
}  // namespace

ThreadPool::ThreadPool(int n_threads)
    : n_threads_(n_threads < 1 ? 1 : n_threads), shares_(new Share[(size_t)(n_threads < 1 ? 1 : n_threads)]) {
    for (int t = 1; t < n_threads_; ++t) workers_.emplace_back([this, t] { worker(t); });
}

ThreadPool::~ThreadPool() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stop_.store(true);
        job_.fetch_add(1);
    }
    wake_.notify_all();
    for (std::thread& w : workers_) w.join();
}

bool ThreadPool::claim(int share, bool owner, int64_t* g0, int64_t* g1) {
    std::atomic<uint64_t>& word = shares_[(size_t)share].word;
    uint64_t cur = word.load(std::memory_order_acquire);
    for (;;) {
        const int64_t front = (int64_t)(uint32_t)cur, back = (int64_t)(cur >> 32);
        if (front >= back) return false;
        int64_t take = (back - front) / (owner ? 4 : 2);
        if (take < 1) take = 1;
        const uint64_t next = owner ? share_word(front + take, back) : share_word(front, back - take);
        // A thread still holding a word read during an earlier job can only succeed if the word
        // is unchanged, i.e. a share of the current job: the grains it takes are the current job's.
        if (word.compare_exchange_weak(cur, next, std::memory_order_acq_rel, std::memory_order_acquire)) {
            *g0 = owner ? front : back - take;
            *g1 = owner ? front + take : back;
            return true;
        }
    }
}

void ThreadPool::participate(int thread) {
    int64_t ran = 0, g0 = 0, g1 = 0;
    // Own share first, then the others' from the back, starting with the next thread's.
    for (int i = 0; i < n_threads_; ++i) {
        const int share = (thread + i) % n_threads_;
        while (claim(share, i == 0, &g0, &g1)) {
            // The job's fields, read after the claim: the claim synchronises with the caller's
            // publication of this job's shares, and the job cannot end before these grains count.
            const int64_t n = n_.load(std::memory_order_acquire), grain = grain_.load(std::memory_order_acquire);
            const Fn fn = fn_.load(std::memory_order_acquire);
            const int64_t e = g1 * grain < n ? g1 * grain : n;
            fn(ctx_.load(std::memory_order_acquire), g0 * grain, e, thread);
            ran += g1 - g0;
        }
    }
    // One contended add per thread and job, not per range.
    if (ran) done_.fetch_add(ran, std::memory_order_acq_rel);
}

void ThreadPool::dispatch(int64_t n, int64_t grain, Fn fn, void* ctx) {
    // Grain indices live in 32-bit halves of a share word.
    while ((n + grain - 1) / grain >= ((int64_t)1 << 31)) grain *= 2;
    const int64_t grains = (n + grain - 1) / grain;
    fn_.store(fn, std::memory_order_release);
    ctx_.store(ctx, std::memory_order_release);
    n_.store(n, std::memory_order_release);
    grain_.store(grain, std::memory_order_release);
    done_.store(0, std::memory_order_release);
    for (int t = 0; t < n_threads_; ++t) {
        shares_[(size_t)t].word.store(share_word(grains * t / n_threads_, grains * (t + 1) / n_threads_),
                                      std::memory_order_release);
    }
    {
        // The lock pairs the bump with a sleeping worker's check of job_ (no lost wake-up).
        std::lock_guard<std::mutex> lock(mutex_);
        job_.fetch_add(1, std::memory_order_release);
    }
    if (sleepers_.load(std::memory_order_acquire) > 0) wake_.notify_all();
    participate(0);
    for (int spins = 0; done_.load(std::memory_order_acquire) != grains; ++spins) {
        if (spins < kCallerSpins) {
            AKUNU_PAUSE();
        } else {
            std::this_thread::yield();
        }
    }
}

void ThreadPool::worker(int thread) {
    uint64_t seen = 0;
    auto idle = [&] { return job_.load(std::memory_order_acquire) == seen && !stop_.load(); };
    for (;;) {
        for (int spins = 0; idle();) {
            if (++spins < kSpinIterations) {
                AKUNU_PAUSE();
                continue;
            }
            std::unique_lock<std::mutex> lock(mutex_);
            sleepers_.fetch_add(1);
            wake_.wait(lock, [&] { return !idle(); });
            sleepers_.fetch_sub(1);
        }
        if (stop_.load()) return;
        // Noted before running: a job published meanwhile is then still seen as new.
        seen = job_.load(std::memory_order_acquire);
        participate(thread);
    }
}

}  // namespace akunu
