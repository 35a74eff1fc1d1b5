// Inventory: the v1 credential register of DESIGN.md (consumers, credentials,
// allow entries), validated strictly on load: unknown fields, bad dates or
// durations, duplicate ids, dangling consumers and malformed fingerprints
// are Errors naming file, line, column and field. Immutable once loaded;
// safe to share across threads.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "scanner/base/result.h"

namespace sprawl {

struct Consumer {
  std::string id;
  std::string type;     // application | partner | service-account |
                        // automation | dev-client (a developer tool:
                        // its credentials may live in client files)
  std::string owner;
  std::string purpose;
  std::optional<int64_t> review_every;   // days
  std::optional<int64_t> last_reviewed;  // day number
  int line = 0;
};

struct InventoryCredential {
  std::string id;
  std::string provider;
  std::vector<std::string> fingerprints;
  std::string consumer;  // consumer id, may be empty
  std::string owner;     // direct owner, may be empty
  std::string environment;
  std::optional<int64_t> created;
  std::optional<int64_t> expires;
  std::optional<int64_t> rotate_every;  // days
  std::optional<int64_t> last_rotated;
  std::string status = "active";  // active | revoked | retired
  std::vector<std::string> ci_secrets;
  std::vector<std::string> allowed_paths;  // gitignore-style globs
  std::string purpose;
  int line = 0;
};

struct AllowEntry {
  std::string fingerprint;
  std::string reason;
  std::string owner;
  int64_t expires = 0;
  int line = 0;
};

struct Inventory {
  std::string path;  // "" when no inventory was found
  std::vector<Consumer> consumers;
  std::vector<InventoryCredential> credentials;
  std::vector<AllowEntry> allow;

  // Lookups; built by the loader.
  std::map<std::string, std::size_t> credential_by_fingerprint;
  std::map<std::string, std::size_t> consumer_by_id;
  std::map<std::string, std::size_t> allow_by_fingerprint;

  // The owner of a credential: its own, else its consumer's ("" = none).
  std::string OwnerOf(const InventoryCredential& c) const;
};

// Checks that the inventory's fingerprint kind fits the run: HMAC
// fingerprints need SPRAWL_FINGERPRINT_KEY (`keyed`), plain sha256 ones never
// match a keyed run. Error names the file and line of the first offender.
Status CheckFingerprintKind(const Inventory& inventory, bool keyed);

Result<Inventory> ParseInventory(const std::string& yaml_text,
                                 const std::string& origin);
Result<Inventory> LoadInventory(const std::string& path);

}  // namespace sprawl
