#include "backend/cuda/cuda_backend.h"

#include <cuda_runtime.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "backend/cuda/cuda_check.h"
#include "backend/cuda/cuda_device_config.h"
#include "backend/cuda/cuda_graph_chain.h"
#include "backend/cuda/cuda_ops.h"
#include "core/error.h"

namespace akunu {

using cuda::DevState;

namespace {

constexpr size_t kAlignment = 256;

cudaStream_t as_stream(CUstream_st* s) { return s; }

}  // namespace

bool cuda_device_available(std::string* why) {
    int n = 0;
    const cudaError_t st = cudaGetDeviceCount(&n);
    if (st != cudaSuccess) {
        cudaGetLastError();
        if (why) *why = std::string("cudaGetDeviceCount: ") + cudaGetErrorString(st);
        return false;
    }
    if (n <= 0) {
        if (why) *why = "cudaGetDeviceCount found no CUDA device";
        return false;
    }
    return true;
}

std::unique_ptr<Backend> create_cuda_backend(const BackendOptions& options) {
    return std::make_unique<CudaBackend>(options);
}

CudaBackend::CudaBackend(const BackendOptions& options) {
    std::string why;
    if (!cuda_device_available(&why)) fail(ErrorKind::Unsupported, "cuda", "no usable GPU: " + why);
    AKUNU_CUDA_CHECK(cudaSetDevice(device_));
    const cuda::CudaDeviceInfo info = cuda::query_cuda_device(device_);
    sms_ = info.sms;
    config_ = cuda::cuda_device_config(info, options);
    exact_activations_ = options.exact_activations;
    if (const char* e = std::getenv("AKUNU_CUDA_NO_REPACK"); e && *e && std::string(e) != "0") repack_ = false;
    if (const char* e = std::getenv("AKUNU_CUDA_NO_GEMV_GROUP"); e && *e && std::string(e) != "0") gemv_group_ = false;
    cudaStream_t s = nullptr;
    AKUNU_CUDA_CHECK(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking));
    stream_ = s;
    AKUNU_CUDA_CHECK(cudaMalloc(&state_, sizeof(DevState)));
    AKUNU_CUDA_CHECK(cudaMallocHost(&state_host_, sizeof(DevState)));
    std::memset(state_host_, 0, sizeof(DevState));
    AKUNU_CUDA_CHECK(cudaMemsetAsync(state_, 0, sizeof(DevState), s));
    allocated_ += kAlignment;
}

CudaBackend::~CudaBackend() {
    // No throwing here: errors are ignored, everything is released.
    if (stream_) cudaStreamSynchronize(as_stream(stream_));
    for (auto& [table, p] : prepared_) cuda::destroy_step_graph(p.step_graph);
    for (CUevent_st* e : events_) cudaEventDestroy(e);
    for (Buffer& b : buffers_) cudaFree(b.ptr);
    if (attn_scratch_) cudaFree(attn_scratch_);
    if (q8_scratch_) cudaFree(q8_scratch_);
    for (auto& [src, pw] : packed_) cudaFree(pw.ptr);
    if (gemm_.w16) cudaFree(gemm_.w16);
    if (gemm_.x16) cudaFree(gemm_.x16);
    cuda::destroy_cublas_handle(gemm_.handle);
    if (state_) cudaFree(state_);
    if (state_host_) cudaFreeHost(state_host_);
    if (stream_) cudaStreamDestroy(as_stream(stream_));
    cudaGetLastError();
}

// ---------------------------------------------------------------- buffers

BufferId CudaBackend::create_buffer(size_t bytes, const char* name) {
    const size_t rounded = (std::max<size_t>(bytes, 1) + kAlignment - 1) / kAlignment * kAlignment;
    void* p = nullptr;
    const cudaError_t st = cudaMalloc(&p, rounded);
    if (st != cudaSuccess) {
        cudaGetLastError();
        fail(ErrorKind::OutOfMemory, "cuda", "cannot allocate " + std::to_string(bytes) + " bytes of GPU memory for '" +
                                                 name + "': " + cudaGetErrorString(st));
    }
    buffers_.push_back({static_cast<uint8_t*>(p), bytes, false, name});
    AKUNU_CUDA_CHECK(cudaMemsetAsync(p, 0, rounded, as_stream(stream_)));
    allocated_ += rounded;
    return (BufferId)(buffers_.size() - 1);
}

