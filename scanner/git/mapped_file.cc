#include "scanner/git/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

namespace sprawl {

MappedFile::MappedFile(const std::string& path, uint64_t release_every)
    : release_every_(release_every) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  const std::optional<FileStat> st = FdStat(fd);
  if (st && st->size > 0) {
    void* p = ::mmap(nullptr, static_cast<std::size_t>(st->size), PROT_READ,
                     MAP_PRIVATE, fd, 0);
    if (p != MAP_FAILED) {
      data_ = static_cast<const unsigned char*>(p);
      size_ = static_cast<std::size_t>(st->size);
      stat_ = *st;
    }
  }
  ::close(fd);
}

MappedFile::~MappedFile() {
  if (data_ != nullptr) ::munmap(const_cast<unsigned char*>(data_), size_);
}

void MappedFile::Release() const {
  if (data_ != nullptr) {
    ::madvise(const_cast<unsigned char*>(data_), size_, MADV_DONTNEED);
  }
}

void MappedFile::NoteRead(uint64_t bytes) const {
  // Two threads crossing the mark together both release: harmless.
  if (read_.fetch_add(bytes, std::memory_order_relaxed) + bytes <
      release_every_) {
    return;
  }
  read_.store(0, std::memory_order_relaxed);
  Release();
}

}  // namespace sprawl
