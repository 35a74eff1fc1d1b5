// Parsers for raw commit and tree objects as stored in the object database.
// The history walk reads millions of them once each; parsing the raw bytes
// avoids libgit2's object cache and per-entry allocations. Pure functions
// over borrowed bytes; thread-safe.
#pragma once

#include <git2.h>

#include <cstdint>
#include <string_view>
#include <vector>

namespace sprawl {

// The parts of a commit the walk needs.
struct RawCommit {
  git_oid tree{};
  std::vector<git_oid> parents;
  int64_t committer_time = 0;  // seconds since the epoch
};

// False when `data` is not a well-formed commit (no tree line).
bool ParseRawCommit(std::string_view data, RawCommit* out);

// Tree entry modes as git stores them.
enum class EntryKind { kBlob, kTree, kSymlink, kSubmodule, kOther };

struct RawTreeEntry {
  EntryKind kind = EntryKind::kOther;
  std::string_view name;  // raw bytes, never contains '/' or NUL
  const git_oid* oid = nullptr;
};

// Iterates the entries of a raw tree object in stored order.
class RawTreeReader {
 public:
  explicit RawTreeReader(std::string_view data) : rest_(data) {}
  // False at the end or on malformed data (then error() is true).
  bool Next(RawTreeEntry* entry);
  bool error() const { return error_; }

 private:
  std::string_view rest_;
  bool error_ = false;
};

}  // namespace sprawl
