#include "format/safetensors_index.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace akunu {

namespace {

[[noreturn]] void bad(const std::string& source, const std::string& what) {
    fail(ErrorKind::Format, "safetensors", source + ": " + what);
}

bool safe_file_name(const std::string& name) {
    return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos &&
           name.find('\\') == std::string::npos && name.find('\0') == std::string::npos;
}

}  // namespace

SafetensorsIndex parse_safetensors_index(std::string_view text, const std::string& source) {
    nlohmann::json doc;
    try {
        doc = nlohmann::json::parse(text.begin(), text.end());
    } catch (const nlohmann::json::exception& e) {
        bad(source, std::string("not valid JSON: ") + e.what());
    }
    if (!doc.is_object()) bad(source, std::string("must be a JSON object, got ") + doc.type_name());
    const auto map = doc.find("weight_map");
    if (map == doc.end() || !map->is_object()) bad(source, "has no \"weight_map\" object");
    if (map->empty()) bad(source, "\"weight_map\" is empty");

    SafetensorsIndex index;
    for (auto it = map->begin(); it != map->end(); ++it) {
        if (!it.value().is_string()) bad(source, "weight_map[\"" + it.key() + "\"] must be a file name string");
        const std::string shard = it.value().get<std::string>();
        if (!safe_file_name(shard)) {
            bad(source, "weight_map[\"" + it.key() + "\"] names '" + shard +
                            "', which is not a plain file name in the checkpoint's folder");
        }
        index.weight_map.emplace_back(it.key(), shard);
        index.shards.push_back(shard);
    }
    std::sort(index.shards.begin(), index.shards.end());
    index.shards.erase(std::unique(index.shards.begin(), index.shards.end()), index.shards.end());
    return index;  // nlohmann's object is ordered by key, so weight_map is sorted already
}

SafetensorsIndex read_safetensors_index(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) fail(ErrorKind::Io, "safetensors", path + ": cannot open: " + std::strerror(errno));
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) fail(ErrorKind::Io, "safetensors", path + ": read failed");
    return parse_safetensors_index(text.str(), path);
}

}  // namespace akunu
