// The index of a sharded safetensors checkpoint (model.safetensors.index.json):
//   {"metadata": {...}, "weight_map": {"tensor name": "model-00001-of-00002.safetensors", ...}}
// Shard names must be plain file names in the index's own folder (no path separators), so an
// index cannot point the loader at other files.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace akunu {

struct SafetensorsIndex {
    std::vector<std::pair<std::string, std::string>> weight_map;  // tensor name -> shard file name, sorted by name
    std::vector<std::string> shards;                               // distinct shard file names, sorted
};

// Throws Format naming `source` and the entry for malformed JSON, a missing weight_map, a
// non-string or unsafe shard name, or an empty map.
SafetensorsIndex parse_safetensors_index(std::string_view text, const std::string& source);
// Reads the file (Io naming it when unreadable) and parses it.
SafetensorsIndex read_safetensors_index(const std::string& path);

}  // namespace akunu
