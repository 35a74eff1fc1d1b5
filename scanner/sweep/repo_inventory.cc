#include "scanner/sweep/repo_inventory.h"

#include "scanner/base/repo_file.h"
#include "scanner/base/text.h"
#include "scanner/git/head_file.h"
#include "scanner/inventory/inventory.h"

namespace sprawl {

std::string OwnInventoryName(const std::string& key) {
  return EscapeForDisplay(key) + ":" + kOwnInventoryPath;
}

OwnInventory ReadOwnInventory(const std::string& repo_path,
                              const std::string& key, bool keyed) {
  OwnInventory out;
  auto text = ReadHeadFile(repo_path, kOwnInventoryPath, kMaxRepoFileSize);
  if (!text.ok()) {
    out.error = text.error().message;
    return out;
  }
  if (!*text) return out;  // none: the org inventory alone applies
  // Parsed under the name reports use, so a line number points into it.
  auto inventory = ParseInventory(**text, OwnInventoryName(key));
  if (!inventory.ok()) {
    out.error = inventory.error().message;
    return out;
  }
  if (Status kind = CheckFingerprintKind(*inventory, keyed); !kind.ok()) {
    out.error = kind.error().message;
    return out;
  }
  out.text = std::move(**text);
  return out;
}

}  // namespace sprawl
