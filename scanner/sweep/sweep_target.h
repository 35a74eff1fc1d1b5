// SweepTarget: one repository a sweep covers, and the ways to list them:
// every git repository below a directory (--root), a list file (--repos),
// and the deterministic shard split (--shard I/N). Plain values and pure
// functions over the filesystem; thread-compatible.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "scanner/base/result.h"
#include "scanner/git/ref_signature.h"
#include "scanner/sweep/dir_listing.h"

namespace sprawl {

struct SweepTarget {
  std::string key;       // `repo` in reports: path relative to --root, the
                         // line of --repos as written, or the URL
  std::string location;  // local path to open, or the URL to mirror
  bool remote = false;   // location is a URL (mirrored into the cache)
};

// Every git repository below `root` (work trees: a directory holding .git;
// bare: HEAD + objects/ + refs/), sorted by key; `root` itself is ".".
// Walks into work trees (a repository nested in one is found too), never
// into a .git directory, a bare repository, a `.sprawl` directory or a
// symlink; the root's subdirectories are walked on `threads` threads (0:
// one per core). A missing root is an Error.
Result<std::vector<SweepTarget>> FindRepositories(const std::string& root,
                                                  int threads = 0);

struct DiscoveryOptions {
  int threads = 0;  // as for FindRepositories; 0 = one per core
  // Listings recorded by an earlier discovery of the same root: a directory
  // whose stat still holds (DirListing::StillHolds) is not listed again.
  const DirListings* previous = nullptr;
  // When given, filled with the listing of every directory walked (reused
  // or fresh), to record for the next discovery.
  DirListings* seen = nullptr;
  int64_t racy_margin_ns = kRacyMarginNs;  // see ref_signature.h
  // When given, filled with the directories below the root that could not
  // be opened or listed (path relative to the root, and why): repositories
  // below them are not found, which a sweep must say.
  std::vector<std::pair<std::string, std::string>>* unreadable = nullptr;
};

// FindRepositories, reusing and recording directory listings.
Result<std::vector<SweepTarget>> FindRepositories(
    const std::string& root, const DiscoveryOptions& options);

// One repository per line: a local path or a URL; blank lines and lines
// starting with # are ignored; duplicates are dropped. Relative paths are
// resolved against the file's directory.
Result<std::vector<SweepTarget>> ReadRepositoryList(const std::string& file);

struct Shard {
  int index = 0;  // 0-based
  int count = 1;
};

// "I/N" with 0 <= I < N.
Result<Shard> ParseShard(const std::string& text);

// Whether `key` belongs to `shard`: by a hash of the key, so every machine
// computes the same split from the same list.
bool InShard(const std::string& key, const Shard& shard);

}  // namespace sprawl
