// Reconcile: gives each credential of a Report exactly one status from the
// inventory, by the precedence of DESIGN.md (revoked, expired, unowned,
// misplaced, unregistered, rotation-overdue, review-overdue, allowed,
// registered), with the reason in words, the owner (directly or through the
// consumer), a suggested owner for unowned and unregistered ones, and the
// pass/fail verdict of the policy. It also lowers to low the confidence of
// credentials seen only under test directories (findings/test_paths.h), which
// needs every location merged. Pure function over its inputs.
#pragma once

#include <cstdint>
#include <set>
#include <string>

#include "scanner/findings/report.h"
#include "scanner/inventory/inventory.h"
#include "scanner/base/result.h"
#include "scanner/ruleset/rule.h"

namespace sprawl {

struct ReconcileOptions {
  int64_t today = 0;             // day number (--now or UTC today)
  bool full_scan = false;        // fill inventory.unseen
  std::set<std::string> fail_on; // statuses that fail the gate
  std::string codeowners;        // CODEOWNERS text of the root ("" = none)
  // Credentials below this confidence (after test-location lowering) are
  // reported but never fail the gate (--min-confidence).
  Confidence min_confidence = Confidence::kMedium;
};

// "low" | "medium" | "high" to a Confidence; an Error naming `what` else.
Result<Confidence> ParseMinConfidence(const std::string& text,
                                      const std::string& what);

void Reconcile(const Inventory& inventory, const ReconcileOptions& options,
               Report* report);

// Owner by CODEOWNERS for `path` (last matching line wins); "" if none.
std::string CodeOwnerFor(const std::string& codeowners, const std::string& path);

}  // namespace sprawl
