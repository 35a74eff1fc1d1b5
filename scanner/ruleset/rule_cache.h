// Rule cache: the parsed rules (without examples) stored as JSON next to the
// compiled Hyperscan database, keyed by a hash of the pack texts, so a warm
// start (pre-commit) skips YAML parsing. A missing or unreadable cache entry
// is simply a miss. Stateless functions; concurrent runs are safe (entries
// are written to a temporary name and renamed).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "scanner/ruleset/rule.h"

namespace sprawl {

struct PackText {
  std::string origin;  // builtin:rules/x.yaml or a path
  std::string text;
};

std::string RulesCacheKey(const std::vector<PackText>& packs);
std::optional<std::vector<Rule>> LoadCachedRules(const std::string& dir,
                                                 const std::string& key);
// Whether an entry for `key` exists (one stat; it may still fail to load).
bool HasCachedRules(const std::string& dir, const std::string& key);
void StoreCachedRules(const std::string& dir, const std::string& key,
                      const std::vector<Rule>& rules);

}  // namespace sprawl
