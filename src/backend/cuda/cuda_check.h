// Every CUDA runtime call of the backend goes through AKUNU_CUDA_CHECK: a failure becomes
// akunu::Error(Internal) "[cuda] file:line call: reason" (OutOfMemory for allocation failures), so
// the engine and the tools report it like any other error instead of carrying a sticky status.
#pragma once

#include <cuda_runtime.h>

namespace akunu {

// Throws when `status` is not cudaSuccess; `call` is the expression's text.
void cuda_check(cudaError_t status, const char* call, const char* file, int line);

// After a kernel launch: a bad configuration shows up here, not at the next synchronisation.
void cuda_check_launch(const char* kernel, const char* file, int line);

}  // namespace akunu

#define AKUNU_CUDA_CHECK(call) ::akunu::cuda_check((call), #call, __FILE__, __LINE__)
#define AKUNU_CUDA_LAUNCHED(name) ::akunu::cuda_check_launch((name), __FILE__, __LINE__)
