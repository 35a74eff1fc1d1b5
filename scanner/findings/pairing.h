// Pairing: joins the two parts of a multi-part credential (an identifier and
// its secret, rules/README.md "Identifiers"). A credential of rule S gets the
// `identifier` of the nearest match of a rule I that `identifies` S, in the
// same file or blob (same source, path, repo and blob) within I's
// `within_lines`. The fingerprint stays the secret's. Identifier credentials
// then leave the list: identifier-only ones always, others (an AWS key id,
// which is also reported alone) when every location was paired.
// Pure function; thread-safe.
#pragma once

#include <vector>

#include "scanner/findings/credential.h"
#include "scanner/ruleset/rule.h"

namespace sprawl {

void PairCredentials(const std::vector<Rule>& rules,
                     std::vector<Credential>* credentials);

}  // namespace sprawl
