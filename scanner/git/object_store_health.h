// ObjectStoreHealth: what of a repository's object database may be handed
// to libgit2, worked out before libgit2 opens any of it. A hostile or
// damaged pack can crash libgit2 (an .idx whose fanout claims 2^32
// objects) or hang it (a delta whose base is itself, two deltas naming each
// other); both are found here from the bytes, by the checks of
// pack_format.h:
//
//   - every .idx (version 1 or 2) and its .pack are validated whole; a pack
//     that fails is left out of the object database entirely, and named
//     once with the reason;
//   - a .pack without an .idx is named (libgit2 ignores it; its objects
//     are not readable);
//   - in each valid pack, every entry whose delta chain never ends or whose
//     base is missing is listed; libgit2 is never asked for it.
//
// OpenCheckedOdb assembles an object database of the loose objects and the
// valid packs (of the objects directory and its alternates) whose pack
// backends refuse the listed entries, and GuardRepository installs it in a
// repository handle before its first object read. A repository with none
// of these problems keeps libgit2's own object database.
//
// Immutable once built; CheckObjectStore caches one per objects directory
// (and listing of its pack directories), so every thread and handle shares
// it. Thread-safe.
#pragma once

#include <git2.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "scanner/base/diagnostics.h"
#include "scanner/base/result.h"
#include "scanner/base/scan_stats.h"
#include "scanner/git/git_handles.h"

namespace sprawl {

struct ObjectStoreHealth {
  // One objects directory: the repository's own, then its alternates.
  struct Dir {
    std::string path;
    std::vector<std::string> good_idx;  // .idx files libgit2 may open
  };
  // A pack with a problem: unusable as a whole (`problem` set), or with
  // entries no reader may decode (`bad`).
  struct BadEntry {
    git_oid oid{};
    uint64_t offset = 0;
    std::string reason;
  };
  struct Pack {
    std::string path;      // the .pack (or .idx) file
    std::string problem;   // non-empty: the whole pack is left out
    uint64_t objects = 0;  // objects it holds that cannot be read
    std::vector<BadEntry> bad;
  };

  std::vector<Dir> dirs;
  std::vector<Pack> packs;        // only packs with a problem
  std::vector<git_oid> bad_oids;  // every BadEntry oid, sorted

  bool clean() const { return packs.empty(); }
  // Whether `oid` is a listed bad entry of some valid pack.
  bool IsBad(const git_oid& oid) const;
  // Objects that cannot be read because of these problems.
  uint64_t unreadable() const;
};

// The health of `objects_dir` (trailing "/." components, as OpenPrivateOdb
// adds them, are ignored), computed once per state of its pack
// directories.
//
// `verified_pack_dir` (optional; the CLI gives `<cache dir>/packs`) holds a
// record of each pack found clean, so a later check of the same pack skips
// the walk over its delta chains (its index is still validated). A record
// names the .idx and .pack by device, inode, size, mtime and ctime: any
// rewrite, in place or not, no longer matches it. A pack with a damaged
// entry is never recorded.
std::shared_ptr<const ObjectStoreHealth> CheckObjectStore(
    const std::string& objects_dir, const std::string& verified_pack_dir = "");

// One warning per problem pack (naming it, the reason, and up to a few bad
// entries with oid and offset), and the unreadable objects added to
// stats->skipped_unreadable.
void ReportObjectStore(const ObjectStoreHealth& health,
                       Diagnostics* diagnostics, ScanStats* stats);

// The object database of `objects_dir` for handle number `k` (see
// OpenPrivateOdb), assembled from the loose objects and the valid packs
// with the bad entries refused. Null with GitLastError on failure.
GitOdbPtr OpenCheckedOdb(const std::string& objects_dir,
                         const ObjectStoreHealth& health, int k);

// Installs OpenCheckedOdb in `repo` when its object database has a
// problem; call right after opening it, before any object is read.
// `verified_pack_dir` as for CheckObjectStore.
Status GuardRepository(git_repository* repo,
                       const std::string& verified_pack_dir = "");

}  // namespace sprawl