BufferId CudaBackend::import_weights(const void* host, size_t bytes, const char* name) {
    // The same host tensor imported twice (tied embeddings) shares one device copy.
    auto it = imported_.find(host);
    if (it != imported_.end() && buffers_[it->second].size >= bytes) return it->second;
    void* p = nullptr;
    const cudaError_t st = cudaMalloc(&p, std::max<size_t>(bytes, 1));
    if (st != cudaSuccess) {
        cudaGetLastError();
        fail(ErrorKind::OutOfMemory, "cuda", "cannot allocate " + std::to_string(bytes) + " bytes of GPU memory for weight '" +
                                                 name + "': " + cudaGetErrorString(st));
    }
    buffers_.push_back({static_cast<uint8_t*>(p), bytes, true, name});
    const BufferId id = (BufferId)(buffers_.size() - 1);
    if (bytes > 0) {
        AKUNU_CUDA_CHECK(cudaMemcpyAsync(p, host, bytes, cudaMemcpyHostToDevice, as_stream(stream_)));
        synchronize();  // the host memory is the caller's; the copy must be done when we return
    }
    imported_[host] = id;
    return id;
}

void CudaBackend::check_range(BufferId buf, size_t offset, size_t bytes, const char* what) const {
    if (buf >= buffers_.size() || offset > buffers_[buf].size || bytes > buffers_[buf].size - offset) {
        fail(ErrorKind::Internal, "cuda", std::string(what) + " out of range of buffer " + std::to_string(buf));
    }
}

void CudaBackend::write(BufferId buf, size_t offset, const void* src, size_t bytes) {
    check_range(buf, offset, bytes, "write");
    if (bytes == 0) return;
    if (buffers_[buf].imported) drop_packed(buf);  // a packed copy of these weights would go stale
    AKUNU_CUDA_CHECK(cudaMemcpyAsync(buffers_[buf].ptr + offset, src, bytes, cudaMemcpyHostToDevice, as_stream(stream_)));
    synchronize();
}

void CudaBackend::read(BufferId buf, size_t offset, void* dst, size_t bytes) {
    check_range(buf, offset, bytes, "read");
    if (bytes == 0) return;
    AKUNU_CUDA_CHECK(cudaMemcpyAsync(dst, buffers_[buf].ptr + offset, bytes, cudaMemcpyDeviceToHost, as_stream(stream_)));
    synchronize();
}

void CudaBackend::synchronize() { AKUNU_CUDA_CHECK(cudaStreamSynchronize(as_stream(stream_))); }

// ---------------------------------------------------------------- tables

void CudaBackend::validate(const Command& c, const Resolved& r, const std::string& label) const {
    auto unsupported = [&](const std::string& what) { fail(ErrorKind::Unsupported, "cuda", label + ": " + what); };
    switch (c.op) {
        case Op::EmbedLookup:
        case Op::MatMul: {
            if (!cuda::cuda_supports_weight_type(c.wtype)) unsupported(std::string("weight type ") + dtype_name(c.wtype));
            const uint8_t* w = c.op == Op::MatMul ? r.in[0] : r.in[1];
            // The kernels load blocks with the widest access their size allows (dequant.cuh).
            if (((uintptr_t)w & 15u) != 0) unsupported("weights not 16-byte aligned");
            const uint32_t block = dtype_traits(c.wtype).block_size;
            if (c.k % block != 0) unsupported("k " + std::to_string(c.k) + " not a multiple of the block size");
            break;
        }
        case Op::Attention:
            if (!cuda::attention_shape_supported((int)c.p[0], (int)c.p[1], (int)c.p[2])) {
                unsupported("attention shape (heads " + std::to_string(c.p[0]) + ", kv heads " + std::to_string(c.p[1]) +
                            ", head_dim " + std::to_string(c.p[2]) + ")");
            }
            if (c.wtype != DType::F32 && c.wtype != DType::F16) unsupported(std::string("KV cache type ") + dtype_name(c.wtype));
            break;
        case Op::KvStore:
            if (c.wtype != DType::F32 && c.wtype != DType::F16) unsupported(std::string("KV cache type ") + dtype_name(c.wtype));
            break;
        case Op::Rope:
            if (c.p[2] > c.p[1] || c.p[2] % 2 != 0) unsupported("rope_dim " + std::to_string(c.p[2]));
            break;
        case Op::RmsNorm:
        case Op::Add:
        case Op::SwiGlu:
        case Op::Argmax:
        case Op::AddBias:
        case Op::GeluGlu:
        case Op::Scale:
        case Op::SoftCap:
            break;
        case Op::Count:
            fail(ErrorKind::Internal, "cuda", "unknown op in " + label);
    }
}

