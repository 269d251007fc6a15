#include "backend/cpu/matmul_dispatch.h"

#include <algorithm>
#include <string>

#include "backend/cpu/thread_pool.h"
#include "core/error.h"

namespace akunu {
namespace {

// Rows per thread-pool grain: a multiple of every kernel's row tile (4 and 8).
constexpr int64_t kRowGrain = 16;

bool integer_type(DType t) { return t == DType::Q4_0 || t == DType::Q8_0 || t == DType::Q4_K || t == DType::Q6_K; }

QActFormat qact_format(DType t) { return (t == DType::Q4_0 || t == DType::Q8_0) ? QActFormat::Q8_32 : QActFormat::Q8_K; }

QMatMulFn integer_kernel(const MatMulKernels& k, DType t) {
    switch (t) {
        case DType::Q4_0: return k.q4_0;
        case DType::Q8_0: return k.q8_0;
        case DType::Q4_K: return k.q4_k;
        case DType::Q6_K: return k.q6_k;
        default: return nullptr;
    }
}

FMatMulFn float_kernel(const MatMulKernels& k, DType t) {
    switch (t) {
        case DType::F32: return k.f32;
        case DType::F16: return k.f16;
        case DType::BF16: return k.bf16;
        default: return nullptr;
    }
}

DequantRowFn dequantizer(const MatMulKernels& k, DType t) {
    DequantRowFn f = nullptr;
    switch (t) {
        case DType::Q4_0: f = k.dequant_q4_0; break;
        case DType::Q8_0: f = k.dequant_q8_0; break;
        case DType::Q4_K: f = k.dequant_q4_k; break;
        case DType::Q6_K: f = k.dequant_q6_k; break;
        default: break;
    }
    return f ? f : dtype_traits(t).dequantize_row;
}

}  // namespace

const char* matmul_path_name(MatMulPath p) {
    switch (p) {
        case MatMulPath::Integer: return "integer";
        case MatMulPath::Float: return "float";
        case MatMulPath::Dequant: return "dequant";
        case MatMulPath::Reference: return "reference";
    }
    return "?";
}

const MatMulKernels& matmul_kernels(CpuIsa isa) {
    const MatMulKernels* k = nullptr;
    switch (isa) {
        case CpuIsa::Scalar: return matmul_kernels_scalar();
        case CpuIsa::Avx2: k = matmul_kernels_avx2(); break;
        case CpuIsa::Avx512: k = matmul_kernels_avx512(); break;
    }
    if (!k) fail(ErrorKind::Unsupported, "cpu", std::string("kernel level ") + cpu_isa_name(isa) + " is not in this build");
    return *k;
}

MatMulDispatch::MatMulDispatch(CpuIsa isa, bool exact_activations)
    : isa_(isa), exact_(exact_activations), kernels_(&matmul_kernels(isa)) {}

MatMulPath MatMulDispatch::path(DType type) const {
    if (!exact_ && integer_type(type)) return MatMulPath::Integer;
    if (isa_ == CpuIsa::Scalar) return MatMulPath::Reference;
    if (float_kernel(*kernels_, type)) return MatMulPath::Float;
    return MatMulPath::Dequant;
}

size_t MatMulDispatch::qact_bytes(DType type, int64_t k, int32_t m) const {
    if (path(type) != MatMulPath::Integer) return 0;
    return qact_layout(qact_format(type), k).row_bytes * (size_t)std::max(m, 1);
}

size_t MatMulDispatch::pack_bytes(DType type, int64_t k, int32_t m) const {
    if (path(type) != MatMulPath::Integer || m < 2) return 0;
    return (kPackBytesPerK * (size_t)k + 63) / 64 * 64;
}

void MatMulDispatch::run(const uint8_t* w, DType type, const float* x, float* y, int32_t m, int64_t n, int64_t k,
                         bool accumulate, ThreadPool& pool, const CpuScratch& scratch) const {
    const size_t row_bytes = dtype_row_bytes(type, k);
    switch (path(type)) {
        case MatMulPath::Reference:
            cpu_matmul(w, type, x, y, m, n, k, accumulate, pool, scratch);
            return;
        case MatMulPath::Float: {
            FMatMulArgs a;
            a.w = w;
            a.w_row_bytes = row_bytes;
            a.k = k;
            a.x = x;
            a.ldx = k;
            a.m = m;
            a.y = y;
            a.ldy = n;
            a.accumulate = accumulate;
            const FMatMulFn f = float_kernel(*kernels_, type);
            pool.parallel_for(n, kRowGrain, [&](int64_t b, int64_t e, int) { f(a, b, e); });
            return;
        }
        case MatMulPath::Dequant: {
            // Weight rows dequantized in blocks of kMatMulRowBlock, reused for every token.
            const DequantRowFn deq = dequantizer(*kernels_, type);
            const FMatMulFn f = kernels_->f32;
            pool.parallel_for(n, kRowGrain, [&](int64_t begin, int64_t end, int thread) {
                float* buf = scratch.rows + (size_t)thread * scratch.rows_stride;
                for (int64_t j0 = begin; j0 < end; j0 += kMatMulRowBlock) {
                    const int64_t nr = std::min<int64_t>(kMatMulRowBlock, end - j0);
                    for (int64_t r = 0; r < nr; ++r) deq(w + (size_t)(j0 + r) * row_bytes, buf + (size_t)r * k, k);
                    FMatMulArgs a;
                    a.w = reinterpret_cast<const uint8_t*>(buf);
                    a.w_row_bytes = (size_t)k * sizeof(float);
                    a.k = k;
                    a.x = x;
                    a.ldx = k;
                    a.m = m;
                    a.y = y + j0;
                    a.ldy = n;
                    a.accumulate = accumulate;
                    f(a, 0, nr);
                }
            });
            return;
        }
        case MatMulPath::Integer: {
            const MatMulPart part{w, y, n};
            run_integer(&part, 1, type, x, m, k, accumulate, pool, scratch);
            return;
        }
    }
}

bool MatMulDispatch::groupable(DType type, int64_t n) const {
    return path(type) == MatMulPath::Integer && n > 0 && n % kRowGrain == 0;
}

void MatMulDispatch::run_group(const MatMulPart* parts, int count, DType type, const float* x, int32_t m, int64_t k,
                               bool accumulate, ThreadPool& pool, const CpuScratch& scratch) const {
    for (int i = 0; i < count; ++i) {
        if (!groupable(type, parts[i].n)) fail(ErrorKind::Internal, "cpu", "MatMul group with a part that cannot be grouped");
    }
    run_integer(parts, count, type, x, m, k, accumulate, pool, scratch);
}

void MatMulDispatch::run_integer(const MatMulPart* parts, int count, DType type, const float* x, int32_t m, int64_t k,
                                 bool accumulate, ThreadPool& pool, const CpuScratch& scratch) const {
    const QActLayout l = qact_layout(qact_format(type), k);
    const int64_t cap = scratch.qact ? (int64_t)(scratch.qact_bytes / l.row_bytes) : 0;
    if (cap < 1) fail(ErrorKind::Internal, "cpu", "MatMul run without quantized-activation scratch (prepare())");
    const QuantizeActFn quantize = l.format == QActFormat::Q8_32 ? kernels_->quantize_q8_32 : kernels_->quantize_q8_k;
    const QMatMulFn f = integer_kernel(*kernels_, type);
    const size_t row_bytes = dtype_row_bytes(type, k);
    int64_t rows = 0;
    for (int i = 0; i < count; ++i) rows += parts[i].n;
    for (int32_t t0 = 0; t0 < m; t0 += (int32_t)cap) {
        const int32_t mm = (int32_t)std::min<int64_t>(cap, m - t0);
        pool.parallel_for(mm, 4, [&](int64_t b, int64_t e, int) {
            for (int64_t t = b; t < e; ++t) {
                quantize(x + (size_t)(t0 + t) * k, k, scratch.qact + (size_t)t * l.row_bytes, l);
            }
        });
        const bool packs = scratch.pack && scratch.pack_stride >= pack_bytes(type, k, mm);
        // A range of the parts' rows laid end to end, cut where one part ends and the next begins.
        pool.parallel_for(rows, kRowGrain, [&](int64_t b, int64_t e, int thread) {
            uint8_t* pack = packs ? scratch.pack + (size_t)thread * scratch.pack_stride : nullptr;
            int64_t first = 0;
            for (int i = 0; i < count && b < e; first += parts[i].n, ++i) {
                const int64_t last = first + parts[i].n;
                if (b >= last) continue;
                const int64_t j1 = std::min(e, last);
                QMatMulArgs a;
                a.w = parts[i].w;
                a.w_row_bytes = row_bytes;
                a.xq = scratch.qact;
                a.xl = l;
                a.m = mm;
                a.y = parts[i].y + (size_t)t0 * parts[i].n;
                a.ldy = parts[i].n;
                a.accumulate = accumulate;
                f(a, b - first, j1 - first, pack);
                b = j1;
            }
        });
    }
}

}  // namespace akunu
