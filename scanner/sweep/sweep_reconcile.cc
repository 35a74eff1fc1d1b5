#include "scanner/sweep/sweep_reconcile.h"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "scanner/base/text.h"
#include "scanner/findings/credential_status.h"
#include "scanner/sweep/repo_inventory.h"

namespace sprawl {
namespace {

// One repository's own inventory folded over the org one.
struct OwnEntries {
  std::string repo;
  Inventory merged;                  // org + this repository's entries
  std::set<std::string> listed;      // fingerprints this repository adds
  std::set<std::string> ci_secrets;  // names its own entries add
};

std::string OrgName(const Inventory& org) {
  return org.path.empty() ? std::string("the org inventory")
                          : "the org inventory " + EscapeForDisplay(org.path);
}

// How the org inventory lists `fingerprint` ("" = it does not).
std::string OrgListing(const Inventory& org, const std::string& fingerprint) {
  if (auto it = org.credential_by_fingerprint.find(fingerprint);
      it != org.credential_by_fingerprint.end()) {
    return "as " + org.credentials[it->second].id;
  }
  if (org.allow_by_fingerprint.count(fingerprint) > 0) {
    return "in its allow list";
  }
  return "";
}

// Folds the own inventory of `row` (its recorded, valid text) over `org`;
// every entry that collides with the org inventory is left out with a
// warning. nullopt (with a warning) when it no longer loads.
std::optional<OwnEntries> Fold(const Inventory& org,
                               const StoredRepository& row,
                               Diagnostics* diagnostics) {
  const std::string name = OwnInventoryName(row.repo);
  auto own = ParseInventory(*row.inventory, name);
  if (!own.ok()) {
    diagnostics->Warn(row.repo, own.error().message +
                                    "; the org inventory alone applies to "
                                    "this repository");
    return std::nullopt;
  }
  auto conflict = [&](const std::string& what) {
    diagnostics->Warn(row.repo, what);
  };
  OwnEntries out;
  out.repo = row.repo;
  out.merged = org;
  if (out.merged.path.empty()) out.merged.path = name;
  for (Consumer& c : own->consumers) {
    if (org.consumer_by_id.count(c.id) > 0) {
      conflict("consumer '" + EscapeForDisplay(c.id) + "' is defined by " +
               OrgName(org) + " and by " + name + ":" + std::to_string(c.line) +
               "; the org inventory's applies");
      continue;
    }
    out.merged.consumer_by_id.emplace(c.id, out.merged.consumers.size());
    out.merged.consumers.push_back(std::move(c));
  }
  std::set<std::string> org_ids;
  for (const InventoryCredential& e : org.credentials) org_ids.insert(e.id);
  for (InventoryCredential& e : own->credentials) {
    if (org_ids.count(e.id) > 0) {
      conflict("credential id '" + EscapeForDisplay(e.id) + "' is in " +
               OrgName(org) + " and in " + name + ":" + std::to_string(e.line) +
               "; the org inventory's entry applies, the repository's is "
               "ignored");
      continue;
    }
    std::vector<std::string> kept;
    for (const std::string& f : e.fingerprints) {
      if (std::string how = OrgListing(org, f); !how.empty()) {
        std::string msg = f;
        msg += " is listed by ";
        msg += OrgName(org);
        msg += " (" + how + ") and by ";
        msg += name;
        msg += ":" + std::to_string(e.line);
        msg += " (as " + EscapeForDisplay(e.id);
        msg += "); the org inventory's entry applies";
        conflict(msg);
        continue;
      }
      kept.push_back(f);
    }
    if (kept.empty()) continue;
    e.fingerprints = std::move(kept);
    const std::size_t index = out.merged.credentials.size();
    for (const std::string& f : e.fingerprints) {
      out.merged.credential_by_fingerprint[f] = index;
      out.listed.insert(f);
    }
    out.ci_secrets.insert(e.ci_secrets.begin(), e.ci_secrets.end());
    out.merged.credentials.push_back(std::move(e));
  }
  for (AllowEntry& a : own->allow) {
    if (std::string how = OrgListing(org, a.fingerprint); !how.empty()) {
      std::string msg = a.fingerprint;
      msg += " is listed by ";
      msg += OrgName(org);
      msg += " (" + how + ") and by the allow list of ";
      msg += name;
      msg += ":" + std::to_string(a.line);
      msg += "; the org inventory's entry applies";
      conflict(msg);
      continue;
    }
    if (out.merged.credential_by_fingerprint.count(a.fingerprint) > 0) continue;
    out.merged.allow_by_fingerprint[a.fingerprint] = out.merged.allow.size();
    out.listed.insert(a.fingerprint);
    out.merged.allow.push_back(std::move(a));
  }
  return out;
}

// Position in the precedence order: lower is more severe.
std::size_t Rank(const std::string& status) {
  for (std::size_t i = 0; i < kAllCredentialStatuses.size(); ++i) {
    if (StatusName(kAllCredentialStatuses[i]) == status) return i;
  }
  return 0;
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) {
    out += (out.empty() ? "" : ", ") + EscapeForDisplay(n);
  }
  return out;
}

}  // namespace