void CudaBackend::prepare(const DispatchTable& table) {
    if (table.max_tokens > 65535) {
        fail(ErrorKind::Unsupported, "cuda", "tables of more than 65535 tokens per run (" +
                                                 std::to_string(table.max_tokens) + ")");
    }
    Prepared p;
    p.resolved.resize(table.size());
    for (size_t i = 0; i < table.size(); ++i) {
        const Command& c = table.commands[i];
        const std::string& label = table.info[i].label;
        auto resolve = [&](const BufRef& ref) -> uint8_t* {
            if (ref.buf == kNoBuffer) return nullptr;
            check_range(ref.buf, ref.offset, 0, label.c_str());
            return buffers_[ref.buf].ptr + ref.offset;
        };
        for (int j = 0; j < 3; ++j) p.resolved[i].in[j] = resolve(c.in[j]);
        for (int j = 0; j < 2; ++j) p.resolved[i].out[j] = resolve(c.out[j]);
        validate(c, p.resolved[i], label);
    }
    find_fusions(table, p);
    // Decode attention's scratch: grown here (never while running). Captured graphs hold the old
    // address, so they are dropped and captured again on their next run.
    size_t scratch = 0;
    for (const Command& c : table.commands) {
        if (c.op == Op::Attention) {
            scratch = std::max(scratch, cuda::attention_scratch_bytes((int)c.p[0], (int)c.p[1], (int)c.p[2], (int)c.p[3]));
        }
    }
    if (scratch > attn_scratch_bytes_) {
        synchronize();
        for (auto& [t, prep] : prepared_) {
            cuda::destroy_step_graph(prep.step_graph);
            prep.step_graph = nullptr;
        }
        if (attn_scratch_) cudaFree(attn_scratch_);
        allocated_ -= attn_scratch_bytes_;
        attn_scratch_ = nullptr;
        attn_scratch_bytes_ = 0;
        const cudaError_t st = cudaMalloc(&attn_scratch_, scratch);
        if (st != cudaSuccess) {
            cudaGetLastError();
            attn_scratch_ = nullptr;
            fail(ErrorKind::OutOfMemory, "cuda", "cannot allocate " + std::to_string(scratch) +
                                                     " bytes of attention scratch: " + cudaGetErrorString(st));
        }
        AKUNU_CUDA_CHECK(cudaMemsetAsync(attn_scratch_, 0, scratch, as_stream(stream_)));
        attn_scratch_bytes_ = scratch;
        allocated_ += scratch;
    }
    reserve_gemm_scratch(table);
    reserve_q8_scratch(table);
    pack_weights(table, p);
    // Two events per command for run_profiled, made now so that profiling allocates nothing.
    while (events_.size() < 2 * table.size()) {
        cudaEvent_t e = nullptr;
        AKUNU_CUDA_CHECK(cudaEventCreate(&e));
        events_.push_back(e);
    }
    auto it = prepared_.find(&table);
    if (it != prepared_.end()) {
        cuda::destroy_step_graph(it->second.step_graph);
        it->second = std::move(p);
    } else {
        prepared_.emplace(&table, std::move(p));
    }
}

