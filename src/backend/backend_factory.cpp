#include "backend/backend.h"
#include "backend/cpu/cpu_backend.h"
#include "core/error.h"
#ifdef AKUNU_HAS_CUDA
#include "backend/cuda/cuda_backend.h"
#endif

namespace akunu {

const char* backend_kind_name(BackendKind kind) {
    return kind == BackendKind::Cuda ? "cuda" : "cpu";
}

bool backend_available(BackendKind kind) {
    switch (kind) {
        case BackendKind::Cpu:
            return true;
        case BackendKind::Cuda:
#ifdef AKUNU_HAS_CUDA
            return cuda_device_available();
#else
            return false;
#endif
    }
    return false;
}

std::unique_ptr<Backend> create_backend(BackendKind kind, const BackendOptions& options) {
    switch (kind) {
        case BackendKind::Cpu:
            return std::make_unique<CpuBackend>(options);
        case BackendKind::Cuda:
#ifdef AKUNU_HAS_CUDA
            return create_cuda_backend(options);
#else
            break;
#endif
    }
    fail(ErrorKind::Unsupported, "backend", "this build has no CUDA backend (configure with -DAKUNU_CUDA=ON)");
}

}  // namespace akunu
