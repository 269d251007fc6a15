#include "backend/cpu/cpu_backend.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>

#include "backend/cpu/cpu_device_info.h"
#include "backend/cpu/cpu_features.h"
#include "core/error.h"

namespace akunu {
namespace {
constexpr size_t kAlignment = 64;
}

CpuBackend::CpuBackend(const BackendOptions& options) {
    config_ = detect_cpu_device(options.n_threads);
    const CpuIsa isa = resolve_cpu_isa(options.isa);
    matmul_ = std::make_unique<MatMulDispatch>(isa, options.exact_activations);
    attention_ = std::make_unique<AttentionDispatch>(isa);
    elementwise_ = std::make_unique<ElementwiseDispatch>(isa);
    config_.isa = cpu_isa_description(isa);
    if (options.prefill_chunk > 0) config_.prefill_chunk = options.prefill_chunk;
    if (!options.fuse_residual_add) config_.fuse_residual_add = false;
    pool_ = std::make_unique<ThreadPool>(config_.n_threads);
}

CpuBackend::~CpuBackend() {
    for (Buffer& b : buffers_) {
        if (b.owned) std::free(b.ptr);
    }
}

BufferId CpuBackend::create_buffer(size_t bytes, const char* name) {
    const size_t rounded = (std::max<size_t>(bytes, 1) + kAlignment - 1) / kAlignment * kAlignment;
    void* p = std::aligned_alloc(kAlignment, rounded);
    if (!p) {
        fail(ErrorKind::OutOfMemory, "cpu", std::string("cannot allocate ") + std::to_string(bytes) +
                                                " bytes for buffer '" + name + "'");
    }
    std::memset(p, 0, rounded);
    buffers_.push_back({static_cast<uint8_t*>(p), bytes, true, name});
    allocated_ += rounded;
    return (BufferId)(buffers_.size() - 1);
}

BufferId CpuBackend::import_weights(const void* host, size_t bytes, const char* name) {
    buffers_.push_back({static_cast<uint8_t*>(const_cast<void*>(host)), bytes, false, name});
    return (BufferId)(buffers_.size() - 1);
}

void CpuBackend::check_range(BufferId buf, size_t offset, size_t bytes, const char* what) const {
    if (buf >= buffers_.size() || offset > buffers_[buf].size || bytes > buffers_[buf].size - offset) {
        fail(ErrorKind::Internal, "cpu", std::string(what) + " out of range of buffer " + std::to_string(buf));
    }
}

void CpuBackend::write(BufferId buf, size_t offset, const void* src, size_t bytes) {
    check_range(buf, offset, bytes, "write");
    std::memcpy(buffers_[buf].ptr + offset, src, bytes);
}

void CpuBackend::read(BufferId buf, size_t offset, void* dst, size_t bytes) {
    check_range(buf, offset, bytes, "read");
    std::memcpy(dst, buffers_[buf].ptr + offset, bytes);
}

void CpuBackend::prepare(const DispatchTable& table) {
    std::vector<Resolved> resolved(table.size());
    size_t max_k = 1, attn_floats = 1, max_rope_dim = 2, qact_bytes = 0, pack_bytes = 0;
    for (size_t i = 0; i < table.size(); ++i) {
        const Command& c = table.commands[i];
        auto resolve = [&](const BufRef& ref) -> uint8_t* {
            if (ref.buf == kNoBuffer) return nullptr;
            check_range(ref.buf, ref.offset, 0, table.info[i].label.c_str());
            return buffers_[ref.buf].ptr + ref.offset;
        };
        for (int j = 0; j < 3; ++j) resolved[i].in[j] = resolve(c.in[j]);
        for (int j = 0; j < 2; ++j) resolved[i].out[j] = resolve(c.out[j]);
        if (c.op == Op::MatMul) {
            max_k = std::max<size_t>(max_k, c.k);
            const int32_t m = (c.flags & (kLastRowOnly | kSingleRow)) ? 1 : (int32_t)std::max<uint32_t>(1, table.max_tokens);
            qact_bytes = std::max(qact_bytes, matmul_->qact_bytes(c.wtype, c.k, m));
            pack_bytes = std::max(pack_bytes, matmul_->pack_bytes(c.wtype, c.k, m));
        }
        if (c.op == Op::Attention) {
            attn_floats = std::max(attn_floats, attention_->scratch_floats((int32_t)c.p[2], (int32_t)c.p[3]));
        }
        if (c.op == Op::Rope) max_rope_dim = std::max<size_t>(max_rope_dim, c.p[2]);
        if (c.op == Op::Count) fail(ErrorKind::Internal, "cpu", "unknown op in " + table.info[i].label);
        if ((c.op == Op::KvStore || c.op == Op::Attention) && c.wtype != DType::F32 && c.wtype != DType::F16) {
            fail(ErrorKind::Unsupported, "cpu",
                 std::string("a KV cache of ") + dtype_name(c.wtype) + " (" + table.info[i].label +
                     "): the CPU backend holds f32 or f16 caches (kv_type f32 / f16)");
        }
    }
    // Scratch grows to the largest table prepared; sized here so that running never allocates.
    const size_t threads = (size_t)config_.n_threads;
    const size_t rows_stride = std::max(scratch_.rows_stride, (size_t)kMatMulRowBlock * max_k);
    const size_t scores_stride = std::max(scratch_.scores_stride, attn_floats);
    if (rows_stride != scratch_.rows_stride || scores_stride != scratch_.scores_stride) {
        allocated_ -= scratch_storage_.size() * sizeof(float);
        scratch_storage_.assign(threads * (rows_stride + scores_stride), 0.0f);
        allocated_ += scratch_storage_.size() * sizeof(float);
        scratch_.rows_stride = rows_stride;
        scratch_.scores_stride = scores_stride;
        scratch_.rows = scratch_storage_.data();
        scratch_.scores = scratch_.rows + threads * rows_stride;
    }
    allocated_ -= rope_table_.bytes();
    rope_table_.reserve((int32_t)std::max<uint32_t>(1, table.max_tokens), (int32_t)max_rope_dim);
    allocated_ += rope_table_.bytes();
    // MatMul byte scratch: the quantized activations (shared), then one packing area per thread.
    qact_bytes = (qact_bytes + kAlignment - 1) / kAlignment * kAlignment;
    pack_bytes = (pack_bytes + kAlignment - 1) / kAlignment * kAlignment;
    if (qact_bytes > scratch_.qact_bytes || pack_bytes > scratch_.pack_stride) {
        qact_bytes = std::max(qact_bytes, scratch_.qact_bytes);
        pack_bytes = std::max(pack_bytes, scratch_.pack_stride);
        const size_t total = std::max<size_t>(qact_bytes + threads * pack_bytes, kAlignment);
        void* p = std::aligned_alloc(kAlignment, total);
        if (!p) fail(ErrorKind::OutOfMemory, "cpu", "cannot allocate " + std::to_string(total) + " bytes of MatMul scratch");
        allocated_ -= matmul_scratch_bytes_;
        allocated_ += total;
        matmul_scratch_bytes_ = total;
        qact_storage_.reset(static_cast<uint8_t*>(p));
        scratch_.qact = qact_storage_.get();
        scratch_.qact_bytes = qact_bytes;
        scratch_.pack = pack_bytes ? scratch_.qact + qact_bytes : nullptr;
        scratch_.pack_stride = pack_bytes;
    }
    group_matmuls(table, resolved);
    prepared_[&table] = std::move(resolved);
}

const std::vector<CpuBackend::Resolved>& CpuBackend::resolved_for(const DispatchTable& table) const {
    auto it = prepared_.find(&table);
    if (it == prepared_.end() || it->second.size() != table.size()) {
        fail(ErrorKind::Internal, "cpu", "dispatch table run before prepare()");
    }
    return it->second;
}

void CpuBackend::execute(const Command& c, const Resolved& r, const RunState& s) {
    const bool last_row = (c.flags & kLastRowOnly) != 0;
    const int32_t m = (last_row || (c.flags & kSingleRow)) ? 1 : s.n_tokens;
    const size_t skip_rows = last_row ? (size_t)(s.n_tokens - 1) : 0;
    auto f32 = [](uint8_t* p) { return reinterpret_cast<float*>(p); };
    switch (c.op) {
        case Op::EmbedLookup:
            cpu_embed_lookup(reinterpret_cast<const int32_t*>(r.in[0]), m, r.in[1], c.wtype, c.k, f32(r.out[0]));
            break;
        case Op::RmsNorm:
            elementwise_->rmsnorm(f32(r.in[0]) + skip_rows * c.p[0] * c.k, f32(r.in[1]), f32(r.out[0]),
                                  (int64_t)m * c.p[0], c.k, c.f0, *pool_);
            break;
        case Op::MatMul:
            matmul_->run(r.in[0], c.wtype, f32(r.in[1]) + skip_rows * c.k, f32(r.out[0]), m, c.n, c.k,
                         (c.flags & kAccumulate) != 0, *pool_, scratch_);
            break;
        case Op::Rope:
            rope(f32(r.out[0]), f32(r.in[0]), m, s.pos, c);
            break;
        case Op::KvStore: {
            // Tokens split across the pool in prefill (a chunk's K and V are megabytes); one token inline.
            const size_t row = (size_t)c.p[0] * c.p[1];
            auto f16 = [](uint8_t* p) { return reinterpret_cast<uint16_t*>(p); };
            pool_->parallel_for(m, 32, [&](int64_t b, int64_t e, int) {
                const int32_t n = (int32_t)(e - b), pos = s.pos + (int32_t)b;
                if (c.wtype == DType::F16) {
                    elementwise_->kv_store_f16(f32(r.in[0]) + b * row, f32(r.in[1]) + b * row, f16(r.out[0]),
                                               f16(r.out[1]), n, pos, (int32_t)c.p[0], (int32_t)c.p[1], (int32_t)c.p[2]);
                } else {
                    cpu_kv_store(f32(r.in[0]) + b * row, f32(r.in[1]) + b * row, f32(r.out[0]), f32(r.out[1]), n, pos,
                                 (int32_t)c.p[0], (int32_t)c.p[1], (int32_t)c.p[2]);
                }
            });
            break;
        }
        case Op::Attention: {
            AttentionArgs a;
            a.q = f32(r.in[0]);
            if (c.wtype == DType::F16) {
                a.k_half = reinterpret_cast<const uint16_t*>(r.in[1]);
                a.v_half = reinterpret_cast<const uint16_t*>(r.in[2]);
            } else {
                a.k_cache = f32(r.in[1]);
                a.v_cache = f32(r.in[2]);
            }
            a.out = f32(r.out[0]);
            a.m = m;
            a.pos0 = s.pos;
            a.n_heads = (int32_t)c.p[0];
            a.n_kv_heads = (int32_t)c.p[1];
            a.head_dim = (int32_t)c.p[2];
            a.max_ctx = (int32_t)c.p[3];
            a.scale = c.f0;
            a.window = (int32_t)c.k;
            a.softcap = c.f1;
            attention_->run(a, *pool_, scratch_);
            break;
        }
        case Op::Add:
            cpu_add(f32(r.in[0]), f32(r.in[1]), f32(r.out[0]), (int64_t)m * c.n);
            break;
        case Op::SwiGlu:
            elementwise_->swiglu(f32(r.in[0]), f32(r.in[1]), f32(r.out[0]), (int64_t)m * c.n, *pool_);
            break;
        case Op::GeluGlu:
            elementwise_->geglu(f32(r.in[0]), f32(r.in[1]), f32(r.out[0]), (int64_t)m * c.n, *pool_);
            break;
        case Op::AddBias:
            cpu_add_bias(f32(r.in[0]), f32(r.in[1]), f32(r.out[0]), m, c.n);
            break;
        case Op::Scale:
            cpu_scale(f32(r.in[0]), f32(r.out[0]), (int64_t)m * c.n, c.f0);
            break;
        case Op::SoftCap:
            cpu_softcap(f32(r.in[0]), f32(r.out[0]), (int64_t)m * c.n, c.f0);
            break;
        case Op::Argmax: {
            const int32_t tok = elementwise_->argmax(f32(r.in[0]), c.n);
            reinterpret_cast<int32_t*>(r.out[0])[0] = tok;
            if (r.out[1]) reinterpret_cast<int32_t*>(r.out[1])[s.step] = tok;
            break;
        }
        case Op::Count:
            break;
    }
}

void CpuBackend::rope(float* x, const float* factors, int32_t m, int32_t pos0, const Command& c) {
    const int32_t heads = (int32_t)c.p[0], head_dim = (int32_t)c.p[1], rope_dim = (int32_t)c.p[2];
    const int32_t style = (int32_t)c.p[3], half = rope_dim / 2;
    const float* cs = rope_table_.get(m, pos0, rope_dim, c.f0, factors, *pool_);
    pool_->parallel_for(m, 16, [&](int64_t b, int64_t e, int) {
        for (int64_t t = b; t < e; ++t) {
            const float* row = cs + (size_t)t * rope_dim;
            rope_rotate(x + (size_t)t * heads * head_dim, heads, head_dim, rope_dim, style, row, row + half);
        }
    });
}

size_t CpuBackend::execute_at(const DispatchTable& table, const std::vector<Resolved>& resolved, size_t i,
                              const RunState& s) {
    const int32_t g = resolved[i].group;
    if (g > 1) {
        execute_group(&table.commands[i], &resolved[i], g, s);
        return (size_t)g;
    }
    execute(table.commands[i], resolved[i], s);
    return 1;
}

void CpuBackend::run(const DispatchTable& table, const RunState& state) {
    const std::vector<Resolved>& resolved = resolved_for(table);
    for (size_t i = 0; i < table.size();) i += execute_at(table, resolved, i, state);
}

void CpuBackend::run_chain(const DispatchTable& table, const RunState& first, int32_t n_steps) {
    const std::vector<Resolved>& resolved = resolved_for(table);
    RunState s = first;
    for (int32_t step = 0; step < n_steps; ++step) {
        s.pos = first.pos + step;
        s.step = first.step + step;
        for (size_t i = 0; i < table.size();) i += execute_at(table, resolved, i, s);
    }
}

void CpuBackend::run_profiled(const DispatchTable& table, const RunState& state, double* ms_per_command) {
    const std::vector<Resolved>& resolved = resolved_for(table);
    using clock = std::chrono::steady_clock;
    for (size_t i = 0; i < table.size(); ++i) {
        const auto t0 = clock::now();
        execute(table.commands[i], resolved[i], state);
        ms_per_command[i] = std::chrono::duration<double, std::milli>(clock::now() - t0).count();
    }
}

}  // namespace akunu
