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
        if (c_.embed_scale != 1.0f) elementwise(-1, "Embedding scale", Op::Scale, a_.x, kNoBuffer, a_.x, c_.dim, c_.embed_scale);
    }

    // A per-element op over M rows of width n (in1 unused by Scale / SoftCap; AddBias: in1 is one row).
    void elementwise(int32_t layer, const std::string& label, Op op, BufferId in0, BufferId in1, BufferId out,
                     uint32_t n, float f0 = 0.0f, uint16_t flags = 0) {
        Command cmd;
        cmd.op = op;
        cmd.flags = flags;
        cmd.in[0] = ref(in0);
        if (in1 != kNoBuffer) cmd.in[1] = ref(in1);
        cmd.out[0] = ref(out);
        cmd.n = n;
        cmd.f0 = f0;
        const uint64_t operands = in1 == kNoBuffer || op == Op::AddBias ? 2 : 3;
        // Per element: silu ~6 flops (exp counted as a few), GELU-tanh ~9, tanh-cap ~6, the rest 1.
        const uint64_t per = op == Op::SwiGlu ? 6 : op == Op::GeluGlu ? 9 : op == Op::SoftCap ? 6 : 1;
        const uint64_t flops = per * n;
        table_.add(cmd, {prefix(layer) + label, layer, 0, operands * n * 4, flops});
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
        if (in_.weights->rope_freqs.present()) cmd.in[0] = ref(weight(in_.weights->rope_freqs));
        cmd.p[0] = heads;
        cmd.p[1] = c_.head_dim;
        cmd.p[2] = c_.rope_dim;
        cmd.p[3] = (uint32_t)c_.rope_style;
        cmd.f0 = c_.layer_rope_theta((uint32_t)layer);
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
        // After all three projections, so that the CPU still runs them as one group on xn.
        if (c_.has_qkv_bias) {
            elementwise(L, "Bias q", Op::AddBias, a_.q, weight(w.bq), a_.q, c_.q_dim());
            elementwise(L, "Bias k", Op::AddBias, a_.k, weight(w.bk), a_.k, c_.kv_dim());
            elementwise(L, "Bias v", Op::AddBias, a_.v, weight(w.bv), a_.v, c_.kv_dim());
        }
        if (c_.has_qk_norm) {
            rmsnorm(L, "attn_q_norm", a_.q, a_.q, w.q_norm, c_.head_dim, c_.n_heads);
            rmsnorm(L, "attn_k_norm", a_.k, a_.k, w.k_norm, c_.head_dim, c_.n_kv_heads);
        }
        rope(L, "q", a_.q, c_.n_heads);
        rope(L, "k", a_.k, c_.n_kv_heads);

        const DType kvt = in_.kv->dtype;
        const uint64_t kv_row = dtype_row_bytes(kvt, c_.kv_dim());  // one position of K (or V) in the cache
        Command store;
        store.op = Op::KvStore;
        store.wtype = kvt;
        store.in[0] = ref(a_.k);
        store.in[1] = ref(a_.v);
        store.out[0] = ref(in_.kv->k[l]);
        store.out[1] = ref(in_.kv->v[l]);
        store.p[0] = c_.n_kv_heads;
        store.p[1] = c_.head_dim;
        store.p[2] = in_.kv->max_ctx;
        // Reads k and v (f32), writes one row of each cache.
        table_.add(store, {prefix(L) + "KV store", L, 0, (uint64_t)c_.kv_dim() * 8 + kv_row * 2, 0});

        Command att;
        att.op = Op::Attention;
        att.wtype = kvt;
        att.in[0] = ref(a_.q);
        att.in[1] = ref(in_.kv->k[l]);
        att.in[2] = ref(in_.kv->v[l]);
        att.out[0] = ref(a_.attn);
        att.p[0] = c_.n_heads;
        att.p[1] = c_.n_kv_heads;
        att.p[2] = c_.head_dim;
        att.p[3] = in_.kv->max_ctx;
        att.f0 = c_.attention_scale();
        att.f1 = c_.attn_softcap;
        const bool sliding = c_.is_sliding(l);
        att.k = sliding ? c_.sliding_window : 0;
        // Per cached position: read K and V rows of every KV head; 4 flops per q-head element (QK, PV).
        table_.add(att, {prefix(L) + (sliding ? "Attention (sliding window)" : "Attention"), L, 0,
                         (uint64_t)c_.q_dim() * 8, 0, kv_row * 2});

        block_output(L, "attn_output", w.wo, a_.attn, w.post_attn_norm, fuse);
        rmsnorm(L, "ffn_norm", a_.x, a_.xn, w.ffn_norm, c_.dim, 1);
        matmul(L, "ffn_gate", w.ffn_gate, a_.xn, a_.gate);
        matmul(L, "ffn_up", w.ffn_up, a_.xn, a_.up);
        const bool gelu = c_.activation == Activation::GeluTanhGated;
        elementwise(L, activation_name(c_.activation), gelu ? Op::GeluGlu : Op::SwiGlu, a_.gate, a_.up, a_.gate,
                    c_.ffn_dim);
        block_output(L, "ffn_down", w.ffn_down, a_.gate, w.post_ffn_norm, fuse);
    }

    // x += [post_norm](W · input). A post norm sits between the projection and the add, so that
    // path cannot fuse the add into the MatMul.
    void block_output(int32_t layer, const char* what, const WeightView& w, BufferId input, const WeightView& post_norm,
                      bool fuse) {
        if (!post_norm.present()) {
            residual_matmul(layer, what, w, input, fuse);
            return;
        }
        matmul(layer, what, w, input, a_.tmp);
        rmsnorm(layer, (std::string("post_") + what + "_norm").c_str(), a_.tmp, a_.tmp, post_norm, c_.dim, 1);
        residual_add(layer);
    }

    void residual_add(int32_t layer) {
        Command add;
        add.op = Op::Add;
        add.in[0] = ref(a_.x);
        add.in[1] = ref(a_.tmp);
        add.out[0] = ref(a_.x);
        add.n = c_.dim;
        table_.add(add, {prefix(layer) + "Residual add", layer, 0, (uint64_t)c_.dim * 12, c_.dim});
    }

    // x += W · input: one accumulating MatMul, or MatMul into tmp then Add (the unfused oracle).
    void residual_matmul(int32_t layer, const char* what, const WeightView& w, BufferId input, bool fuse) {
        if (fuse) {
            matmul(layer, what, w, input, a_.x, kAccumulate);
            return;
        }
        matmul(layer, what, w, input, a_.tmp);
        residual_add(layer);
    }

    void head() {
        // Only the last token's logits are needed, in decode and in prefill alike.
        rmsnorm(-1, "output_norm", a_.x, a_.xn, in_.weights->output_norm, c_.dim, 1, kLastRowOnly);
        matmul(-1, "output", in_.weights->output, a_.xn, a_.logits, kSingleRow);
        if (c_.final_softcap > 0) {
            elementwise(-1, "Logit soft-cap", Op::SoftCap, a_.logits, kNoBuffer, a_.logits, c_.vocab_size,
                        c_.final_softcap, kSingleRow);
        }
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
