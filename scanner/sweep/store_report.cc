#include "scanner/sweep/store_report.h"

#include <map>

#include "scanner/sweep/sweep.h"

namespace sprawl {

namespace {

ReportedCredential ToReported(StoredCredential* s, int64_t new_after_sweep) {
  ReportedCredential c;
  c.fingerprint = s->fingerprint;
  c.rule = s->rule;
  c.rule_name = s->rule_name;
  c.provider = s->provider;
  c.category = s->category;
  c.confidence = s->confidence;
  c.redacted = s->redacted;
  c.also_matched = s->also_matched;
  c.is_new = s->first_seen_sweep > new_after_sweep;
  c.locations = std::move(s->locations);
  return c;
}

// Pipeline references and findings of the selected repositories.
Status AddPipelineOutputs(Datastore* store, const StoreReportOptions& options,
                          Report* report) {
  auto references = store->References(options.repos);
  if (!references.ok()) return references.error();
  report->references = std::move(references).value();
  auto findings = store->PipelineFindings(options.repos);
  if (!findings.ok()) return findings.error();
  report->pipeline_findings = std::move(findings).value();
  return Status::Ok();
}

}  // namespace

Result<Report> ReportFromStore(Datastore* store, const std::string& command,
                               const StoreReportOptions& options) {
  Report report;
  report.command = command;
  auto credentials = store->Credentials(options.repos);
  if (!credentials.ok()) return credentials.error();
  std::map<int64_t, std::string> started;  // sweep id -> UTC start
  if (!options.since.empty()) {
    auto sweeps = store->Sweeps();
    if (!sweeps.ok()) return sweeps.error();
    for (const SweepRecord& s : *sweeps) started[s.id] = s.started;
  }
  std::map<std::string, RuleInfo> rules;
  for (StoredCredential& s : *credentials) {
    if (!options.since.empty() &&
        started[s.first_seen_sweep].substr(0, 10) < options.since) {
      continue;
    }
    rules.emplace(
        s.rule,
        RuleInfo{
            s.rule, s.rule_name, s.provider, s.category, s.confidence, {}});
    report.credentials.push_back(ToReported(&s, options.new_after_sweep));
  }
  for (auto& [id, info] : rules) report.rules.push_back(std::move(info));
  if (Status s = AddPipelineOutputs(store, options, &report); !s.ok()) {
    return s.error();
  }
  if (!options.with_repositories) return report;
  auto repositories = store->Repositories();
  if (!repositories.ok()) return repositories.error();
  for (const StoredRepository& r : *repositories) {
    if (options.repos != nullptr && options.repos->count(r.repo) == 0) continue;
    report.repositories.push_back({r.repo, r.status, r.blobs_scanned, r.error});
  }
  return report;
}

Result<int64_t> BaselineSweep(Datastore* store) {
  auto sweeps = store->Sweeps();
  if (!sweeps.ok()) return sweeps.error();
  if (sweeps->empty()) return int64_t{0};
  return PreviousFinishedSweep(store, sweeps->back().id);
}

}  // namespace sprawl
