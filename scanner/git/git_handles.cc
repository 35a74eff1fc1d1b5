#include "scanner/git/git_handles.h"

#include <mutex>

namespace sprawl {

void EnsureLibgit2() {
  static std::once_flag once;
  std::call_once(once, [] {
    git_libgit2_init();
    // Hashing every object costs 2-4.5x on a full-history read; objects are
    // only read, never written, so corruption shows up as a parse error.
    git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
    // Every blob, tree and commit is read once: caching them only costs
    // memory and locking.
    git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, GIT_OBJECT_BLOB,
                     static_cast<size_t>(0));
    git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, GIT_OBJECT_TREE,
                     static_cast<size_t>(0));
    git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, GIT_OBJECT_COMMIT,
                     static_cast<size_t>(0));
    // A scanner only reads; repositories owned by another user (CI
    // checkouts, sweeps) must open like with `safe.directory=*`.
    git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, 0);
  });
}

std::string GitLastError(std::string_view fallback) {
  const git_error* e = git_error_last();
  if (e == nullptr || e->message == nullptr) return std::string(fallback);
  return e->message;
}

std::string GitHex(const git_oid& oid) {
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof buf, &oid);
  return buf;
}

GitOdbPtr OpenPrivateOdb(const std::string& objects_dir, int k) {
  std::string dir = objects_dir;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  for (int i = 0; i < k; ++i) dir += "/.";
  git_odb* odb = nullptr;
  if (git_odb_open(&odb, dir.c_str()) != 0) return nullptr;
  return GitOdbPtr(odb);
}

}  // namespace sprawl