// The fast prefill path's f16 scratch: the largest multi-row MatMul's weight and activations. When
// the memory is not there the path stays off and the tiled kernel runs instead (same results class,
// slower), so a tight memory budget never turns into a failure here. Graphs never use it (they run
// M = 1), so growing it needs no re-capture.
void CudaBackend::reserve_gemm_scratch(const DispatchTable& table) {
    if (exact_activations_ || table.max_tokens < (uint32_t)cuda::kCublasMinRows) return;
    size_t w_need = 0, x_need = 0;
    for (const Command& c : table.commands) {
        if (c.op != Op::MatMul || (c.flags & (kSingleRow | kLastRowOnly))) continue;
        w_need = std::max(w_need, cuda::gemm_cublas_weight_scratch((int)c.n, (int)c.k));
        x_need = std::max(x_need, cuda::gemm_cublas_act_scratch((int)table.max_tokens, (int)c.k));
    }
    if (w_need == 0) return;
    if (!gemm_.handle) {
        try {
            gemm_.handle = cuda::create_cublas_handle();
        } catch (const Error&) {
            return;  // no cuBLAS: the tiled kernel serves
        }
    }
    auto grow = [&](uint8_t*& p, size_t& have, size_t need) {
        if (need <= have) return true;
        synchronize();
        if (p) cudaFree(p);
        allocated_ -= have;
        p = nullptr;
        have = 0;
        void* q = nullptr;
        if (cudaMalloc(&q, need) != cudaSuccess) {
            cudaGetLastError();
            return false;
        }
        p = static_cast<uint8_t*>(q);
        have = need;
        allocated_ += need;
        return true;
    };
    if (!grow(gemm_.w16, gemm_.w16_bytes, w_need) || !grow(gemm_.x16, gemm_.x16_bytes, x_need)) {
        cuda::destroy_cublas_handle(gemm_.handle);
        gemm_.handle = nullptr;
    }
}

void CudaBackend::drop_graphs() {
    synchronize();
    for (auto& [t, prep] : prepared_) {
        cuda::destroy_step_graph(prep.step_graph);
        prep.step_graph = nullptr;
    }
}

// The dp4a GEMV's activation scratch, for the widest MatMul input of any table. Captured graphs
// hold its address, so growing it drops them (captured again on their next run).
void CudaBackend::reserve_q8_scratch(const DispatchTable& table) {
    if (exact_activations_) return;
    size_t need = 0;
    for (const Command& c : table.commands) {
        if (c.op == Op::MatMul) need = std::max(need, cuda::q8_activation_bytes((int)c.k));
    }
    if (need <= q8_scratch_bytes_) return;
    drop_graphs();
    if (q8_scratch_) cudaFree(q8_scratch_);
    allocated_ -= q8_scratch_bytes_;
    q8_scratch_ = nullptr;
    q8_scratch_bytes_ = 0;
    void* p = nullptr;
    const cudaError_t st = cudaMalloc(&p, need);
    if (st != cudaSuccess) {
        cudaGetLastError();
        fail(ErrorKind::OutOfMemory, "cuda", "cannot allocate " + std::to_string(need) +
                                                 " bytes of quantized-activation scratch: " + cudaGetErrorString(st));
    }
    q8_scratch_ = static_cast<uint8_t*>(p);
    q8_scratch_bytes_ = need;
    allocated_ += need;
}

// The fast decode GEMV's packed copies (gemv_q_packed.cu) of every eligible single-token MatMul
// weight of the table. A copy doubles those weights' memory, so it is made only while at least
// 1 GiB + 5% of the device stays free afterwards; a weight without one runs the GGUF-layout dp4a
// kernel (same results). Made once per weight tensor, shared by every table that reads it.
void CudaBackend::pack_weights(const DispatchTable& table, const Prepared& p) {
    if (exact_activations_ || !repack_ || table.max_tokens != 1) return;
    for (size_t i = 0; i < table.size(); ++i) {
        const Command& c = table.commands[i];
        const uint8_t* w = p.resolved[i].in[0];
        if (c.op != Op::MatMul || !cuda::packed_gemv_eligible(c.wtype, (int)c.k, w) || packed_.count(w)) {
            continue;
        }
        const size_t bytes = cuda::packed_weight_bytes(c.wtype, (int)c.n, (int)c.k);
        size_t free_b = 0, total_b = 0;
        AKUNU_CUDA_CHECK(cudaMemGetInfo(&free_b, &total_b));
        if (free_b < bytes + (size_t(1) << 30) + total_b / 20) return;
        void* dst = nullptr;
        if (cudaMalloc(&dst, bytes) != cudaSuccess) {
            cudaGetLastError();
            return;
        }
        cuda::launch_repack_weights(c.wtype, w, static_cast<uint8_t*>(dst), (int)c.n, (int)c.k, as_stream(stream_));
        packed_[w] = {static_cast<uint8_t*>(dst), bytes, c.in[0].buf};
        allocated_ += bytes;
    }
    synchronize();
}