void ReconcileSweep(const Inventory& org,
                    const std::vector<StoredRepository>& repositories,
                    const ReconcileOptions& options, Report* report,
                    Diagnostics* diagnostics) {
  std::map<std::string, OwnEntries> own;
  for (const StoredRepository& row : repositories) {
    if (!row.inventory_error.empty()) {
      diagnostics->Warn(row.repo,
                        std::string("own inventory ") + kOwnInventoryPath +
                            " not used (the org inventory alone applies to "
                            "this repository): " +
                            row.inventory_error);
      continue;
    }
    if (!row.inventory || row.inventory->empty()) continue;
    if (auto folded = Fold(org, row, diagnostics)) {
      own.emplace(row.repo, std::move(*folded));
    }
  }
  if (own.empty()) {
    Reconcile(org, options, report);
    return;
  }
  // Reconcile changes what it is given (status, reason, suggested owner,
  // confidence): each repository's verdict starts from the original.
  const std::vector<ReportedCredential> original = report->credentials;
  Reconcile(org, options, report);
  ReconcileOptions one = options;
  one.full_scan = false;  // `unseen` is the org inventory's
  for (std::size_t i = 0; i < report->credentials.size(); ++i) {
    ReportedCredential& c = report->credentials[i];
    if (!OrgListing(org, c.fingerprint).empty()) continue;
    std::set<std::string> repos;
    for (const Location& l : c.locations) repos.insert(l.repo);
    std::vector<const OwnEntries*> listing;
    std::vector<std::string> listing_names, missing;
    for (const std::string& r : repos) {
      auto it = own.find(r);
      if (it != own.end() && it->second.listed.count(c.fingerprint) > 0) {
        listing.push_back(&it->second);
        listing_names.push_back(OwnInventoryName(r));
      } else {
        missing.push_back(r);
      }
    }
    if (listing.empty()) continue;
    if (!missing.empty()) {
      // A repository's inventory speaks for that repository alone.
      c.reason += "; listed only by " + JoinNames(listing_names) +
                  ", which registers it in that repository alone, not in " +
                  JoinNames(missing);
      continue;
    }
    std::optional<ReportedCredential> worst;
    for (const OwnEntries* entries : listing) {
      Report single;
      single.credentials.push_back(original[i]);
      Reconcile(entries->merged, one, &single);
      ReportedCredential& verdict = single.credentials.front();
      verdict.reason += " (" + OwnInventoryName(entries->repo) + ")";
      if (!worst || Rank(verdict.status) < Rank(worst->status)) {
        worst = std::move(verdict);
      }
    }
    c = std::move(*worst);
  }
  for (PipelineReference& r : report->references) {
    if (r.status == "registered") continue;
    if (auto it = own.find(r.repo);
        it != own.end() && it->second.ci_secrets.count(r.name) > 0) {
      r.status = "registered";
    }
  }
}

}  // namespace sprawl
