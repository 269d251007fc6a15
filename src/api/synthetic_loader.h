// Synthetic models for the API: built in memory, or through a temporary file when large.
#pragma once

#include <memory>
#include <string>

namespace akunu {

class GgufFile;

std::unique_ptr<GgufFile> open_synthetic(const std::string& spec);
void write_synthetic(const std::string& spec, const std::string& path);

}  // namespace akunu