void CudaBackend::drop_packed(BufferId source) {
    bool any = false;
    for (auto it = packed_.begin(); it != packed_.end();) {
        if (it->second.source != source) {
            ++it;
            continue;
        }
        if (!any) synchronize();  // no kernel may still read it
        any = true;
        cudaFree(it->second.ptr);
        allocated_ -= it->second.bytes;
        it = packed_.erase(it);
    }
    if (any) drop_graphs();  // captured graphs hold the packed addresses
}

CudaBackend::Prepared& CudaBackend::prepared_for(const DispatchTable& table) {
    auto it = prepared_.find(&table);
    if (it == prepared_.end() || it->second.resolved.size() != table.size()) {
        fail(ErrorKind::Internal, "cuda", "dispatch table run before prepare()");
    }
    return it->second;
}

void CudaBackend::upload_state(const RunState& s) {
    if (s.n_tokens < 1) fail(ErrorKind::InvalidArgument, "cuda", "run of " + std::to_string(s.n_tokens) + " tokens");
    // The pinned source is rewritten only after the previous run synchronised, so the async copy
    // always sees the value written here.
    state_host_->pos = s.pos;
    state_host_->n_tokens = s.n_tokens;
    state_host_->step = s.step;
    state_host_->pad = 0;
    AKUNU_CUDA_CHECK(cudaMemcpyAsync(state_, state_host_, sizeof(DevState), cudaMemcpyHostToDevice, as_stream(stream_)));
}

// A command that writes the buffer the q8 scratch was quantized from makes it stale.
void CudaBackend::note_writes(const Command& c) {
    for (const BufRef& o : c.out) {
        if (o.buf != kNoBuffer && o.buf == q8_buf_) q8_src_ = nullptr;
    }
}

// Runs the fused kernels replace (only exact matches of the table builder's sequences; anything
// else runs command by command). [RmsNorm q (per head, in place)][RmsNorm k] Rope q, Rope k, KvStore
// of k and the V projection: one kernel (qk_rope_store.cu).
void CudaBackend::find_fusions(const DispatchTable& table, Prepared& p) const {
    const size_t n = table.size();
    p.group.assign(n, 1);
    p.qk_rope_store.assign(n, cuda::QkRopeStore{});
    const auto& cmd = table.commands;
    auto same = [](const BufRef& a, const BufRef& b) { return a.buf == b.buf && a.offset == b.offset; };
    p.gemv_group.assign(n, 1);
    for (size_t i = 0; i < n;) {
        const Command& a = cmd[i];
        size_t g = 1;
        const bool dense = a.wtype == DType::F32 || a.wtype == DType::F16 || a.wtype == DType::BF16;
        if (a.op == Op::MatMul && a.flags == 0 && (cuda::packed_gemv_type(a.wtype) || dense)) {
            const size_t max_group = dense ? (size_t)cuda::kMaxDenseGroup : (size_t)cuda::kMaxPackedGroup;
            while (i + g < n && g < max_group) {
                const Command& b = cmd[i + g];
                if (b.op != Op::MatMul || b.flags != 0 || b.wtype != a.wtype || b.k != a.k || !same(b.in[1], a.in[1])) break;
                ++g;
            }
        }
        p.gemv_group[i] = (uint8_t)g;
        i += g;
    }
    for (size_t i = 0; i < n; ++i) {
        size_t j = i;
        const Command* nq = nullptr;
        const Command* nk = nullptr;
        if (j + 1 < n && cmd[j].op == Op::RmsNorm && cmd[j + 1].op == Op::RmsNorm) {
            nq = &cmd[j];
            nk = &cmd[j + 1];
            j += 2;
        }
        if (j + 2 >= n || cmd[j].op != Op::Rope || cmd[j + 1].op != Op::Rope || cmd[j + 2].op != Op::KvStore) continue;
        const Command& rq = cmd[j];
        const Command& rk = cmd[j + 1];
        const Command& st = cmd[j + 2];
        bool ok = rq.flags == 0 && rk.flags == 0 && st.flags == 0 && rq.p[1] == rk.p[1] && rq.p[2] == rk.p[2] &&
                  rq.p[3] == rk.p[3] && rq.f0 == rk.f0 && same(rq.in[0], rk.in[0]) && same(st.in[0], rk.out[0]) &&
                  st.p[0] == rk.p[0] &&
                  st.p[1] == rq.p[1] && rq.p[1] <= 1024 && !same(rq.out[0], rk.out[0]);
        if (ok && nq) {
            ok = nq->flags == 0 && nk->flags == 0 && same(nq->in[0], rq.out[0]) && same(nq->out[0], rq.out[0]) &&
                 same(nk->in[0], rk.out[0]) && same(nk->out[0], rk.out[0]) && nq->k == rq.p[1] && nk->k == rq.p[1] &&
                 nq->p[0] == rq.p[0] && nk->p[0] == rk.p[0] && nq->f0 == nk->f0;
        }
        if (!ok) continue;
        const Resolved& r = p.resolved[j];
        cuda::QkRopeStore f;
        f.q = reinterpret_cast<float*>(r.out[0]);
        f.k = reinterpret_cast<float*>(p.resolved[j + 1].out[0]);
        f.v = reinterpret_cast<const float*>(p.resolved[j + 2].in[1]);
        if (nq) {
            f.q_norm = reinterpret_cast<const float*>(p.resolved[i].in[1]);
            f.k_norm = reinterpret_cast<const float*>(p.resolved[i + 1].in[1]);
            f.eps = nq->f0;
        }
        f.k_cache = p.resolved[j + 2].out[0];
        f.v_cache = p.resolved[j + 2].out[1];
        f.kv_type = st.wtype;
        f.heads = (int)rq.p[0];
        f.kv_heads = (int)rk.p[0];
        f.head_dim = (int)rq.p[1];
        f.rope_dim = (int)rq.p[2];
        f.style = (int)rq.p[3];
        f.theta = rq.f0;
        f.freq_factors = reinterpret_cast<const float*>(r.in[0]);
        f.max_ctx = (int)st.p[2];
        p.group[i] = (uint8_t)(j + 3 - i);
        p.qk_rope_store[i] = f;
        i = j + 2;
    }
}

