// ReconcileSweep: reconciles a sweep's report against the org inventory and
// each swept repository's own .sprawl/inventory.yaml (docs/sweeps.md,
// "Repository inventories"). The rule:
//   - the org inventory decides every credential it lists (an entry or an
//     allow entry for its fingerprint); a repository entry for the same
//     fingerprint or id, or a repository consumer of the same id, is
//     ignored with one warning naming both files;
//   - a credential the org inventory does not list is reconciled against a
//     repository's own inventory (merged over the org one) only when every
//     repository it is found in lists it in its own inventory; when several
//     do, each is applied and the most severe status (in precedence order)
//     stands, so no repository's entry relaxes another's;
//   - listed by some of its repositories only, it stays unregistered, and
//     its reason names which repositories list it and which do not;
//   - a pipeline reference is registered by its own repository's
//     ci_secrets too.
// An own inventory that could not be read or loaded is one warning for its
// repository, and the org inventory alone applies there. Pure over its
// inputs but for the diagnostics.
#pragma once

#include <vector>

#include "scanner/base/diagnostics.h"
#include "scanner/datastore/datastore.h"
#include "scanner/findings/report.h"
#include "scanner/inventory/inventory.h"
#include "scanner/inventory/reconcile.h"

namespace sprawl {

// `repositories`: the swept rows with their recorded own inventories (rows
// not in the report are harmless); empty = the org inventory alone, as
// before repository inventories (--no-repo-inventory).
void ReconcileSweep(const Inventory& org,
                    const std::vector<StoredRepository>& repositories,
                    const ReconcileOptions& options, Report* report,
                    Diagnostics* diagnostics);

}  // namespace sprawl
