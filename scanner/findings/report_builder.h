// BuildReport turns grouped credentials into the rows of the engine-free
// Report that reporters render, applying the secrets policy (redaction).
// Status, reason and the gate verdict (`fails`) are left for Reconcile
// (inventory/reconcile.h), which sets them once; AssembleReport
// (report/assemble_report.h) chains the two. Pure function; thread-safe.
#pragma once

#include <set>
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

// True when any credential fails the policy (exit code 1).
bool ReportFails(const Report& report);

}  // namespace sprawl
