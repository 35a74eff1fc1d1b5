// SyntheticCases: positive examples and near-miss negatives generated from
// a compact detector's token shape when `rules check` runs (rules/README.md,
// "Compact detectors"): random tokens of the shape in the typical contexts,
// and the same contexts with a wrong length, a wrong alphabet, no keyword, or
// a placeholder. Tokens come from a generator seeded by the rule id, so a
// run is reproducible; none is a real credential. Pure; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "scanner/ruleset/rule.h"

namespace sprawl {

struct SyntheticCase {
  std::string label;   // which context or near miss ("env", "wrong length")
  std::string text;
  std::string secret;  // positives only
};

struct SyntheticCases {
  std::vector<SyntheticCase> positives;
  std::vector<SyntheticCase> negatives;
};

// Empty when `rule` was not expanded from a detector. `accept` filters
// candidate tokens (the rule's entropy and placeholder filters) so every
// positive is one the rule must report.
SyntheticCases MakeSyntheticCases(const Rule& rule);

// A random token of `shape` (prefix included) from `seed`.
std::string RandomToken(const TokenShape& shape, std::size_t length,
                        uint64_t seed);

}  // namespace sprawl
