// Chain decode as a CUDA graph.
//
// How it works: the decode table (M = 1) is captured once per table into a graph of one step: its
// kernels, in order, then a one-thread "advance" kernel that does state->pos += 1 and
// state->step += 1 on the device RunState. Every kernel reads the position and step from that
// state, never from its arguments, so the graph needs no patching between replays. Argmax writes
// its token to the buffer the next step's EmbedLookup reads, and to chain_out[step].
// run_chain(first, n) = one copy of `first` into the device state, then n launches of the same
// graph on one stream, then one synchronisation: no host work per token beyond the launch call.
// (A graph of several steps would trade capture time and memory for fewer launch calls; the
// per-step graph keeps capture to ~1 ms and serves every chain length.)
#pragma once

#include <cuda_runtime.h>

#include <cstdint>
#include <functional>

#include "backend/cuda/cuda_ops.h"

namespace akunu::cuda {

// Captures what `enqueue_step` puts on `stream` (one decode step), followed by the advance node,
// and returns the instantiated graph.
cudaGraphExec_t capture_step_graph(cudaStream_t stream, DevState* state, const std::function<void()>& enqueue_step);

// Launches the graph n_steps times on `stream` (asynchronously).
void launch_step_graph(cudaGraphExec_t graph, cudaStream_t stream, int32_t n_steps);

void destroy_step_graph(cudaGraphExec_t graph) noexcept;

}  // namespace akunu::cuda
