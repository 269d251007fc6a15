#include "backend/backend.h"
#include "backend/cpu/cpu_backend.h"
#include "core/error.h"

namespace akunu {

const char* backend_kind_name(BackendKind kind) {
    return kind == BackendKind::Cuda ? "cuda" : "cpu";
}

std::unique_ptr<Backend> create_backend(BackendKind kind, const BackendOptions& options) {
    switch (kind) {
        case BackendKind::Cpu:
            return std::make_unique<CpuBackend>(options);
        case BackendKind::Cuda:
            break;
    }
    fail(ErrorKind::Unsupported, "backend", "this build has no CUDA backend (configure with -DAKUNU_CUDA=ON)");
}

}  // namespace akunu
