#include "backend/cuda/cuda_graph_chain.h"

#include "backend/cuda/cuda_check.h"

namespace akunu::cuda {
namespace {

__global__ void advance_state_kernel(DevState* state) {
    state->pos += 1;
    state->step += 1;
}

}  // namespace

void launch_advance_state(DevState* state, cudaStream_t s) {
    advance_state_kernel<<<1, 1, 0, s>>>(state);
    AKUNU_CUDA_LAUNCHED("advance_state_kernel");
}

cudaGraphExec_t capture_step_graph(cudaStream_t stream, DevState* state, const std::function<void()>& enqueue_step) {
    AKUNU_CUDA_CHECK(cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal));
    cudaGraph_t graph = nullptr;
    try {
        enqueue_step();
        launch_advance_state(state, stream);
    } catch (...) {
        // End the capture so the stream is usable again, then report the launch error.
        if (cudaStreamEndCapture(stream, &graph) == cudaSuccess && graph) cudaGraphDestroy(graph);
        cudaGetLastError();
        throw;
    }
    AKUNU_CUDA_CHECK(cudaStreamEndCapture(stream, &graph));
    cudaGraphExec_t exec = nullptr;
    const cudaError_t st = cudaGraphInstantiate(&exec, graph, 0);
    cudaGraphDestroy(graph);
    AKUNU_CUDA_CHECK(st);
    return exec;
}

void launch_step_graph(cudaGraphExec_t graph, cudaStream_t stream, int32_t n_steps) {
    for (int32_t i = 0; i < n_steps; ++i) AKUNU_CUDA_CHECK(cudaGraphLaunch(graph, stream));
}

void destroy_step_graph(cudaGraphExec_t graph) noexcept {
    if (graph) cudaGraphExecDestroy(graph);
}

}  // namespace akunu::cuda
