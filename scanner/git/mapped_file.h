// MappedFile: a read-only memory mapping of one file (a pack or its .idx),
// released when destroyed. Immutable once constructed, so threads may read
// one concurrently.
#pragma once

#include <cstddef>
#include <string>

namespace sprawl {

// A read-only mapping of one file; empty when it cannot be mapped.
class MappedFile {
 public:
  explicit MappedFile(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  const unsigned char* data() const { return data_; }
  std::size_t size() const { return size_; }
  // Drops this mapping's resident pages (they stay in the page cache and
  // come back on the next read): a pass over a large pack need not keep it
  // all counted in the process's resident set.
  void Release() const;

 private:
  const unsigned char* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace sprawl
