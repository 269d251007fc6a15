#include "plan/table_builder.h"

#include <cmath>
#include <string>

#include "core/error.h"

namespace akunu {
namespace {

BufRef ref(BufferId buf, uint64_t offset = 0) {
    BufRef r;
    r.buf = buf;
    r.offset = offset;
    return r;
}

class Builder {
public:
    explicit Builder(const TableInputs& in) : in_(in), c_(*in.config), a_(*in.act) {
        table_.max_tokens = in.max_tokens;
        kind_ = in.max_tokens > 1 ? "GEMM" : "GEMV";
    }

    DispatchTable build() {
        embed();
        for (uint32_t l = 0; l < c_.n_layers; ++l) layer(l);
        head();
        return std::move(table_);
    }

private:
    BufferId weight(const WeightView& w) const {
        auto it = in_.weight_buffers->find(w.data);
        if (it == in_.weight_buffers->end()) fail(ErrorKind::Internal, "plan", "no buffer for tensor " + w.name);
        return it->second;
    }

    static std::string prefix(int32_t layer) { return layer < 0 ? "" : "L" + std::to_string(layer) + " "; }

    void embed() {
        const WeightView& e = in_.weights->token_embd;
        Command cmd;
        cmd.op = Op::EmbedLookup;
        cmd.wtype = e.type;
        cmd.in[0] = ref(a_.tokens);
        cmd.in[1] = ref(weight(e));
        cmd.out[0] = ref(a_.x);
        cmd.k = c_.dim;
        const uint64_t row = dtype_row_bytes(e.type, e.cols);
        table_.add(cmd, {std::string("Embedding ") + dtype_name(e.type), -1, 0, row + c_.dim * 4ull, 0});
    }

    void rmsnorm(int32_t layer, const char* what, BufferId x, BufferId y, const WeightView& w, uint32_t width,
                 uint32_t rows_per_token, uint16_t flags = 0) {
        Command cmd;
        cmd.op = Op::RmsNorm;
        cmd.flags = flags;
        cmd.in[0] = ref(x);
        cmd.in[1] = ref(weight(w));
        cmd.out[0] = ref(y);
        cmd.k = width;
        cmd.p[0] = rows_per_token;
        cmd.f0 = c_.norm_eps;
        const uint64_t elems = (uint64_t)width * rows_per_token;
        table_.add(cmd, {prefix(layer) + "RMSNorm " + what, layer, w.bytes, elems * 8, elems * 4});
    }

    void matmul(int32_t layer, const char* what, const WeightView& w, BufferId x, BufferId y, uint16_t flags = 0) {
        Command cmd;
        cmd.op = Op::MatMul;
        cmd.wtype = w.type;
        cmd.flags = flags;
        cmd.in[0] = ref(weight(w));
        cmd.in[1] = ref(x);
        cmd.out[0] = ref(y);
        cmd.n = (uint32_t)w.rows;
        cmd.k = (uint32_t)w.cols;
        const char* kind = (flags & kSingleRow) ? "GEMV" : kind_;
        const uint64_t act = (uint64_t)w.cols * 4 + (uint64_t)w.rows * 4 * ((flags & kAccumulate) ? 2 : 1);
        table_.add(cmd, {prefix(layer) + kind + " " + what + " " + dtype_name(w.type), layer, w.bytes, act,
                         2ull * (uint64_t)w.rows * (uint64_t)w.cols});
    }

    void rope(int32_t layer, const char* what, BufferId x, uint32_t heads) {
        Command cmd;
        cmd.op = Op::Rope;
        cmd.out[0] = ref(x);
        cmd.p[0] = heads;
        cmd.p[1] = c_.head_dim;
        cmd.p[2] = c_.rope_dim;
        cmd.p[3] = (uint32_t)c_.rope_style;
        cmd.f0 = c_.rope_theta;
        const uint64_t elems = (uint64_t)heads * c_.head_dim;
        table_.add(cmd, {prefix(layer) + "RoPE " + what + " " + rope_style_name(c_.rope_style), layer, 0, elems * 8,
                         elems * 3});
    }

