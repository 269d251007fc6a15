#include "format/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/error.h"

namespace akunu {

namespace {

[[noreturn]] void io_fail(const std::string& path, const char* what, int err) {
    fail(ErrorKind::Io, "mmap", path + ": " + what + ": " + std::strerror(err));
}

}  // namespace

MappedFile::MappedFile(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) io_fail(path, "cannot open", errno);

    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        const int err = errno;
        ::close(fd);
        io_fail(path, "cannot stat", err);
    }
    if (!S_ISREG(st.st_mode)) {
        ::close(fd);
        fail(ErrorKind::Io, "mmap", path + ": not a regular file");
    }
    // An empty file cannot be mapped (mmap of length 0 is EINVAL). Leave the view empty so the
    // format reader can say "empty file", which is the real problem, instead of a mmap error.
    if (st.st_size == 0) {
        ::close(fd);
        return;
    }

    void* p = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
    const int err = errno;
    ::close(fd);  // the mapping keeps its own reference to the file
    if (p == MAP_FAILED) io_fail(path, "cannot mmap", err);

    data_ = static_cast<const uint8_t*>(p);
    size_ = static_cast<size_t>(st.st_size);
}

MappedFile::~MappedFile() {
    if (data_ != nullptr) ::munmap(const_cast<uint8_t*>(data_), size_);
}

}  // namespace akunu
