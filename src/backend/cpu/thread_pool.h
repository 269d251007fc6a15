// A fixed pool of worker threads that splits a loop into contiguous chunks, one per thread.
// Workers spin briefly between commands (a decode step issues hundreds of short commands, and a
// condition-variable wake-up costs tens of microseconds), then sleep.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace akunu {

class ThreadPool {
public:
    explicit ThreadPool(int n_threads);  // n_threads >= 1; the caller is thread 0
    ~ThreadPool();
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;

    int size() const { return n_threads_; }

    // Calls f(begin, end, thread) on disjoint ranges covering [0, n). Ranges are multiples of
    // `grain` (except the last); with fewer than two grains of work it runs inline on the caller.
    template <typename F>
    void parallel_for(int64_t n, int64_t grain, F&& f) {
        if (n <= 0) return;
        if (grain < 1) grain = 1;
        if (n_threads_ == 1 || n < 2 * grain) {
            f((int64_t)0, n, 0);
            return;
        }
        auto trampoline = [](void* ctx, int64_t b, int64_t e, int t) { (*static_cast<F*>(ctx))(b, e, t); };
        dispatch(n, grain, trampoline, &f);
    }

private:
    using Fn = void (*)(void*, int64_t, int64_t, int);
    void dispatch(int64_t n, int64_t grain, Fn fn, void* ctx);
    void run_share(int thread);
    void worker(int thread);

    int n_threads_;
    std::vector<std::thread> workers_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::atomic<uint64_t> generation_{0};
    std::atomic<int> pending_{0};
    std::atomic<int> sleepers_{0};
    std::atomic<bool> stop_{false};
    // The current job.
    Fn fn_ = nullptr;
    void* ctx_ = nullptr;
    int64_t n_ = 0;
    int64_t grain_ = 1;
};

}  // namespace akunu
