// BuildReport turns grouped credentials into the rows of the engine-free
// Report that reporters render, applying the secrets policy (redaction).
// Status, reason and the gate verdict (`fails`) are left for Reconcile
// (inventory/reconcile.h), which sets them once; AssembleReport
// (report/assemble_report.h) chains the two. Pure function; thread-safe.
#pragma once

#include <set>
#include <unordered_set>
#include <string>
#include <vector>

#include "scanner/base/result.h"
#include "scanner/findings/credential.h"
#include "scanner/findings/report.h"
#include "scanner/ruleset/rule.h"

namespace sprawl {

// Every status a credential can have, in precedence order (DESIGN.md).
const std::vector<std::string>& AllStatuses();
// The statuses that fail the gate unless --fail-on says otherwise.
std::set<std::string> DefaultFailOn();
// Parses "revoked,expired" (or "none"); unknown names are an Error.
Result<std::set<std::string>> ParseFailOn(const std::string& csv);

struct ReportOptions {
  bool show_secrets = false;           // include raw secrets (--show-secrets)
  // `git --range`, once classified: SHA-256 hex digests of the secrets the
  // range inherited from its base. Sets every credential's is_new. Not owned.
  const std::unordered_set<std::string>* inherited = nullptr;
};

// The one mapping of a credential to a report row: what its rule says of it
// (id, name, provider, category, confidence, the other rules that matched)
// and the preview; the raw secret only with `show_secrets`. Status, reason
// and `fails` are left at their defaults for Reconcile. Sweeps store these
// rows (scanner/sweep/sweep.cc) and read them back (store_report.cc).
ReportedCredential ReportRow(Credential c, const std::vector<Rule>& rules,
                             bool show_secrets);

Report BuildReport(const std::string& command,
                   std::vector<Credential> credentials,
                   const std::vector<Rule>& rules,
                   const ReportOptions& options);

// policy.fail_on_new_only / --new-only: a credential the range inherited
// (is_new == false) does not fail the gate; its status is unchanged and its
// reason says why it passes.
void ApplyNewOnly(Report* report);

// True when any credential fails the policy (exit code 1).
bool ReportFails(const Report& report);

}  // namespace sprawl
