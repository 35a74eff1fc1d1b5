// DirFd: an open directory read with plain POSIX calls (openat, getdents64,
// read), no per-entry stat and no std::filesystem. A sweep lists and reads
// thousands of tiny directories and ref files, and for a sweep with no new
// commits those system calls are most of its cost.
// Move-only; owns its descriptor and closes it. List() is for one thread at
// a time; the const members, and opening below a DirFd, only use the
// descriptor as a base and are safe from any number of threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sprawl {

struct DirEntry {
  enum class Type { kDirectory, kFile, kOther };  // kOther: links and the rest
  std::string name;
  Type type = Type::kOther;
};

// What a stat says of a file for telling whether it changed since.
struct FileStat {
  uint64_t dev = 0;
  uint64_t ino = 0;
  uint32_t mode = 0;  // type and permission bits
  int64_t size = 0;
  int64_t mtime_ns = 0;  // since the epoch
  int64_t ctime_ns = 0;  // set by the kernel on any change to the inode
  bool operator==(const FileStat&) const = default;
};

// Stored text for the datastore: a number followed by `end`, and a
// FileStat as six space-terminated numbers (ctime as its offset from
// mtime, usually 0). Take* consume what they read from the front of `text`
// and fail on anything Append* did not write.
void AppendNumberText(int64_t value, char end, std::string* out);
bool TakeNumberText(std::string_view* text, char end, int64_t* value);
void AppendStatText(const FileStat& stat, std::string* out);
bool TakeStatText(std::string_view* text, FileStat* stat);

// The FileStat of an open descriptor (nullopt when fstat fails).
std::optional<FileStat> FdStat(int fd);

// CLOCK_REALTIME in nanoseconds since the epoch: what file times are
// taken from (at a coarser granularity).
int64_t RealtimeNowNs();

class DirFd {
 public:
  // Opens `path` (relative to directory `parent`, or to the working
  // directory without one) as a directory. A final symlink is followed only
  // with `follow_link`.
  static DirFd Open(const std::string& path, const DirFd* parent = nullptr,
                    bool follow_link = false);
  // As Open, for use only as a base for StatPath and Stat (O_PATH where
  // there is one: no read access needed, and cheaper to open).
  static DirFd OpenForStat(const std::string& path, const DirFd* parent,
                           bool follow_link);

  DirFd(DirFd&& other) noexcept;
  DirFd& operator=(DirFd&& other) noexcept;
  DirFd(const DirFd&) = delete;
  DirFd& operator=(const DirFd&) = delete;
  ~DirFd();

  bool ok() const { return fd_ >= 0; }
  // The errno of a failed Open (0 when ok).
  int error() const { return error_; }

  // Every entry but "." and "..", in directory order; nullopt when the
  // directory cannot be read. Types come from the listing itself (a stat
  // only on file systems that do not report them). A second call reads the
  // directory again from its start.
  std::optional<std::vector<DirEntry>> List();

  // The content of the file `name` in this directory (a final symlink is
  // not followed); nullopt when it cannot be read or is over `max_bytes`,
  // with `*missing` (when given) set when there is no such file.
  // With `stat`, the open file's stat is stored there, taken before the
  // first read.
  std::optional<std::string> ReadFile(const std::string& name,
                                      std::size_t max_bytes,
                                      bool* missing = nullptr,
                                      FileStat* stat = nullptr) const;

  // This directory's own stat (nullopt when not open or fstat fails).
  std::optional<FileStat> Stat() const;

  // The stat of `path` relative to `base` (the working directory when
  // null), a final symlink not followed: 0, or the errno.
  static int StatPath(const DirFd* base, const std::string& path,
                      FileStat* out);

  // Whether this directory has an entry `name` (of any type; a final
  // symlink is not followed).
  bool Has(const std::string& name) const;

 private:
  DirFd(int fd, int error) : fd_(fd), error_(error) {}

  int fd_ = -1;
  int error_ = 0;
  bool listed_ = false;  // the descriptor's offset is past the start
};

}  // namespace sprawl
