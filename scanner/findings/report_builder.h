// BuildReport turns grouped credentials into the engine-free Report that
// reporters render, applying the secrets policy (redaction) and the gate
// policy (which statuses fail). Pure function; thread-safe.
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
  std::set<std::string> fail_on = DefaultFailOn();
};

Report BuildReport(const std::string& command,
                   std::vector<Credential> credentials,
                   const std::vector<Rule>& rules,
                   const ReportOptions& options);

// True when any credential fails the policy (exit code 1).
bool ReportFails(const Report& report);

}  // namespace sprawl
