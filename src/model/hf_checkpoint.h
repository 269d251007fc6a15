// The safetensors weights of a Hugging Face folder: model.safetensors, or the shards that
// model.safetensors.index.json lists, mapped and validated, as one name -> tensor table.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "format/safetensors_file.h"

namespace akunu {

class HfCheckpoint {
public:
    // Throws Io when neither file exists or one cannot be read, Format when a shard is malformed,
    // a tensor is in two shards, or the index and the shards disagree.
    static std::shared_ptr<const HfCheckpoint> open(const std::string& dir);

    const std::map<std::string, const SafetensorsTensor*>& tensors() const { return tensors_; }
    const SafetensorsTensor* find(const std::string& name) const;
    const std::string& file_of(const std::string& name) const;  // the shard holding it, for messages

private:
    std::vector<std::unique_ptr<SafetensorsFile>> files_;
    std::map<std::string, const SafetensorsTensor*> tensors_;
    std::map<std::string, size_t> file_index_;
};

}  // namespace akunu
