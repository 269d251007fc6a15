#include "plan/command.h"

namespace akunu {

const char* op_name(Op op) {
    switch (op) {
        case Op::EmbedLookup: return "embed";
        case Op::RmsNorm: return "rmsnorm";
        case Op::MatMul: return "matmul";
        case Op::Rope: return "rope";
        case Op::KvStore: return "kv_store";
        case Op::Attention: return "attention";
        case Op::Add: return "add";
        case Op::SwiGlu: return "swiglu";
        case Op::Argmax: return "argmax";
        case Op::AddBias: return "add_bias";
        case Op::GeluGlu: return "geglu";
        case Op::Scale: return "scale";
        case Op::SoftCap: return "softcap";
        case Op::Count: break;
    }
    return "?";
}

}  // namespace akunu
