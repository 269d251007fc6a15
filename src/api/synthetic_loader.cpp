#include "api/synthetic_loader.h"

#include <unistd.h>

#include <cstdlib>

#include "core/error.h"
#include "format/gguf_file.h"
#include "format/gguf_writer.h"
#include "model/synthetic_model.h"

namespace akunu {

namespace {
// Above this the model goes through a file that is mapped and unlinked, so the bytes live once
// (in the page cache) instead of twice on the heap.
constexpr size_t kInMemoryLimit = 256u << 20;
}

std::unique_ptr<GgufFile> open_synthetic(const std::string& spec_text) {
    const SyntheticSpec spec = parse_synthetic_spec(spec_text);
    GgufWriter writer;
    build_synthetic_gguf(spec, writer);
    std::vector<uint8_t> bytes = writer.to_bytes();
    const std::string name = "synthetic:" + spec_text;
    if (bytes.size() <= kInMemoryLimit) return GgufFile::from_memory(bytes.data(), bytes.size(), name);

    const char* tmp = std::getenv("TMPDIR");
    std::string path = std::string(tmp && *tmp ? tmp : "/tmp") + "/akunu-synthetic-XXXXXX";
    const int fd = mkstemp(path.data());
    if (fd < 0) fail(ErrorKind::Io, "synthetic", "cannot create a temporary file in " + path);
    size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t w = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (w <= 0) {
            ::close(fd);
            ::unlink(path.c_str());
            fail(ErrorKind::Io, "synthetic", "cannot write " + path + " (disk full?)");
        }
        done += (size_t)w;
    }
    ::close(fd);
    bytes = {};
    std::unique_ptr<GgufFile> file;
    try {
        file = GgufFile::open(path);
    } catch (...) {
        ::unlink(path.c_str());
        throw;
    }
    ::unlink(path.c_str());  // the mapping keeps the data alive
    return file;
}

void write_synthetic(const std::string& spec_text, const std::string& path) {
    GgufWriter writer;
    build_synthetic_gguf(parse_synthetic_spec(spec_text), writer);
    writer.write(path);
}

}  // namespace akunu
