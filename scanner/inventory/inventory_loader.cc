#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <fstream>
#include <set>
#include <sstream>

#include "scanner/base/redact.h"
#include "scanner/base/repo_file.h"
#include "scanner/base/text.h"
#include "scanner/base/redact.h"
#include "scanner/inventory/dates.h"
#include "scanner/inventory/inventory.h"
#include "scanner/inventory/yaml_tree.h"

namespace sprawl {

std::string Inventory::OwnerOf(const InventoryCredential& c) const {
  if (!c.owner.empty()) return c.owner;
  auto it = consumer_by_id.find(c.consumer);
  if (it != consumer_by_id.end()) return consumers[it->second].owner;
  return "";
}

namespace {

using YNode = YamlTree::Node;

bool ValidFingerprint(const std::string& f) {
  std::string_view hex;
  if (f.rfind("sha256:", 0) == 0) {
    hex = std::string_view(f).substr(7);
  } else if (f.rfind("hmac-sha256:", 0) == 0) {
    hex = std::string_view(f).substr(12);
  } else {
    return false;
  }
  if (hex.size() != 64) return false;
  for (char c : hex) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// The error for a value that is not a fingerprint. It may be the raw secret
// pasted by mistake, so the value itself is shown only redacted.
std::string NotAFingerprint(const std::string& value) {
  return "'" + RedactSecret(value, "") +
         "' is not sha256:<64 hex> or hmac-sha256:<64 hex> (never put the "
         "secret itself here: `sprawl inventory init` writes fingerprints)";
}

// Walks one inventory document; the first problem becomes `error_`.
class Loader {
 public:
  explicit Loader(std::string origin) : origin_(std::move(origin)) {}

  Result<Inventory> Load(const YNode& root) {
    Inventory inv;
    inv.path = origin_;
    if (!root || root.IsNull()) return Fail(root, "version", "empty inventory");
    if (!root.IsMap()) return Fail(root, "", "expected a mapping at the top");
    if (!Fields(root, "", {"version", "consumers", "credentials", "allow"})) {
      return error_;
    }
    const YNode v = root["version"];
    if (!v) return Fail(root, "version", "missing (expected 1)");
    if (!v.IsScalar() || v.Scalar() != "1") {
      return Fail(v, "version", "unsupported version (expected 1)");
    }
    if (!Consumers(root["consumers"], &inv)) return error_;
    if (!Credentials(root["credentials"], &inv)) return error_;
    if (!Allow(root["allow"], &inv)) return error_;
    return inv;
  }

 private:
  Error Fail(const YNode& n, const std::string& field,
             const std::string& what) {
    std::string where = origin_;
    if (n.IsDefined() && n.Mark().line >= 0) {
      where += ":" + std::to_string(n.Mark().line + 1) + ":" +
               std::to_string(n.Mark().column + 1);
    }
    error_ = Error{where + ": " + (field.empty() ? "" : "field '" + field + "': ") +
                   what};
    return error_;
  }

  bool Fields(const YNode& map, const std::string& ctx,
              std::initializer_list<const char*> allowed) {
    for (const auto& kv : map.Entries()) {
      const std::string key = kv.first.Scalar();
      bool ok = false;
      for (const char* a : allowed) ok = ok || key == a;
      if (!ok) {
        std::string list;
        for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
        Fail(kv.first, ctx + key, "unknown field (expected one of: " + list + ")");
        return false;
      }
    }
    return true;
  }

  bool Str(const YNode& map, const std::string& ctx, const char* key,
           bool required, std::string* out) {
    const YNode n = map[key];
    if (!n || n.IsNull()) {
      if (required) Fail(map, ctx + key, "missing");
      return !required;
    }
    if (!n.IsScalar()) {
      Fail(n, ctx + key, "expected a string");
      return false;
    }
    *out = n.Scalar();
    if (required && out->empty()) {
      Fail(n, ctx + key, "must not be empty");
      return false;
    }
    return true;
  }

  bool Date(const YNode& map, const std::string& ctx, const char* key,
            bool required, std::optional<int64_t>* out) {
    std::string s;
    if (!Str(map, ctx, key, required, &s)) return false;
    if (s.empty()) return true;
    *out = ParseDate(s);
    if (!*out) {
      Fail(map[key], ctx + key, "'" + s + "' is not a date (YYYY-MM-DD)");
      return false;
    }
    return true;
  }

  bool Duration(const YNode& map, const std::string& ctx, const char* key,
                std::optional<int64_t>* out) {
    std::string s;
    if (!Str(map, ctx, key, false, &s)) return false;
    if (s.empty()) return true;
    *out = ParseDuration(s);
    if (!*out) {
      Fail(map[key], ctx + key,
           "'" + s + "' is not a duration (Nd, Nw, Nm or Ny, e.g. 90d)");
      return false;
    }
    return true;
  }

  bool List(const YNode& map, const std::string& ctx, const char* key,
            std::vector<std::string>* out) {
    const YNode n = map[key];
    if (!n || n.IsNull()) return true;
    if (!n.IsSequence()) {
      Fail(n, ctx + key, "expected a list");
      return false;
    }
    for (const auto& item : n.Items()) {
      if (!item.IsScalar() || item.Scalar().empty()) {
        Fail(item, ctx + key, "expected a list of non-empty strings");
        return false;
      }
      out->push_back(item.Scalar());
    }
    return true;
  }

  bool Seq(const YNode& n, const char* key) {
    if (n && !n.IsNull() && !n.IsSequence()) {
      Fail(n, key, "expected a list");
      return false;
    }
    return true;
  }

  bool Consumers(const YNode& list, Inventory* inv) {
    if (!Seq(list, "consumers")) return false;
    if (!list || list.IsNull()) return true;
    std::size_t i = 0;
    for (const auto& n : list.Items()) {
      const std::string ctx = "consumers[" + std::to_string(i++) + "].";
      if (!n.IsMap()) {
        Fail(n, ctx, "expected a mapping");
        return false;
      }
      if (!Fields(n, ctx, {"id", "type", "owner", "purpose", "review_every",
                           "last_reviewed"})) {
        return false;
      }
      Consumer c;
      c.line = n.Mark().line + 1;
      if (!Str(n, ctx, "id", true, &c.id) || !Str(n, ctx, "type", true, &c.type) ||
          !Str(n, ctx, "owner", false, &c.owner) ||
          !Str(n, ctx, "purpose", false, &c.purpose) ||
          !Duration(n, ctx, "review_every", &c.review_every) ||
          !Date(n, ctx, "last_reviewed", false, &c.last_reviewed)) {
        return false;
      }
      static const std::set<std::string> kTypes = {
          "application", "partner", "service-account", "automation",
          "dev-client"};
      if (!kTypes.count(c.type)) {
        Fail(n["type"], ctx + "type",
             "'" + c.type +
                 "' is not one of application, partner, service-account, "
                 "automation, dev-client");
        return false;
      }
      if (!inv->consumer_by_id.emplace(c.id, inv->consumers.size()).second) {
        Fail(n["id"], ctx + "id", "duplicate consumer id '" + c.id + "'");
        return false;
      }
      inv->consumers.push_back(std::move(c));
    }
    return true;
  }

  bool Credentials(const YNode& list, Inventory* inv) {
    if (!Seq(list, "credentials")) return false;
    if (!list || list.IsNull()) return true;
    std::set<std::string> ids;
    std::size_t i = 0;
    for (const auto& n : list.Items()) {
      const std::string ctx = "credentials[" + std::to_string(i++) + "].";
      if (!n.IsMap()) {
        Fail(n, ctx, "expected a mapping");
        return false;
      }
      if (!Fields(n, ctx,
                  {"id", "provider", "fingerprints", "consumer", "owner",
                   "environment", "created", "expires", "rotate_every",
                   "last_rotated", "status", "ci_secrets", "allowed_paths",
                   "purpose"})) {
        return false;
      }
      InventoryCredential c;
      c.line = n.Mark().line + 1;
      if (!Str(n, ctx, "id", true, &c.id) ||
          !Str(n, ctx, "provider", true, &c.provider) ||
          !List(n, ctx, "fingerprints", &c.fingerprints) ||
          !Str(n, ctx, "consumer", false, &c.consumer) ||
          !Str(n, ctx, "owner", false, &c.owner) ||
          !Str(n, ctx, "environment", false, &c.environment) ||
          !Str(n, ctx, "purpose", false, &c.purpose) ||
          !Date(n, ctx, "created", false, &c.created) ||
          !Date(n, ctx, "expires", false, &c.expires) ||
          !Duration(n, ctx, "rotate_every", &c.rotate_every) ||
          !Date(n, ctx, "last_rotated", false, &c.last_rotated) ||
          !Str(n, ctx, "status", false, &c.status) ||
          !List(n, ctx, "ci_secrets", &c.ci_secrets) ||
          !List(n, ctx, "allowed_paths", &c.allowed_paths)) {
        return false;
      }
      if (c.status.empty()) c.status = "active";
      if (c.status != "active" && c.status != "revoked" && c.status != "retired") {
        Fail(n["status"], ctx + "status",
             "'" + c.status + "' is not one of active, revoked, retired");
        return false;
      }
      if (c.fingerprints.empty()) {
        Fail(n["fingerprints"] ? n["fingerprints"] : n, ctx + "fingerprints",
             "at least one fingerprint is required");
        return false;
      }
      for (std::size_t k = 0; k < c.fingerprints.size(); ++k) {
        const std::string& f = c.fingerprints[k];
        const YNode fn = n["fingerprints"][k];
        if (!ValidFingerprint(f)) {
          Fail(fn, ctx + "fingerprints", NotAFingerprint(f));
          return false;
        }
        auto [it, inserted] =
            inv->credential_by_fingerprint.emplace(f, inv->credentials.size());
        if (!inserted) {
          // The owner is this credential itself (not yet in credentials)
          // when it lists the same fingerprint twice.
          const std::string& owner = it->second < inv->credentials.size()
                                         ? inv->credentials[it->second].id
                                         : c.id;
          Fail(fn, ctx + "fingerprints",
               "fingerprint already registered by credential '" + owner +
                   "'" + (owner == c.id ? " (listed twice)" : ""));
          return false;
        }
      }
      if (!c.consumer.empty() && !inv->consumer_by_id.count(c.consumer)) {
        Fail(n["consumer"], ctx + "consumer",
             "unknown consumer '" + c.consumer + "'");
        return false;
      }
      if (!ids.insert(c.id).second) {
        Fail(n["id"], ctx + "id", "duplicate credential id '" + c.id + "'");
        return false;
      }
      inv->credentials.push_back(std::move(c));
    }
    return true;
  }

  bool Allow(const YNode& list, Inventory* inv) {
    if (!Seq(list, "allow")) return false;
    if (!list || list.IsNull()) return true;
    std::size_t i = 0;
    for (const auto& n : list.Items()) {
      const std::string ctx = "allow[" + std::to_string(i++) + "].";
      if (!n.IsMap()) {
        Fail(n, ctx, "expected a mapping");
        return false;
      }
      if (!Fields(n, ctx, {"fingerprint", "reason", "owner", "expires"})) {
        return false;
      }
      AllowEntry a;
      a.line = n.Mark().line + 1;
      std::optional<int64_t> expires;
      if (!Str(n, ctx, "fingerprint", true, &a.fingerprint) ||
          !Str(n, ctx, "reason", true, &a.reason) ||
          !Str(n, ctx, "owner", true, &a.owner) ||
          !Date(n, ctx, "expires", true, &expires)) {
        return false;
      }
      a.expires = *expires;
      if (!ValidFingerprint(a.fingerprint)) {
        Fail(n["fingerprint"], ctx + "fingerprint",
             NotAFingerprint(a.fingerprint));
        return false;
      }
      if (!inv->allow_by_fingerprint.emplace(a.fingerprint, inv->allow.size())
               .second) {
        Fail(n["fingerprint"], ctx + "fingerprint", "duplicate allow entry");
        return false;
      }
      inv->allow.push_back(std::move(a));
    }
    return true;
  }

  std::string origin_;
  Error error_;
};

}  // namespace

Status CheckFingerprintKind(const Inventory& inv, bool keyed) {
  const std::string wrong = keyed ? "sha256:" : "hmac-sha256:";
  auto problem = [&](int line, const std::string& field) {
    return Error{inv.path + ":" + std::to_string(line) + ": field '" + field +
                 "': " +
                 (keyed ? "plain sha256 fingerprints never match while "
                          "SPRAWL_FINGERPRINT_KEY is set (fingerprints are "
                          "then hmac-sha256)"
                        : "hmac-sha256 fingerprints need SPRAWL_FINGERPRINT_KEY "
                          "set to the key they were made with")};
  };
  for (const auto& c : inv.credentials) {
    for (const auto& f : c.fingerprints) {
      if (f.rfind(wrong, 0) == 0) return problem(c.line, "fingerprints");
    }
  }
  for (const auto& a : inv.allow) {
    if (a.fingerprint.rfind(wrong, 0) == 0) return problem(a.line, "fingerprint");
  }
  return Status::Ok();
}

Result<Inventory> ParseInventory(const std::string& yaml_text,
                                 const std::string& origin) {
  // The compact event-built tree: YAML::Node would cost ~9 KB and ~50 us per
  // entry, which dominates a run with a large inventory.
  auto tree = YamlTree::Parse(yaml_text, origin);
  if (!tree.ok()) return tree.error();
  try {
    return Loader(origin).Load((*tree)->root());
  } catch (const YAML::Exception& e) {
    return Error{origin + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg};
  }
}

Result<Inventory> LoadInventory(const std::string& path) {
  // Never blocks on a FIFO nor reads a device; no size cap (a flag names it).
  auto text = ReadBoundedFile(path, UINT64_MAX);
  if (!text.ok()) return text.error();
  if (!*text) return Error{EscapeForDisplay(path) + ": cannot read inventory"};
  return ParseInventory(**text, path);
}

}  // namespace sprawl
