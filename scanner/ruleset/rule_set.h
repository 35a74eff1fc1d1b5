// The rule set a Matcher is built from: the parsed rule packs (built-in and
// --rules) followed by the rules sprawl itself reports under, which no pack
// holds (pipeline.literal-secret, found by the pipeline analyzer). Both ways
// to get one add them the same way: parsing packs (and storing the parsed
// packs in the rule cache) or loading the packs from the cache. Functions
// over their inputs and the cache directory; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scanner/base/result.h"
#include "scanner/ruleset/rule.h"
#include "scanner/ruleset/rule_cache.h"

namespace sprawl {

inline constexpr std::string_view kPipelineLiteralSecretRuleId =
    "pipeline.literal-secret";

// The rule literal-secret findings are reported under. It has no useful
// pattern (the pipeline analyzer finds these, not the matcher): its pattern
// is a NUL-delimited literal no text file contains, so it compiles in both
// engines and costs nothing.
Rule PipelineLiteralSecretRule();

// Parses `packs`, stores the parsed rules in the cache at `cache_dir` under
// `key` ("" dir = no cache), and appends sprawl's own rules: the pipeline
// literal rule, then `own` (rules of higher layers, such as the developer-
// client rules of scanner/clients). A broken pack is an Error.
Result<std::vector<Rule>> BuildRuleSet(const std::vector<PackText>& packs,
                                       const std::string& cache_dir,
                                       const std::string& key,
                                       std::vector<Rule> own = {});

// The packs cached under `key` plus sprawl's own rules (as BuildRuleSet);
// nullopt when the cache holds no usable entry, with `*why` set when an
// entry was there but refused (tampered, foreign owner, empty).
std::optional<std::vector<Rule>> LoadCachedRuleSet(const std::string& cache_dir,
                                                   const std::string& key,
                                                   std::string* why,
                                                   std::vector<Rule> own = {});

}  // namespace sprawl