void CudaBackend::enqueue(const Command& c, const Resolved& r, const RunState& s) {
    cuda::OpLaunch l;
    l.cmd = &c;
    for (int j = 0; j < 3; ++j) l.in[j] = r.in[j];
    for (int j = 0; j < 2; ++j) l.out[j] = r.out[j];
    const bool last_row = (c.flags & kLastRowOnly) != 0;
    l.m = (last_row || (c.flags & kSingleRow)) ? 1 : s.n_tokens;
    l.skip_rows = last_row ? s.n_tokens - 1 : 0;
    l.state = state_;
    l.stream = as_stream(stream_);
    l.attn_scratch = attn_scratch_;
    l.attn_scratch_bytes = attn_scratch_bytes_;
    l.exact_activations = exact_activations_;
    l.gemm = gemm_;
    l.q8_scratch = q8_scratch_;
    if (c.op == Op::MatMul && !exact_activations_ && l.m == 1 && q8_scratch_ &&
        (cuda::dp4a_gemv_eligible(c.wtype, (int)c.k, r.in[0]) || packed_.count(r.in[0]))) {
        const uint8_t* x = r.in[1] + (size_t)l.skip_rows * c.k * sizeof(float);
        l.q8_fresh = x == q8_src_ && c.k == q8_k_;
        q8_src_ = x;
        q8_k_ = c.k;
        q8_buf_ = c.in[1].buf;
        auto pw = packed_.find(r.in[0]);
        if (pw != packed_.end()) l.packed_w = pw->second.ptr;
    }
    note_writes(c);
    switch (c.op) {
        case Op::EmbedLookup: cuda::launch_embed_lookup(l); break;
        case Op::RmsNorm: cuda::launch_rmsnorm(l); break;
        case Op::MatMul: cuda::launch_matmul(l); break;
        case Op::Rope: cuda::launch_rope(l); break;
        case Op::KvStore: cuda::launch_kv_store(l); break;
        case Op::Attention: cuda::launch_attention(l); break;
        case Op::Add: cuda::launch_add(l); break;
        case Op::SwiGlu: cuda::launch_swiglu(l); break;
        case Op::Argmax: cuda::launch_argmax(l); break;
        case Op::AddBias: cuda::launch_add_bias(l); break;
        case Op::GeluGlu: cuda::launch_geglu(l); break;
        case Op::Scale: cuda::launch_scale(l); break;
        case Op::SoftCap: cuda::launch_softcap(l); break;
        case Op::Count: break;
    }
}

