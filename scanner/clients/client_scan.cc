#include "scanner/clients/client_scan.h"

#include "scanner/base/text.h"
#include "scanner/clients/client_analysis.h"
#include "scanner/clients/client_files.h"

namespace sprawl {
namespace {

std::string ProviderOf(std::string_view client) {
  if (client == kAwsCli) return "aws";
  if (client == kGcloud) return "gcp";
  if (client == kAzureCli) return "azure";
  if (client == kKubeconfig) return "kubernetes";
  return std::string(client);
}

std::string RuleIdOf(std::string_view client) {
  return "client." + std::string(client) + "-secret";
}

ClientContext ContextOf(std::string_view client, const ClientLiteral* l) {
  ClientContext c;
  c.client = std::string(client);
  if (l != nullptr) {
    c.endpoint = l->endpoint;
    c.server = l->server;
    c.key_path = l->key_path;
  }
  return c;
}

}  // namespace

std::vector<Rule> ClientSecretRules() {
  std::vector<Rule> out;
  std::size_t n = 0;
  const std::string_view* clients = AllClients(&n);
  for (std::size_t i = 0; i < n; ++i) {
    Rule r;
    r.id = RuleIdOf(clients[i]);
    r.name = "Credential in a " + std::string(clients[i]) + " file";
    r.provider = ProviderOf(clients[i]);
    r.category = "dev-client";
    r.confidence = Confidence::kHigh;
    // Never matches text: found by the client readers, not the matcher.
    r.pattern = "\\x00sprawl-client-" + std::string(clients[i]) +
                "\\x00([\\x21-\\x7e]{8})";
    r.description =
        "A credential held in a developer tool's config or export (" +
        std::string(clients[i]) +
        "), found by where it sits in the file; keep it in a secrets "
        "manager or the tool's credential helper instead.";
    r.origin = std::string(kClientRuleOrigin);
    out.push_back(std::move(r));
  }
  return out;
}

ClientRuleIndex::ClientRuleIndex(const std::vector<Rule>& rules) {
  std::size_t n = 0;
  const std::string_view* clients = AllClients(&n);
  for (std::size_t r = 0; r < rules.size(); ++r) {
    if (rules[r].origin != kClientRuleOrigin) continue;
    for (std::size_t i = 0; i < n; ++i) {
      if (rules[r].id == RuleIdOf(clients[i])) {
        by_client_.emplace(std::string(clients[i]), static_cast<uint32_t>(r));
      }
    }
  }
}

std::optional<uint32_t> ClientRuleIndex::For(std::string_view client) const {
  auto it = by_client_.find(client);
  if (it == by_client_.end()) return std::nullopt;
  return it->second;
}

void AnnotateClientFile(std::string_view content, std::string_view client,
                        const Location& where, const ClientRuleIndex& rules,
                        const ValueScanner& rescan,
                        std::vector<Finding>* findings, std::size_t first,
                        PipelineOutputs* out, Diagnostics* diagnostics,
                        const PipelineLimits& limits) {
  ClientAnalysis analysis =
      AnalyzeClientFile(where.path, content, client, limits);
  for (const auto& d : analysis.diagnostics) {
    diagnostics->Warn(EscapeForDisplay(where.path), d);
  }
  const std::vector<uint64_t> starts = LineStarts(content);
  const std::size_t end = findings->size();
  // Which rule findings lie in each literal's text.
  std::vector<std::vector<std::size_t>> inside(analysis.literals.size());
  for (std::size_t i = first; i < end; ++i) {
    Location& loc = (*findings)[i].location;
    const ClientLiteral* l =
        analysis.LiteralAt(OffsetOf(starts, loc.line, loc.column));
    loc.client = ContextOf(client, l);
    if (l != nullptr) {
      inside[static_cast<std::size_t>(l - analysis.literals.data())]
          .push_back(i);
    }
  }
  const std::optional<uint32_t> rule = rules.For(client);
  for (std::size_t n = 0; n < analysis.literals.size(); ++n) {
    ClientLiteral& l = analysis.literals[n];
    Location at = where;
    at.line = l.line;
    at.column = l.column;
    at.client = ContextOf(client, &l);
    if (l.decoded && rescan) {
      std::vector<std::pair<uint32_t, std::string>> hits;
      rescan(l.value, &hits);
      for (auto& [r, secret] : hits) {
        inside[n].push_back(findings->size());
        findings->push_back(Finding{r, std::move(secret), at});
      }
    }
    // A rule that matched part of this literal names that credential; one
    // that matched all of it merges with it by fingerprint.
    bool part_matched = false;
    for (std::size_t i : inside[n]) {
      const std::string& secret = (*findings)[i].secret;
      part_matched = part_matched ||
                     (secret != l.value &&
                      l.value.find(secret) != std::string::npos);
    }
    if (part_matched || !rule) continue;
    findings->push_back(Finding{*rule, std::move(l.value), at});
  }
  for (auto& r : analysis.references) out->references.push_back(std::move(r));
}

}  // namespace sprawl
