// Joins developer-client analysis to a scan: the synthetic rules that name
// credentials found by their place in a client's file (one per client,
// `client.<client>-secret`), and AnnotateClientFile, which a scan source
// (dir workers, git annotators) calls once per client file after the rules
// ran over it. Stateless functions; thread-safe; call from any worker with
// that worker's own output vectors and value scanner.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "scanner/base/diagnostics.h"
#include "scanner/findings/finding.h"
#include "scanner/pipelines/pipeline_scan.h"
#include "scanner/ruleset/rule.h"

namespace sprawl {

inline constexpr std::string_view kClientRuleOrigin = "builtin:clients";

// One rule per client, `client.<client>-secret`, high confidence, category
// `dev-client`, provider the client's (aws-cli -> aws, gcloud -> gcp,
// azure-cli -> azure, kubeconfig -> kubernetes, else the client name).
// Their patterns never match text (the readers find these): append them to
// the rule list the Matcher is built from so reports can name them.
std::vector<Rule> ClientSecretRules();

// The indexes of those rules in a Matcher's rule list.
class ClientRuleIndex {
 public:
  explicit ClientRuleIndex(const std::vector<Rule>& rules);
  // The rule of `client`, or nullopt when the list lacks it.
  std::optional<uint32_t> For(std::string_view client) const;

 private:
  std::map<std::string, uint32_t, std::less<>> by_client_;
};

// Runs the provider rules over one value (a secret decoded out of base64,
// which the text scan cannot see): (rule, secret) pairs.
using ValueScanner = std::function<void(
    std::string_view value, std::vector<std::pair<uint32_t, std::string>>*)>;

// Analyses the client file `content` (client from ClientFor) and folds the
// result into a scan:
//  - findings[first, end) are this file's rule findings: each gets a
//    ClientContext (with key path, endpoint and server when it lies in a
//    value the reader found);
//  - each literal becomes a Finding of its client rule at `where` (source,
//    path, git provenance copied; line/column set), unless a provider rule
//    matched only part of it (that rule names the credential); a decoded
//    literal is also run through `rescan` so provider rules name it;
//  - references are appended to `out->references` (system = client);
//  - analyzer diagnostics become warnings on `where.path`.
void AnnotateClientFile(std::string_view content, std::string_view client,
                        const Location& where, const ClientRuleIndex& rules,
                        const ValueScanner& rescan,
                        std::vector<Finding>* findings, std::size_t first,
                        PipelineOutputs* out, Diagnostics* diagnostics,
                        const PipelineLimits& limits = {});

}  // namespace sprawl
