// DirListing: what sweep discovery (--root) concluded from listing one
// directory, with the directory's stat taken before the listing. Adding,
// removing or renaming an entry sets a directory's mtime and ctime, so
// while its stat is the same (and was not racy, see ref_signature.h) the
// conclusion stands and the directory need not be listed again: a sweep
// with nothing new stats each directory instead of opening and reading it.
// A mount over a subdirectory changes that subdirectory's stat, which is
// checked on its own. Plain values; thread-compatible. Recorded in the
// datastore between sweeps.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "scanner/base/dir_fd.h"
#include "scanner/base/result.h"
#include "scanner/datastore/datastore.h"

namespace sprawl {

struct DirListing {
  FileStat stat;                     // of the directory, before it was listed
  int64_t taken_ns = 0;              // CLOCK_REALTIME before `stat`
  bool repository = false;           // a work tree or a bare repository
  std::vector<std::string> subdirs;  // sorted: what discovery walks into

  // Whether `now` (this directory's stat now) still vouches for the listing:
  // identical to `stat`, and neither time within `racy_margin_ns` of
  // taken_ns.
  bool StillHolds(const FileStat& now, int64_t racy_margin_ns) const;

  // "" when a name cannot be encoded (holds a newline): not recorded.
  std::string Encode() const;
  static std::optional<DirListing> Decode(std::string_view text);

  bool operator==(const DirListing&) const = default;
};

// Listings by directory path relative to the --root ("" = the root).
using DirListings = std::unordered_map<std::string, DirListing>;

// The listings `store` holds for discovery below `root` (any spelling of
// the same directory: the key is its absolute, normalized path); ones that
// do not decode are left out, and will be listed again. Into `out`.
Status LoadDirListings(Datastore* store, const std::string& root,
                       DirListings* out);

// Records `seen` for `root`: writes only listings that differ from
// `previous`, drops those discovery no longer reached. A sweep with nothing
// new writes nothing.
Status SaveDirListings(Datastore* store, const std::string& root,
                       const DirListings& previous, const DirListings& seen);

}  // namespace sprawl
