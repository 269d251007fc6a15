// A fixed pool of worker threads that splits a loop into contiguous ranges of grains. Workers spin
// briefly between commands (a decode step issues hundreds of short commands, and a
// condition-variable wake-up costs tens of microseconds), then sleep.
//
// Each thread owns an even, contiguous share of the grains and works through it front to back;
// a thread done with its own share takes work from the back of the others'. Why both:
//   - one contiguous range per thread is what a streaming GEMV wants (every new range restarts the
//     memory stream: handing out ranges on demand, ~8 per thread per command, cost a decode step
//     12% against two ranges per command);
//   - this machine is shared (other processes compile on the same cores), and a worker the OS
//     does not run for a while must not hold up the command: whatever it has not started, another
//     thread takes (with one fixed share per thread and the caller spinning, a loaded machine
//     decoded at 4 tok/s). A worker that wakes after the work is gone goes back to waiting.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
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

    // Calls f(begin, end, thread) on disjoint ranges covering [0, n), possibly several per thread;
    // `thread` (in [0, size())) is unique among the calls running at one time, so it may index
    // per-thread scratch. Ranges are multiples of `grain` (except the last); with fewer than two
    // grains of work it runs inline on the caller.
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
    // A thread's share of the current job: grains [front, back) not yet taken, in one word
    // (back << 32 | front) so that the owner (taking from the front) and others (from the back)
    // claim with one compare-exchange. On its own cache line.
    struct alignas(64) Share {
        std::atomic<uint64_t> word{0};
    };

    void dispatch(int64_t n, int64_t grain, Fn fn, void* ctx);
    // Runs ranges of the current job, own share first, until no share has grains left.
    void participate(int thread);
    // Claims up to a quarter (owner, from the front) or half (others, from the back) of a share's
    // grains; false if it is empty.
    bool claim(int share, bool owner, int64_t* g0, int64_t* g1);
    void worker(int thread);

    int n_threads_;
    std::unique_ptr<Share[]> shares_;
    std::vector<std::thread> workers_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::atomic<int> sleepers_{0};
    std::atomic<bool> stop_{false};
    std::atomic<uint64_t> job_{0};  // bumped for every job: what workers wait on
    std::atomic<int64_t> done_{0};  // grains of the current job finished
    // The current job: written by the caller before the shares; read by a thread only after it has
    // claimed grains, which the job cannot finish without, so they cannot change under it.
    std::atomic<Fn> fn_{nullptr};
    std::atomic<void*> ctx_{nullptr};
    std::atomic<int64_t> n_{0};
    std::atomic<int64_t> grain_{1};
};

}  // namespace akunu
