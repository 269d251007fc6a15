// The C API's view of the device and of the decode table's costs (for the measurement tools).
#include <algorithm>
#include <cstring>

#include "akunu/akunu.h"
#include "api/api_guard.h"
#include "api/model_handle.h"

using namespace akunu;

namespace {
void copy_str(char* dst, size_t cap, const std::string& s) {
    const size_t n = std::min(cap - 1, s.size());
    std::memcpy(dst, s.data(), n);
    dst[n] = '\0';
}
}  // namespace

extern "C" {

int32_t akunu_command_count(const akunu_model* model) {
    return model ? (int32_t)model->engine->decode_table().size() : -1;
}

akunu_status akunu_get_command_info(const akunu_model* model, int32_t i, akunu_command_info* out) {
    return guarded([&] {
        const Engine& e = *require(model, "model")->engine;
        require(out, "out");
        const DispatchTable& t = e.decode_table();
        if (i < 0 || (size_t)i >= t.size()) {
            fail(ErrorKind::InvalidArgument, "api",
                 "command index " + std::to_string(i) + " outside [0, " + std::to_string(t.size()) + ")");
        }
        const CommandInfo& info = t.info[(size_t)i];
        std::memset(out, 0, sizeof(*out));
        copy_str(out->label, sizeof(out->label), info.label);
        copy_str(out->op, sizeof(out->op), op_name(t.commands[(size_t)i].op));
        out->layer = info.layer;
        out->weight_bytes = info.weight_bytes;
        out->act_bytes = info.act_bytes;
        out->kv_bytes_per_position = info.kv_bytes_per_position;
        out->flops = info.flops;
    });
}

akunu_status akunu_get_device_info(const akunu_model* model, akunu_device_info* out) {
    return guarded([&] {
        const Engine& e = *require(model, "model")->engine;
        require(out, "out");
        const DeviceConfig& d = e.device();
        std::memset(out, 0, sizeof(*out));
        copy_str(out->backend, sizeof(out->backend), d.backend_name);
        copy_str(out->device, sizeof(out->device), d.device_name);
        copy_str(out->isa, sizeof(out->isa), d.isa);
        out->n_threads = d.n_threads;
        out->n_cores = d.n_cores;
        out->memory_bytes = d.memory_bytes;
        out->cache_bytes = d.cache_bytes;
        out->datasheet_bandwidth_gbs = d.datasheet_bandwidth_gbs;
        out->prefill_chunk = d.prefill_chunk;
        out->chain_chunk = d.chain_chunk;
    });
}

akunu_status akunu_measure_read_bandwidth(akunu_model* model, double* gbs) {
    return guarded([&] {
        Engine& e = *require(model, "model")->engine;
        *require(gbs, "gbs") = e.measure_read_bandwidth_gbs();
    });
}

}  // extern "C"
