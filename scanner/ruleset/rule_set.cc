#include "scanner/ruleset/rule_set.h"

#include <utility>

#include "scanner/ruleset/rule_loader.h"

namespace sprawl {

Rule PipelineLiteralSecretRule() {
  Rule r;
  r.id = std::string(kPipelineLiteralSecretRuleId);
  r.name = "Literal secret in a CI pipeline";
  r.provider = "generic";
  r.category = "ci";
  r.confidence = Confidence::kMedium;
  // Never matches text: found by the pipeline analyzer, not the matcher.
  r.pattern = "\\x00sprawl-pipeline-literal\\x00([\\x21-\\x7e]{8})";
  r.description =
      "A literal assigned to a secret-like name (*_TOKEN, *_SECRET, "
      "*PASSWORD*, *_API_KEY, login action inputs) in a CI pipeline file; "
      "reference a secret store instead.";
  r.origin = "builtin:pipelines";
  return r;
}

Result<std::vector<Rule>> BuildRuleSet(const std::vector<PackText>& packs,
                                       const std::string& cache_dir,
                                       const std::string& key,
                                       std::vector<Rule> own) {
  auto rules = ParseRulePacks(packs);
  if (!rules.ok()) return rules.error();
  if (!cache_dir.empty()) StoreCachedRules(cache_dir, key, *rules);
  rules->push_back(PipelineLiteralSecretRule());
  for (Rule& r : own) rules->push_back(std::move(r));
  return rules;
}

std::optional<std::vector<Rule>> LoadCachedRuleSet(const std::string& cache_dir,
                                                   const std::string& key,
                                                   std::string* why,
                                                   std::vector<Rule> own) {
  auto rules = LoadCachedRules(cache_dir, key, why);
  if (rules) {
    rules->push_back(PipelineLiteralSecretRule());
    for (Rule& r : own) rules->push_back(std::move(r));
  }
  return rules;
}

}  // namespace sprawl
