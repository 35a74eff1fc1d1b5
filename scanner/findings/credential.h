// Credential: one distinct secret value (identified by its fingerprint) with
// every location where it was found. GroupCredentials merges per-thread
// findings deterministically: credentials sorted by fingerprint, locations by
// (path, line, column, commit), so any thread count gives identical output.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "scanner/findings/finding.h"
#include "scanner/ruleset/rule.h"

namespace sprawl {

// Computes fingerprints: "sha256:<hex>" or, with a key (from
// SPRAWL_FINGERPRINT_KEY), "hmac-sha256:<hex>". Thread-safe.
class Fingerprinter {
 public:
  explicit Fingerprinter(std::optional<std::string> key = std::nullopt)
      : key_(std::move(key)) {}
  std::string operator()(std::string_view secret) const;

 private:
  std::optional<std::string> key_;
};

struct Credential {
  std::string fingerprint;
  std::string secret;           // raw; only reporters with --show-secrets see it
  uint32_t rule = 0;            // the most specific rule that matched it
  std::vector<uint32_t> rules;  // every rule that matched it, ascending
  std::vector<Location> locations;
  // The non-secret identifier paired with it (an AWS key id, an endpoint
  // host), shown as is; "" when none (findings/pairing.h).
  std::string identifier;
};

// Higher means more specific: confidence, then prefix length, then keywords.
int RuleSpecificity(const Rule& rule);

std::vector<Credential> GroupCredentials(std::vector<Finding> findings,
                                         const std::vector<Rule>& rules,
                                         const Fingerprinter& fingerprint);

}  // namespace sprawl