    void layer(uint32_t l) {
        const LayerWeights& w = in_.weights->layers[l];
        const int32_t L = (int32_t)l;
        const bool fuse = in_.device->fuse_residual_add;
        rmsnorm(L, "attn_norm", a_.x, a_.xn, w.attn_norm, c_.dim, 1);
        matmul(L, "attn_q", w.wq, a_.xn, a_.q);
        matmul(L, "attn_k", w.wk, a_.xn, a_.k);
        matmul(L, "attn_v", w.wv, a_.xn, a_.v);
        if (c_.has_qk_norm) {
            rmsnorm(L, "attn_q_norm", a_.q, a_.q, w.q_norm, c_.head_dim, c_.n_heads);
            rmsnorm(L, "attn_k_norm", a_.k, a_.k, w.k_norm, c_.head_dim, c_.n_kv_heads);
        }
        rope(L, "q", a_.q, c_.n_heads);
        rope(L, "k", a_.k, c_.n_kv_heads);

        Command store;
        store.op = Op::KvStore;
        store.in[0] = ref(a_.k);
        store.in[1] = ref(a_.v);
        store.out[0] = ref(in_.kv->k[l]);
        store.out[1] = ref(in_.kv->v[l]);
        store.p[0] = c_.n_kv_heads;
        store.p[1] = c_.head_dim;
        store.p[2] = in_.kv->max_ctx;
        const uint64_t kv_row = (uint64_t)c_.kv_dim() * 4;
        table_.add(store, {prefix(L) + "KV store", L, 0, kv_row * 4, 0});

        Command att;
        att.op = Op::Attention;
        att.in[0] = ref(a_.q);
        att.in[1] = ref(in_.kv->k[l]);
        att.in[2] = ref(in_.kv->v[l]);
        att.out[0] = ref(a_.attn);
        att.p[0] = c_.n_heads;
        att.p[1] = c_.n_kv_heads;
        att.p[2] = c_.head_dim;
        att.p[3] = in_.kv->max_ctx;
        att.f0 = (float)(1.0 / std::sqrt((double)c_.head_dim));
        // Per cached position: read K and V rows of every KV head; 4 flops per q-head element (QK, PV).
        table_.add(att, {prefix(L) + "Attention", L, 0, (uint64_t)c_.q_dim() * 8, 0, kv_row * 2});

        residual_matmul(L, "attn_output", w.wo, a_.attn, fuse);
        rmsnorm(L, "ffn_norm", a_.x, a_.xn, w.ffn_norm, c_.dim, 1);
        matmul(L, "ffn_gate", w.ffn_gate, a_.xn, a_.gate);
        matmul(L, "ffn_up", w.ffn_up, a_.xn, a_.up);

        Command act;
        act.op = Op::SwiGlu;
        act.in[0] = ref(a_.gate);
        act.in[1] = ref(a_.up);
        act.out[0] = ref(a_.gate);
        act.n = c_.ffn_dim;
        table_.add(act, {prefix(L) + "SwiGLU", L, 0, (uint64_t)c_.ffn_dim * 12, (uint64_t)c_.ffn_dim * 6});

        residual_matmul(L, "ffn_down", w.ffn_down, a_.gate, fuse);
    }

    // x += W · input: one accumulating MatMul, or MatMul into tmp then Add (the unfused oracle).
    void residual_matmul(int32_t layer, const char* what, const WeightView& w, BufferId input, bool fuse) {
        if (fuse) {
            matmul(layer, what, w, input, a_.x, kAccumulate);
            return;
        }
        matmul(layer, what, w, input, a_.tmp);
        Command add;
        add.op = Op::Add;
        add.in[0] = ref(a_.x);
        add.in[1] = ref(a_.tmp);
        add.out[0] = ref(a_.x);
        add.n = c_.dim;
        table_.add(add, {prefix(layer) + "Residual add", layer, 0, (uint64_t)c_.dim * 12, c_.dim});
    }

    void head() {
        // Only the last token's logits are needed, in decode and in prefill alike.
        rmsnorm(-1, "output_norm", a_.x, a_.xn, in_.weights->output_norm, c_.dim, 1, kLastRowOnly);
        matmul(-1, "output", in_.weights->output, a_.xn, a_.logits, kSingleRow);
        Command am;
        am.op = Op::Argmax;
        am.in[0] = ref(a_.logits);
        am.out[0] = ref(a_.tokens);
        am.out[1] = ref(a_.chain_out);
        am.n = c_.vocab_size;
        table_.add(am, {"Argmax", -1, 0, (uint64_t)c_.vocab_size * 4, c_.vocab_size});
    }

    const TableInputs& in_;
    const ModelConfig& c_;
    const ActivationBuffers& a_;
    const char* kind_;
    DispatchTable table_;
};

}  // namespace

DispatchTable build_forward_table(const TableInputs& in) {
    if (!in.config || !in.weights || !in.weight_buffers || !in.act || !in.kv || !in.device || in.max_tokens == 0) {
        fail(ErrorKind::Internal, "plan", "incomplete table inputs");
    }
    return Builder(in).build();
}

}  // namespace akunu