// q/k/v or gate/up as one packed GEMV launch; false (nothing enqueued) unless every member is a
// single-token fast-path GEMV with packed weights.
bool CudaBackend::enqueue_packed_group(const DispatchTable& table, const Prepared& p, size_t first) {
    const size_t g = p.gemv_group[first];
    const Command& c0 = table.commands[first];
    if (exact_activations_ || !q8_scratch_ || !gemv_group_) return false;
    cuda::PackedGemv mats[cuda::kMaxPackedGroup];
    for (size_t j = 0; j < g; ++j) {
        const Resolved& r = p.resolved[first + j];
        auto pw = packed_.find(r.in[0]);
        if (pw == packed_.end()) return false;
        mats[j] = {pw->second.ptr, reinterpret_cast<float*>(r.out[0]), (int)table.commands[first + j].n};
    }
    const uint8_t* x = p.resolved[first].in[1];
    const cuda::Q8Activations a = cuda::q8_activations_at(q8_scratch_, (int)c0.k);
    if (!(x == q8_src_ && c0.k == q8_k_)) {
        cuda::launch_quantize_q8(reinterpret_cast<const float*>(x), a, (int)c0.k, as_stream(stream_));
    }
    q8_src_ = x;
    q8_k_ = c0.k;
    q8_buf_ = c0.in[1].buf;
    cuda::launch_gemv_q_packed(c0.wtype, mats, (int)g, a, (int)c0.k, false, as_stream(stream_));
    for (size_t j = 0; j < g; ++j) note_writes(table.commands[first + j]);
    return true;
}

// q/k/v or gate/up with F32 / F16 / BF16 weights as one dense GEMV launch (no activation rounding,
// so in exact mode too); false (nothing enqueued) where the dense kernel's conditions fail.
bool CudaBackend::enqueue_dense_group(const DispatchTable& table, const Prepared& p, size_t first) {
    const size_t g = p.gemv_group[first];
    const Command& c0 = table.commands[first];
    if (!gemv_group_ || g > (size_t)cuda::kMaxDenseGroup) return false;
    cuda::DenseGemv mats[cuda::kMaxDenseGroup] = {};
    for (size_t j = 0; j < g; ++j) {
        const Resolved& r = p.resolved[first + j];
        mats[j] = {r.in[0], reinterpret_cast<float*>(r.out[0]), (int)table.commands[first + j].n};
    }
    const float* x = reinterpret_cast<const float*>(p.resolved[first].in[1]);
    if (!cuda::launch_gemv_float_group(c0.wtype, mats, (int)g, x, (int)c0.k, as_stream(stream_))) return false;
    for (size_t j = 0; j < g; ++j) note_writes(table.commands[first + j]);
    return true;
}

void CudaBackend::enqueue_table(const DispatchTable& table, const Prepared& p, const RunState& s) {
    q8_src_ = nullptr;
    for (size_t i = 0; i < table.size(); ++i) {
        if (p.gemv_group[i] > 1 && s.n_tokens == 1 &&
            (enqueue_packed_group(table, p, i) || enqueue_dense_group(table, p, i))) {
            i += p.gemv_group[i] - 1;
            continue;
        }
        if (p.group[i] > 1) {
            cuda::launch_qk_rope_store(p.qk_rope_store[i], s.n_tokens, state_, as_stream(stream_));
            for (size_t g = 0; g < p.group[i]; ++g) note_writes(table.commands[i + g]);
            i += p.group[i] - 1;
            continue;
        }
        enqueue(table.commands[i], p.resolved[i], s);
    }
}

CUgraphExec_st* CudaBackend::step_graph(const DispatchTable& table, Prepared& p) {
    if (!p.step_graph) {
        RunState one;  // the captured kernels run with M = 1; pos and step come from the device state
        one.n_tokens = 1;
        p.step_graph = cuda::capture_step_graph(as_stream(stream_), state_, [&] { enqueue_table(table, p, one); });
    }
    return p.step_graph;
}

