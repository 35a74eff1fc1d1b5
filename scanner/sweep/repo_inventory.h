// ReadOwnInventory: what a sweep records of a repository's own
// .sprawl/inventory.yaml, read from the tree of its default branch tip
// (HEAD of the clone or bare mirror, never a work tree), size-capped like
// every repository-supplied file (kMaxRepoFileSize) and validated with the
// inventory loader. The text is kept only when it loads, so a malformed
// file (a secret pasted where a fingerprint belongs) never reaches the
// datastore; otherwise the reason is kept, for a per-repository warning.
// Free function; thread-safe.
#pragma once

#include <string>

namespace sprawl {

// Where a repository keeps its own inventory, relative to its top.
inline constexpr const char* kOwnInventoryPath = ".sprawl/inventory.yaml";

struct OwnInventory {
  std::string text;   // the file when it loads as an inventory; "" else
  std::string error;  // why it cannot be used; "" when fine or absent
};

// Reads and validates the own inventory of the repository at `repo_path`
// (named `key` in messages). `keyed`: fingerprints are hmac-sha256
// (SPRAWL_FINGERPRINT_KEY is set); an inventory of the other kind is
// refused, as the org inventory would be.
OwnInventory ReadOwnInventory(const std::string& repo_path,
                              const std::string& key, bool keyed);

// How a repository's own inventory is named in diagnostics and reasons.
std::string OwnInventoryName(const std::string& key);

}  // namespace sprawl
