#include "backend/cpu/thread_pool.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define AKUNU_PAUSE() _mm_pause()
#else
#define AKUNU_PAUSE() std::this_thread::yield()
#endif

namespace akunu {
namespace {
// ~50 µs of spinning before a worker sleeps: longer than the gap between two commands of a
// decode step, far shorter than the gap between user calls.
constexpr int kSpinIterations = 20000;
}  // namespace

ThreadPool::ThreadPool(int n_threads) : n_threads_(n_threads < 1 ? 1 : n_threads) {
    for (int t = 1; t < n_threads_; ++t) workers_.emplace_back([this, t] { worker(t); });
}

ThreadPool::~ThreadPool() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stop_.store(true);
        generation_.fetch_add(1);
    }
    wake_.notify_all();
    for (std::thread& w : workers_) w.join();
}

void ThreadPool::run_share(int thread) {
    const int64_t grains = (n_ + grain_ - 1) / grain_;
    const int64_t per = grains / n_threads_, extra = grains % n_threads_;
    const int64_t g0 = thread * per + (thread < extra ? thread : extra);
    const int64_t g1 = g0 + per + (thread < extra ? 1 : 0);
    const int64_t b = g0 * grain_, e = g1 * grain_ < n_ ? g1 * grain_ : n_;
    if (b < e) fn_(ctx_, b, e, thread);
}

void ThreadPool::dispatch(int64_t n, int64_t grain, Fn fn, void* ctx) {
    fn_ = fn;
    ctx_ = ctx;
    n_ = n;
    grain_ = grain;
    pending_.store(n_threads_ - 1, std::memory_order_relaxed);
    {
        // The lock orders the job fields before the generation bump for sleeping workers.
        std::lock_guard<std::mutex> lock(mutex_);
        generation_.fetch_add(1, std::memory_order_release);
    }
    if (sleepers_.load(std::memory_order_acquire) > 0) wake_.notify_all();
    run_share(0);
    // Spin first (the workers finish within microseconds on an idle machine), then yield so that an
    // oversubscribed host schedules the worker we are waiting for instead of burning our slice.
    for (int spins = 0; pending_.load(std::memory_order_acquire) != 0; ++spins) {
        if (spins < kSpinIterations) {
            AKUNU_PAUSE();
        } else {
            std::this_thread::yield();
        }
    }
}

void ThreadPool::worker(int thread) {
    uint64_t seen = 0;
    for (;;) {
        int spins = 0;
        uint64_t gen;
        while ((gen = generation_.load(std::memory_order_acquire)) == seen) {
            if (++spins < kSpinIterations) {
                AKUNU_PAUSE();
                continue;
            }
            std::unique_lock<std::mutex> lock(mutex_);
            sleepers_.fetch_add(1);
            wake_.wait(lock, [&] { return generation_.load() != seen; });
            sleepers_.fetch_sub(1);
        }
        seen = gen;
        if (stop_.load()) return;
        run_share(thread);
        pending_.fetch_sub(1, std::memory_order_acq_rel);
    }
}

}  // namespace akunu
