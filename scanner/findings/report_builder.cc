#include "scanner/findings/report_builder.h"

#include "scanner/base/redact.h"
#include "scanner/base/hash.h"
#include "scanner/base/text.h"
#include "scanner/findings/credential_status.h"

namespace sprawl {

const std::vector<std::string>& AllStatuses() {
  static const std::vector<std::string> k = [] {
    std::vector<std::string> names;
    for (CredentialStatus s : kAllCredentialStatuses) {
      names.emplace_back(StatusName(s));  // NOLINT(performance-inefficient-vector-operation)
    }
    return names;
  }();
  return k;
}

std::set<std::string> DefaultFailOn() {
  std::set<std::string> out;
  for (CredentialStatus s : kAllCredentialStatuses) {
    if (FailsByDefault(s)) out.emplace(StatusName(s));
  }
  return out;
}

Result<std::set<std::string>> ParseFailOn(const std::string& csv) {
  std::set<std::string> out;
  std::size_t pos = 0;
  while (pos <= csv.size()) {
    std::size_t comma = csv.find(',', pos);
    if (comma == std::string::npos) comma = csv.size();
    const std::string item(
        Trim(std::string_view(csv).substr(pos, comma - pos)));
    pos = comma + 1;
    if (item.empty()) continue;
    if (item == "none") continue;
    if (!ParseStatus(item)) {
      std::string list;
      for (const auto& s : AllStatuses()) {
        if (!list.empty()) list += ", ";
        list += s;
      }
      std::string message = "--fail-on: unknown status '" + item;
      message += "' (expected " + list + ", or none)";
      return Error{std::move(message)};
    }
    out.insert(item);
  }
  return out;
}

ReportedCredential ReportRow(Credential c, const std::vector<Rule>& rules,
                             bool show_secrets) {
  const Rule& rule = rules[c.rule];
  ReportedCredential rc;
  rc.fingerprint = c.fingerprint;
  rc.rule = rule.id;
  rc.rule_name = rule.name;
  rc.provider = rule.provider;
  rc.category = rule.category;
  rc.confidence = ConfidenceName(rule.confidence);
  rc.redacted = RedactSecret(c.secret, rule.prefix);
  if (show_secrets) rc.secret = c.secret;
  for (uint32_t r : c.rules) {
    if (r != c.rule) rc.also_matched.push_back(rules[r].id);
  }
  rc.identifier = c.identifier;
  // A developer-client rule names a credential found by its place; when a
  // provider rule also matched the value, the provider is that one's.
  if (rule.origin == "builtin:clients") {
    for (uint32_t r : c.rules) {
      const Rule& other = rules[r];
      if (r != c.rule && other.origin != "builtin:clients" &&
          other.origin != "builtin:pipelines" && other.provider != "generic") {
        rc.provider = other.provider;
        break;
      }
    }
  }
  rc.locations = std::move(c.locations);
  return rc;
}

Report BuildReport(const std::string& command,
                   std::vector<Credential> credentials,
                   const std::vector<Rule>& rules,
                   const ReportOptions& options) {
  Report report;
  report.command = command;
  for (const Rule& r : rules) {
    report.rules.push_back({r.id, r.name, r.provider, r.category,
                            ConfidenceName(r.confidence), r.references});
  }
  for (Credential& c : credentials) {
    const bool is_new = options.inherited != nullptr &&
                        options.inherited->count(Sha256Hex(c.secret)) == 0;
    ReportedCredential row = ReportRow(std::move(c), rules, options.show_secrets);
    if (options.inherited != nullptr) row.is_new = is_new;
    report.credentials.push_back(std::move(row));
  }
  return report;
}

void ApplyNewOnly(Report* report) {
  for (ReportedCredential& c : report->credentials) {
    if (!c.is_new || *c.is_new || !c.fails) continue;
    c.fails = false;
    c.reason += c.reason.empty() ? "" : "; ";
    c.reason += "passes: not new in this range (fail_on_new_only)";
  }
}

bool ReportFails(const Report& report) {
  for (const auto& c : report.credentials) {
    if (c.fails) return true;
  }
  return false;
}

}  // namespace sprawl
