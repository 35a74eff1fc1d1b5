// RAII wrappers for the libgit2 handles the git scan uses (one move-only
// unique_ptr alias per C type), oid hashing for std containers, and the
// process-wide libgit2 setup. Used by scanner/git/, sources/ and scan/.
// Handles are not thread-safe: each worker opens its own repository.
#pragma once

#include <git2.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>

namespace sprawl {

template <typename T, void (*Free)(T*)>
struct GitDeleter {
  void operator()(T* p) const {
    if (p != nullptr) Free(p);
  }
};

using GitRepoPtr =
    std::unique_ptr<git_repository,
                    GitDeleter<git_repository, git_repository_free>>;
using GitOdbPtr = std::unique_ptr<git_odb, GitDeleter<git_odb, git_odb_free>>;
using GitOdbObjectPtr =
    std::unique_ptr<git_odb_object,
                    GitDeleter<git_odb_object, git_odb_object_free>>;
using GitObjectPtr =
    std::unique_ptr<git_object, GitDeleter<git_object, git_object_free>>;
using GitTreePtr =
    std::unique_ptr<git_tree, GitDeleter<git_tree, git_tree_free>>;
using GitTreeEntryPtr =
    std::unique_ptr<git_tree_entry,
                    GitDeleter<git_tree_entry, git_tree_entry_free>>;
using GitCommitPtr =
    std::unique_ptr<git_commit, GitDeleter<git_commit, git_commit_free>>;
using GitReferencePtr =
    std::unique_ptr<git_reference,
                    GitDeleter<git_reference, git_reference_free>>;
using GitRefIteratorPtr = std::unique_ptr<
    git_reference_iterator,
    GitDeleter<git_reference_iterator, git_reference_iterator_free>>;
using GitIndexPtr =
    std::unique_ptr<git_index, GitDeleter<git_index, git_index_free>>;
using GitDiffPtr =
    std::unique_ptr<git_diff, GitDeleter<git_diff, git_diff_free>>;

// Initializes libgit2 once per process and sets the options every scan
// relies on: no per-object hash verification, no object cache for blobs,
// trees and commits (each is read once), no owner validation. Thread-safe.
void EnsureLibgit2();

// The message of the last libgit2 error on this thread (or `fallback`).
std::string GitLastError(std::string_view fallback = "unknown libgit2 error");

// Full lowercase hex of an oid.
std::string GitHex(const git_oid& oid);

// Opens the object database in `objects_dir` (loose, packs, alternates) as
// handle number `k` of several read concurrently. libgit2 shares one
// git_pack_file, with one small delta-base cache behind one lock, among all
// handles that name a pack by the same path; threads walking different
// parts of a pack then evict each other's bases and re-inflate them. Handle
// k names the directory with k extra "/." components, which gives it pack
// files (and base caches) of its own. Null (with GitLastError) on failure.
GitOdbPtr OpenPrivateOdb(const std::string& objects_dir, int k);

// Whether Ctrl-C was pressed (`cancel` may be null: never).
inline bool Cancelled(const std::atomic<bool>* cancel) {
  return cancel != nullptr && cancel->load(std::memory_order_relaxed);
}

// Hash and equality of oids for unordered containers: oids are uniformly
// distributed, so their first bytes are a good hash.
struct OidHash {
  std::size_t operator()(const git_oid& o) const {
    std::size_t h;
    std::memcpy(&h, o.id, sizeof h);
    return h;
  }
};
struct OidEq {
  bool operator()(const git_oid& a, const git_oid& b) const {
    return std::memcmp(a.id, b.id, GIT_OID_RAWSZ) == 0;
  }
};
struct OidLess {
  bool operator()(const git_oid& a, const git_oid& b) const {
    return std::memcmp(a.id, b.id, GIT_OID_RAWSZ) < 0;
  }
};

// A set of oids.
using OidSet = std::unordered_set<git_oid, OidHash, OidEq>;

// (path id, oid): a blob or tree at one interned path.
struct PathOid {
  uint32_t path = 0;
  git_oid oid{};
  bool operator==(const PathOid& o) const {
    return path == o.path && OidEq()(oid, o.oid);
  }
};
struct PathOidHash {
  std::size_t operator()(const PathOid& k) const {
    return OidHash()(k.oid) ^
           (static_cast<std::size_t>(k.path) * 0x9E3779B97F4A7C15ull);
  }
};

}  // namespace sprawl
