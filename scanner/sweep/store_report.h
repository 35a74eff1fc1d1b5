// ReportFromStore: builds the engine-free Report of a sweep from what the
// datastore holds (no rescan, no raw secrets: previews and fingerprints
// only), ready for Reconcile and any reporter. Pure over the datastore.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_set>

#include "scanner/base/result.h"
#include "scanner/datastore/datastore.h"
#include "scanner/findings/report.h"

namespace sprawl {

struct StoreReportOptions {
  // Only these repositories (their locations and rows); nullptr = all.
  const std::unordered_set<std::string>* repos = nullptr;
  // Credentials first seen in a sweep after this one are marked new
  // (`is_new`); the rest are marked not new.
  int64_t new_after_sweep = 0;
  // YYYY-MM-DD: only credentials first seen in a sweep started that day or
  // later ("" = all).
  std::string since;
  // false: `repositories` is left empty, for a caller that has the rows
  // already (a sweep reports the ones it just wrote).
  bool with_repositories = true;
};

// Credentials sorted by fingerprint; pipeline references (status unset
// until Reconcile) and findings sorted by repo, then place; `repositories`
// from the stored rows, sorted by repo; the rule table holds the rules the
// credentials name. `since` filters credentials only.
Result<Report> ReportFromStore(Datastore* store, const std::string& command,
                               const StoreReportOptions& options);

// The sweep "new" is measured against for `sprawl report`: the last
// finished sweep before the latest sweep (0 = none).
Result<int64_t> BaselineSweep(Datastore* store);

}  // namespace sprawl
