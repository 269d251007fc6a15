#include "backend/cuda/cuda_check.h"

#include <string>

#include "core/error.h"

namespace akunu {

void cuda_check(cudaError_t status, const char* call, const char* file, int line) {
    if (status == cudaSuccess) return;
    cudaGetLastError();  // clear the runtime's last error so a later check does not report it again
    const std::string where = std::string(file) + ":" + std::to_string(line) + " " + call + ": ";
    const ErrorKind kind = status == cudaErrorMemoryAllocation ? ErrorKind::OutOfMemory : ErrorKind::Internal;
    fail(kind, "cuda", where + cudaGetErrorString(status));
}

void cuda_check_launch(const char* kernel, const char* file, int line) {
    const cudaError_t status = cudaGetLastError();
    if (status == cudaSuccess) return;
    fail(ErrorKind::Internal, "cuda", std::string(file) + ":" + std::to_string(line) + " launch of " + kernel + ": " +
                                          cudaGetErrorString(status));
}

}  // namespace akunu
