// RuleChecker: `sprawl rules check`. Verifies each rule in both engines:
// RE2 alone must capture each example's secret, the full matcher (Hyperscan
// prefilter + RE2 confirm + filters) must report it, and no negative example
// may yield a match of the rule. A rule expanded from a compact detector is
// also held to the positives and near misses synthesised from its shape
// (synthetic_cases.h). Stateless; thread-compatible.
#pragma once

#include <string>
#include <vector>

#include "scanner/match/matcher.h"

namespace sprawl {

struct RuleProblem {
  std::string rule_id;
  std::string where;    // origin:line
  std::string problem;  // never contains example secrets verbatim
};

std::vector<RuleProblem> CheckRules(const Matcher& matcher);

}  // namespace sprawl