void CudaBackend::run(const DispatchTable& table, const RunState& state) {
    Prepared& p = prepared_for(table);
    if (state.n_tokens == 1) {
        // One decode step: the chain's graph run once (its trailing advance node is harmless,
        // every run uploads its state first).
        CUgraphExec_st* g = step_graph(table, p);
        upload_state(state);
        cuda::launch_step_graph(g, as_stream(stream_), 1);
    } else {
        upload_state(state);
        enqueue_table(table, p, state);
    }
    synchronize();
}

void CudaBackend::run_chain(const DispatchTable& table, const RunState& first, int32_t n_steps) {
    Prepared& p = prepared_for(table);
    if (n_steps <= 0) return;
    if (first.n_tokens == 1) {
        CUgraphExec_st* g = step_graph(table, p);
        upload_state(first);
        cuda::launch_step_graph(g, as_stream(stream_), n_steps);
    } else {
        // Chains of several tokens per step are not a decode path; replay eagerly, same semantics.
        upload_state(first);
        for (int32_t i = 0; i < n_steps; ++i) {
            enqueue_table(table, p, first);
            cuda::launch_advance_state(state_, as_stream(stream_));
        }
    }
    synchronize();
}

void CudaBackend::run_profiled(const DispatchTable& table, const RunState& state, double* ms_per_command) {
    Prepared& p = prepared_for(table);
    const cudaStream_t s = as_stream(stream_);
    upload_state(state);
    q8_src_ = nullptr;
    for (size_t i = 0; i < table.size(); ++i) {
        AKUNU_CUDA_CHECK(cudaEventRecord(events_[2 * i], s));
        enqueue(table.commands[i], p.resolved[i], state);
        AKUNU_CUDA_CHECK(cudaEventRecord(events_[2 * i + 1], s));
    }
    synchronize();
    for (size_t i = 0; i < table.size(); ++i) {
        float ms = 0.0f;
        AKUNU_CUDA_CHECK(cudaEventElapsedTime(&ms, events_[2 * i], events_[2 * i + 1]));
        ms_per_command[i] = ms;
    }
}

// ---------------------------------------------------------------- bandwidth

double CudaBackend::measure_read_bandwidth_gbs() {
    // 2 GiB (40x the H100's L2), less where memory is short; best of 5 timed passes after a warm-up.
    size_t free_b = 0, total_b = 0;
    AKUNU_CUDA_CHECK(cudaMemGetInfo(&free_b, &total_b));
    size_t bytes = size_t(2) << 30;
    while (bytes > (size_t(64) << 20) && bytes > free_b / 2) bytes /= 2;
    void* buf = nullptr;
    unsigned long long* sink = nullptr;
    cudaEvent_t e0 = nullptr, e1 = nullptr;
    const cudaStream_t s = as_stream(stream_);
    double best = 0;
    try {
        AKUNU_CUDA_CHECK(cudaMalloc(&buf, bytes));
        AKUNU_CUDA_CHECK(cudaMalloc(&sink, sizeof(unsigned long long)));
        AKUNU_CUDA_CHECK(cudaMemsetAsync(buf, 0, bytes, s));
        AKUNU_CUDA_CHECK(cudaMemsetAsync(sink, 0, sizeof(unsigned long long), s));
        AKUNU_CUDA_CHECK(cudaEventCreate(&e0));
        AKUNU_CUDA_CHECK(cudaEventCreate(&e1));
        cuda::launch_read_probe(buf, bytes, sink, sms_, s);  // warm-up
        for (int pass = 0; pass < 5; ++pass) {
            AKUNU_CUDA_CHECK(cudaEventRecord(e0, s));
            cuda::launch_read_probe(buf, bytes, sink, sms_, s);
            AKUNU_CUDA_CHECK(cudaEventRecord(e1, s));
            AKUNU_CUDA_CHECK(cudaEventSynchronize(e1));
            float ms = 0.0f;
            AKUNU_CUDA_CHECK(cudaEventElapsedTime(&ms, e0, e1));
            if (ms > 0) best = std::max(best, (double)bytes / (ms * 1e-3) / 1e9);
        }
    } catch (...) {
        cudaStreamSynchronize(s);
        if (e0) cudaEventDestroy(e0);
        if (e1) cudaEventDestroy(e1);
        cudaFree(buf);
        cudaFree(sink);
        cudaGetLastError();
        throw;
    }
    cudaEventDestroy(e0);
    cudaEventDestroy(e1);
    cudaFree(buf);
    cudaFree(sink);
    return best;
}

}  // namespace akunu
