// Rule cache: the parsed rules (without examples) stored as JSON next to the
// compiled Hyperscan database, keyed by a hash of the pack texts, so a warm
// start (pre-commit) skips YAML parsing. Entries are private (0700 directory,
// 0600 files, owner checked) and sealed with a SHA-256 of their content
// (scanner/base/private_file.h): a missing entry is a miss, a tampered,
// foreign or empty one is a miss with a reason. Stateless functions;
// concurrent runs are safe (entries are written to a temporary name and
// renamed).
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
// nullopt on a miss; `why` (when given) says why an existing entry was
// refused, "" for a plain miss.
std::optional<std::vector<Rule>> LoadCachedRules(const std::string& dir,
                                                 const std::string& key,
                                                 std::string* why = nullptr);
// Whether an entry for `key` exists (one stat; it may still fail to load).
bool HasCachedRules(const std::string& dir, const std::string& key);
void StoreCachedRules(const std::string& dir, const std::string& key,
                      const std::vector<Rule>& rules);

}  // namespace sprawl
