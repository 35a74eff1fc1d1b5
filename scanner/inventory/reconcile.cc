#include "scanner/inventory/reconcile.h"

#include <algorithm>
#include <sstream>

#include "scanner/base/glob.h"
#include "scanner/base/text.h"
#include "scanner/findings/credential_status.h"
#include "scanner/findings/test_paths.h"
#include "scanner/inventory/dates.h"

namespace sprawl {
namespace {

bool PathAllowed(const std::vector<std::string>& globs, const std::string& path) {
  IgnoreRules rules;
  for (const auto& g : globs) rules.AddPattern("", g);
  return rules.Check(path, false) == IgnoreRules::Verdict::kIgnore;
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// Suggests an owner: CODEOWNERS for the first location, else the author of
// the commit that introduced it.
std::string Suggest(const ReportedCredential& c, const ReconcileOptions& o) {
  for (const auto& l : c.locations) {
    std::string owner = CodeOwnerFor(o.codeowners, l.path);
    if (!owner.empty()) return owner + " (CODEOWNERS)";
  }
  for (const auto& l : c.locations) {
    if (l.git && !l.git->commit.empty()) {
      const std::string who =
          l.git->author_email.empty() ? l.git->author : l.git->author_email;
      if (!who.empty()) {
        return who + " (introduced it in " + l.git->commit.substr(0, 12) + ")";
      }
    }
  }
  return "";
}

int ConfidenceRank(const std::string& name) {
  if (name == "low") return static_cast<int>(Confidence::kLow);
  if (name == "medium") return static_cast<int>(Confidence::kMedium);
  return static_cast<int>(Confidence::kHigh);
}

// The one place a credential's status and gate verdict are written: a
// failing status fails the gate only at or above the confidence floor.
void SetStatus(CredentialStatus status, const ReconcileOptions& o,
               ReportedCredential* c) {
  c->status = std::string(StatusName(status));
  c->fails = o.fail_on.count(c->status) > 0 &&
             ConfidenceRank(c->confidence) >= static_cast<int>(o.min_confidence);
}

}  // namespace

Result<Confidence> ParseMinConfidence(const std::string& text,
                                      const std::string& what) {
  if (text == "low") return Confidence::kLow;
  if (text == "medium") return Confidence::kMedium;
  if (text == "high") return Confidence::kHigh;
  return Error{what + ": expected low, medium or high, got '" + text + "'"};
}

std::string CodeOwnerFor(const std::string& codeowners, const std::string& path) {
  std::istringstream in(codeowners);
  std::string line;
  std::string owner;
  while (std::getline(in, line)) {
    std::string_view l = Trim(line);
    if (l.empty() || l[0] == '#') continue;
    const std::size_t sp = l.find_first_of(" \t");
    if (sp == std::string_view::npos) continue;
    IgnoreRules rule;
    rule.AddPattern("", l.substr(0, sp));
    // A pattern naming a directory owns everything below it.
    bool hit = false;
    std::string prefix;
    std::size_t pos = 0;
    while (!hit) {
      const std::size_t slash = path.find('/', pos);
      const bool last = slash == std::string::npos;
      prefix = last ? path : path.substr(0, slash);
      hit = rule.Check(prefix, !last) == IgnoreRules::Verdict::kIgnore;
      if (last) break;
      pos = slash + 1;
    }
    if (hit) owner = std::string(Trim(l.substr(sp)));
  }
  return owner;
}

void Reconcile(const Inventory& inv, const ReconcileOptions& o, Report* report) {
  // Every report (a scan's, a datastore's) passes here once with all its
  // locations merged: the place to judge where a credential lives.
  LowerConfidenceOfTestOnlyCredentials(report);
  std::set<std::string> seen_ids;
  for (ReportedCredential& c : report->credentials) {
    std::set<std::string> repos;
    for (const auto& l : c.locations) repos.insert(l.repo);
    c.reused = repos.size() > 1;
    CredentialStatus status = CredentialStatus::kUnregistered;
    auto it = inv.credential_by_fingerprint.find(c.fingerprint);
    if (it == inv.credential_by_fingerprint.end()) {
      auto al = inv.allow_by_fingerprint.find(c.fingerprint);
      if (al != inv.allow_by_fingerprint.end() &&
          inv.allow[al->second].expires >= o.today) {
        const AllowEntry& a = inv.allow[al->second];
        status = CredentialStatus::kAllowed;
        c.reason = "allowed until " + FormatDate(a.expires) + ": " + a.reason;
        c.owner = a.owner;
      } else {
        status = CredentialStatus::kUnregistered;
        c.reason = al != inv.allow_by_fingerprint.end()
                       ? "allow entry expired " +
                             FormatDate(inv.allow[al->second].expires)
                       : (inv.path.empty() ? "no inventory" : "not in the inventory");
        std::string s = Suggest(c, o);
        if (!s.empty()) c.suggested_owner = s;
      }
      SetStatus(status, o, &c);
      continue;
    }
    const InventoryCredential& e = inv.credentials[it->second];
    seen_ids.insert(e.id);
    c.inventory_id = e.id;
    c.environment = e.environment;
    const std::string owner = inv.OwnerOf(e);
    if (!owner.empty()) c.owner = owner;
    std::vector<std::string> misplaced;
    if (!e.allowed_paths.empty()) {
      for (const auto& l : c.locations) {
        if (!PathAllowed(e.allowed_paths, l.path)) misplaced.push_back(l.path);
      }
    }
    const Consumer* consumer = nullptr;
    if (auto ci = inv.consumer_by_id.find(e.consumer); ci != inv.consumer_by_id.end()) {
      consumer = &inv.consumers[ci->second];
    }
    // A credential of a service or pipeline consumer does not belong in a
    // developer tool's config (scanner/clients), unless allowed_paths
    // names that file; a `dev-client` consumer's credentials may live there.
    std::vector<std::string> in_client;
    if (consumer != nullptr && consumer->type != "dev-client") {
      for (const auto& l : c.locations) {
        if (!l.client) continue;
        if (!e.allowed_paths.empty() && PathAllowed(e.allowed_paths, l.path)) {
          continue;
        }
        in_client.push_back(l.client->client + " " + l.path);
      }
      std::sort(in_client.begin(), in_client.end());
      in_client.erase(std::unique(in_client.begin(), in_client.end()),
                      in_client.end());
    }
    std::optional<int64_t> rotation_due;
    if (e.rotate_every) {
      const auto base = e.last_rotated ? e.last_rotated : e.created;
      if (base) rotation_due = *base + *e.rotate_every;
    }
    std::optional<int64_t> review_due;
    if (consumer != nullptr && consumer->review_every) {
      review_due = consumer->last_reviewed
                       ? *consumer->last_reviewed + *consumer->review_every
                       : o.today - 1;  // never reviewed: overdue
    }
    if (e.status != "active") {
      status = CredentialStatus::kRevoked;
      c.reason = e.status == "revoked" ? "revoked in the inventory, still present"
                                       : "retired in the inventory, still present";
    } else if (e.expires && *e.expires < o.today) {
      status = CredentialStatus::kExpired;
      c.reason = "expired " + FormatDate(*e.expires);
    } else if (owner.empty()) {
      status = CredentialStatus::kUnowned;
      c.reason = "no owner on the entry" +
                 std::string(consumer ? " or its consumer " + consumer->id : "");
    } else if (!misplaced.empty()) {
      std::sort(misplaced.begin(), misplaced.end());
      misplaced.erase(std::unique(misplaced.begin(), misplaced.end()),
                      misplaced.end());
      status = CredentialStatus::kMisplaced;
      c.reason = "outside allowed_paths " + Join(e.allowed_paths) + ": " +
                 EscapeForDisplay(Join(misplaced));
    } else if (!in_client.empty()) {
      status = CredentialStatus::kMisplaced;
      c.reason =
          "in a developer tool's config: " + EscapeForDisplay(Join(in_client));
    } else if (rotation_due && *rotation_due < o.today) {
      status = CredentialStatus::kRotationOverdue;
      c.reason = "rotation was due " + FormatDate(*rotation_due);
    } else if (review_due && *review_due < o.today) {
      status = CredentialStatus::kReviewOverdue;
      c.reason = consumer->last_reviewed
                     ? "consumer " + consumer->id + " review was due " +
                           FormatDate(*review_due)
                     : "consumer " + consumer->id + " was never reviewed";
    } else {
      status = CredentialStatus::kRegistered;
      c.reason = "registered as " + e.id;
    }
    if (status == CredentialStatus::kUnowned) {
      std::string s = Suggest(c, o);
      if (!s.empty()) c.suggested_owner = s;
    }
    SetStatus(status, o, &c);
  }
  std::set<std::string> ci_names;
  for (const auto& e : inv.credentials) {
    ci_names.insert(e.ci_secrets.begin(), e.ci_secrets.end());
  }
  for (auto& r : report->references) {
    r.status = ci_names.count(r.name) ? "registered" : "unregistered";
  }
  if (o.full_scan) {
    std::vector<std::string> unseen;
    for (const auto& e : inv.credentials) {
      if (!seen_ids.count(e.id)) unseen.push_back(e.id);
    }
    std::sort(unseen.begin(), unseen.end());
    report->unseen = std::move(unseen);
  }
}

}  // namespace sprawl
