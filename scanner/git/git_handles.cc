#include "scanner/git/git_handles.h"

#include <mutex>

#include "scanner/git/object_store_health.h"

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
    // libgit2 maps packs in windows (1 GiB each, 8 GiB in all by default)
    // that stay mapped, and every page read stays resident: reading a
    // 496 MB pack through it counted all of it in the scan's resident set.
    // Smaller windows under a small mapped limit cost a remap now and then.
    git_libgit2_opts(GIT_OPT_SET_MWINDOW_SIZE, std::size_t{16} << 20);
    git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT, std::size_t{64} << 20);
    // A scanner only reads; repositories owned by another user (CI
    // checkouts, sweeps) must open like with `safe.directory=*`.
    git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, 0);
    // A partial clone may carry `extensions.partialclone`, which libgit2
    // 1.5 refuses to open unless told; a reader needs nothing from it (the
    // objects it lacks are reported missing like any other).
    const char* extensions[] = {"partialclone"};
    git_libgit2_opts(GIT_OPT_SET_EXTENSIONS, extensions, std::size_t{1});
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
  // A damaged or hostile pack is never opened by libgit2 (it can crash or
  // hang on one): then the database is assembled without it.
  std::shared_ptr<const ObjectStoreHealth> health =
      CheckObjectStore(objects_dir);
  if (!health->clean()) return OpenCheckedOdb(objects_dir, *health, k);
  std::string dir = objects_dir;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  for (int i = 0; i < k; ++i) dir += "/.";
  git_odb* odb = nullptr;
  if (git_odb_open(&odb, dir.c_str()) != 0) return nullptr;
  return GitOdbPtr(odb);
}

}  // namespace sprawl
