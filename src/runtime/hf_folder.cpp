#include "runtime/hf_folder.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

#include "core/error.h"
#include "format/gguf_file.h"
#include "format/gguf_writer.h"
#include "model/hf_checkpoint.h"
#include "model/hf_config.h"
#include "model/hf_to_gguf.h"
#include "runtime/hf_tokenizer_keys.h"

namespace akunu {

namespace {

// general.name: the folder's own name, as llama.cpp's converter derives it.
std::string folder_name(std::string dir) {
    while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
    const size_t slash = dir.rfind('/');
    return slash == std::string::npos ? dir : dir.substr(slash + 1);
}

}  // namespace

bool is_directory(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

void build_hf_gguf(const std::string& dir, std::optional<DType> weight_type, GgufWriter& out) {
    if (!is_directory(dir)) fail(ErrorKind::Io, "hf-folder", dir + ": not a directory");
    const HfConfig config = read_hf_config(dir + "/config.json");
    HfWeightOptions options;
    options.weight_type = weight_type;
    if (weight_type) check_hf_weight_type(*weight_type);
    // The tokenizer first: it is cheap, and a folder we cannot tokenize is rejected before any
    // shard is mapped.
    const HfTokenizer tokenizer = read_hf_tokenizer(dir);
    const auto vocab_size = static_cast<uint32_t>(tokenizer.tokenizer->vocab().tokens.size());
    add_hf_model(config, HfCheckpoint::open(dir), options, vocab_size, folder_name(dir), out);
    add_hf_tokenizer_keys(tokenizer, out);
}

std::unique_ptr<GgufFile> open_hf_folder(const std::string& dir, std::optional<DType> weight_type) {
    GgufWriter writer;
    build_hf_gguf(dir, weight_type, writer);
    const char* tmp = std::getenv("TMPDIR");
    std::string path = std::string(tmp && *tmp ? tmp : "/tmp") + "/akunu-hf-XXXXXX";
    const int fd = mkstemp(path.data());
    if (fd < 0) fail(ErrorKind::Io, "hf-folder", "cannot create a temporary file in " + path);
    ::close(fd);
    std::unique_ptr<GgufFile> file;
    try {
        writer.write(path);
        file = GgufFile::open(path);
    } catch (...) {
        ::unlink(path.c_str());
        throw;
    }
    ::unlink(path.c_str());  // the mapping keeps the data alive
    return file;
}

void convert_hf_folder(const std::string& dir, const std::string& out_path, std::optional<DType> weight_type) {
    GgufWriter writer;
    build_hf_gguf(dir, weight_type, writer);
    writer.write(out_path);
}

}  // namespace akunu
