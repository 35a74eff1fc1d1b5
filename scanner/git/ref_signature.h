// RefSignature: the stat of every file and directory the ref-file reader
// (ref_files.h) looked at for one repository, each taken before it was
// read, and the time just before the first. While every one still stats the
// same and none had changed within a racy margin of that time, the reader
// would read the same bytes again: a sweep answers `unchanged` with a few
// stat calls instead of opening, listing and reading the ref files.
// A plain value; thread-compatible. SignatureHolds() uses `base` only as a
// directory to resolve paths against, so threads may share it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scanner/base/dir_fd.h"

namespace sprawl {

// How recent a change must be for a stat to prove nothing: file times come
// from a clock coarser than the one that dates a signature (a few
// milliseconds on Linux, 2 s on FAT), so a file rewritten just after it was
// stat'ed can keep its old times. Git's racy-git rule, with slack for
// coarse file systems and for a file server's clock that drifts a little.
inline constexpr int64_t kRacyMarginNs = int64_t{3} * 1000 * 1000 * 1000;

struct RefSignature {
  enum class Kind {
    kContent,   // read: every field of the stat must match
    kIdentity,  // only walked through (a .git directory): same file, same type
    kMissing,   // looked up and absent: must still be absent
  };
  struct Entry {
    Kind kind = Kind::kMissing;
    std::string path;  // relative to the repository's path, e.g. ".git/HEAD"
    FileStat stat;     // unused for kMissing
  };

  int64_t taken_ns = 0;  // CLOCK_REALTIME before the first stat
  std::vector<Entry> entries;
  // False when a stat failed or a name cannot be encoded: such a signature
  // encodes as "" and is never stored.
  bool complete = true;

  // A signature dated now, with no entries.
  static RefSignature Begin();
  // Adds an entry; a missing stat (it failed) makes the signature incomplete.
  void Add(Kind kind, std::string path, const std::optional<FileStat>& stat);

  // One line per entry under a header; "" when incomplete.
  std::string Encode() const;
  // nullopt for anything Encode did not produce.
  static std::optional<RefSignature> Decode(std::string_view text);
};

// Whether every entry of `signature` still holds for the repository at
// `repo_path` (relative to `base` when given), and none is racy: its mtime
// or ctime not older than taken_ns - racy_margin_ns. The git directory is
// opened once and the rest stat'ed below it; absent entries directly in a
// .git whose own stat holds (and is not racy) are not looked up. A
// directory whose stat holds has the same entries, since adding, removing
// or renaming one sets its mtime and ctime. ctime cannot be set from user
// space: the kernel sets it to the current time on every change, utimensat
// included (only moving the system clock could forge it), so a file rewritten
// in place with its old size and mtime put back still fails to match.
bool SignatureHolds(const RefSignature& signature, const std::string& repo_path,
                    const DirFd* base, int64_t racy_margin_ns);

}  // namespace sprawl
