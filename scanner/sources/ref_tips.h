// RefTip and TipMembership: repository-level facts the git scan needs
// besides the commit walk: the ref tips (what "reachable from any ref"
// starts from), HEAD, the shallow graft list, and which tips hold a blob at
// a path. Free functions over a caller-owned git_repository; not thread-safe
// with respect to that handle. (Commit provenance: scan/commit_provenance.h.)
#pragma once

#include <git2.h>

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "scanner/base/diagnostics.h"
#include "scanner/git/git_handles.h"
#include "scanner/sources/tree_source.h"

namespace sprawl {

struct RefTip {
  std::string name;               // refs/heads/main, refs/tags/v1, HEAD
  std::optional<git_oid> commit;  // peeled commit, when it is one
  git_oid tree{};                 // peeled tree
};

// Every direct reference (symbolic ones are aliases of another), sorted by
// name, then HEAD (named "HEAD") when it resolves. Refs that peel to no tree
// (a tag of a blob) are skipped with a note.
std::vector<RefTip> ListRefTips(git_repository* repo, Diagnostics* diagnostics);

// `commits` (hex oids) as tips named by their oid when non-empty (a range's
// base), else ListRefTips. An oid that is no readable commit is a warning.
std::vector<RefTip> StartTips(git_repository* repo,
                              const std::vector<std::string>& commits,
                              Diagnostics* diagnostics);

// Oids listed in the repository's `shallow` file (graft points).
OidSet ReadShallowGrafts(git_repository* repo);

// Answers "does tip tree T hold blob B at path P" for many (P, B) pairs.
// Refs sharing a tree are looked up once, and every directory tree read is
// cached by oid, so a repository with thousands of tags costs one hash
// lookup per path component per distinct tip tree.
class TipMembership {
 public:
  // Reads trees from `source` (which must outlive this): the object
  // database, or after a tree pass the relevant trees, which hold every
  // path a located blob can be at.
  TipMembership(TreeSource* source, const std::vector<RefTip>& tips);
  ~TipMembership();
  TipMembership(const TipMembership&) = delete;
  TipMembership& operator=(const TipMembership&) = delete;

  // Sorted names of the refs (not HEAD) whose tree holds `blob` at `path`,
  // and whether HEAD's does.
  void Lookup(const std::string& path, const git_oid& blob,
              std::vector<std::string>* refs, bool* in_head);

 private:
  struct Tip {
    git_oid tree{};
    std::vector<std::string> names;  // refs sharing this tree
    bool head = false;
  };
  // The raw tree `tree` (empty when unreadable), cached.
  std::string_view ReadDir(const git_oid& tree);
  // What each tip holds at one path: a blob (its oid), or nothing.
  struct AtPath {
    std::vector<git_oid> blob;  // by tip
    std::vector<bool> has;      // by tip
  };
  // The blob `tree` holds at path components [level, end), if any, with
  // the answers for subtrees shared by several tips remembered in `memo`.
  const git_oid* BlobAt(
      const git_oid& tree, const std::vector<std::string_view>& parts,
      std::size_t level,
      std::unordered_map<PathOid, const git_oid*, PathOidHash>* memo);
  const AtPath& Resolve(const std::string& path);

  TreeSource* source_;
  std::vector<Tip> tips_;
  std::unordered_map<git_oid, TreeBytes, OidHash, OidEq> dirs_;
  // Paths resolved so far (a history's many versions of one file share
  // one resolution); cleared when it grows large, to bound memory.
  std::unordered_map<std::string, AtPath> at_path_;
};

}  // namespace sprawl
