// Loads rule packs: the built-in ones embedded in the binary at build time
// and user packs given with --rules (a file or a directory of *.yaml).
// Every structural problem is an Error naming file, line, rule id and field.
// Stateless functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "scanner/base/result.h"
#include "scanner/ruleset/rule.h"
#include "scanner/ruleset/rule_cache.h"

namespace sprawl {

// Parses one pack. `origin` names the file in errors.
Result<std::vector<Rule>> ParseRulePack(std::string_view yaml_text,
                                        const std::string& origin);

// All built-in packs, in file-name order.
Result<std::vector<Rule>> LoadBuiltinRules();

// A pack file, or every *.yaml / *.yml file of a directory (sorted).
Result<std::vector<Rule>> LoadRulesFromPath(const std::string& path);

// The texts of the built-in packs followed by those under each path (a file,
// or every *.yaml / *.yml of a directory, sorted).
Result<std::vector<PackText>> ReadRulePacks(
    const std::vector<std::string>& paths);
// Parses and merges packs in order; duplicate ids are an Error.
Result<std::vector<Rule>> ParseRulePacks(const std::vector<PackText>& packs);

// Appends `more` to `rules`; a duplicate id is an error naming both origins.
Status MergeRules(std::vector<Rule>* rules, std::vector<Rule> more);

// The raw text of the built-in packs, for hashing and `rules list`.
struct EmbeddedPack {
  std::string_view name;
  std::string_view text;
};
std::vector<EmbeddedPack> BuiltinPacks();

}  // namespace sprawl
