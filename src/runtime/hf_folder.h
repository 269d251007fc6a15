// Loading a Hugging Face model folder (config.json, model.safetensors or a sharded index,
// tokenizer.json, tokenizer_config.json) as a GGUF, so that everything after the file
// (read_model_config, bind_weights, Engine::load) is unchanged; and writing that GGUF out
// (`akunu convert`).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "format/dtype.h"

namespace akunu {

class GgufFile;
class GgufWriter;

bool is_directory(const std::string& path);

// Fills `out` with the folder's metadata, tokenizer keys and (lazily converted) tensors.
// `weight_type`: see HfWeightOptions. Throws Io/Format/Unsupported naming the file.
void build_hf_gguf(const std::string& dir, std::optional<DType> weight_type, GgufWriter& out);

// The converted model, written tensor by tensor to an unlinked temporary file under $TMPDIR
// (else /tmp) and mapped: the heap holds one converted tensor at a time, the converted model
// lives in the page cache (and on that disk) only while the GgufFile does.
std::unique_ptr<GgufFile> open_hf_folder(const std::string& dir, std::optional<DType> weight_type);

// Writes the converted model to `out_path` (atomically: a temporary file renamed at the end).
void convert_hf_folder(const std::string& dir, const std::string& out_path, std::optional<DType> weight_type);

}  // namespace akunu
