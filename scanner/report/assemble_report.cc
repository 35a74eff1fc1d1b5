#include "scanner/report/assemble_report.h"

#include <utility>

#include "scanner/base/test_pause.h"
#include "scanner/findings/pairing.h"
#include "scanner/inventory/dates.h"
#include "scanner/inventory/reconcile.h"
#include "scanner/report/codeowners.h"

namespace sprawl {

Result<ReportPolicy> MakeReportPolicy(const std::string& fail_on,
                                      const std::string& now,
                                      bool show_secrets,
                                      const std::string& min_confidence) {
  ReportPolicy policy;
  if (!min_confidence.empty()) {
    auto floor = ParseMinConfidence(min_confidence, "--min-confidence");
    if (!floor.ok()) return floor.error();
    policy.min_confidence = *floor;
  }
  policy.show_secrets = show_secrets;
  if (!fail_on.empty()) {
    auto parsed = ParseFailOn(fail_on);
    if (!parsed.ok()) return parsed.error();
    policy.fail_on = std::move(parsed).value();
  }
  if (now.empty()) {
    policy.today = TodayUtc();
  } else {
    const auto day = ParseDate(now);
    if (!day) return Error{"--now: expected YYYY-MM-DD, got '" + now + "'"};
    policy.today = *day;
  }
  return policy;
}

Report AssembleReport(const std::string& command, ScanOutput scan,
                      const std::vector<Rule>& rules,
                      const Inventory& inventory, const ReportPolicy& policy,
                      const Fingerprinter& fingerprint) {
  ReportOptions ro;
  ro.show_secrets = policy.show_secrets;
  ro.inherited = scan.inherited;
  auto credentials =
      GroupCredentials(std::move(scan.findings), rules, fingerprint);
  // Identifier parts (an AWS key id, an endpoint) join their secrets.
  PairCredentials(rules, &credentials);
  Report report = BuildReport(command, std::move(credentials), rules, ro);
  report.stats = scan.stats;
  report.references = std::move(scan.references);
  report.pipeline_findings = std::move(scan.pipeline_findings);
  report.diagnostics = scan.diagnostics;
  ReconcileOptions rec;
  rec.today = policy.today;
  rec.full_scan = scan.full_scan && !scan.stats.interrupted;
  rec.fail_on = policy.fail_on;
  rec.min_confidence = policy.min_confidence;
  rec.codeowners = ReadCodeowners(scan.root, &report.diagnostics);
  TestPause("reconcile", policy.cancel);
  Reconcile(inventory, rec, &report);
  if (policy.new_only && scan.inherited != nullptr) ApplyNewOnly(&report);
  // Ctrl-C after the scan finished still makes the run incomplete.
  if (policy.cancel != nullptr && policy.cancel->load()) {
    report.stats.interrupted = true;
  }
  report.incomplete = IncompleteReasons(report.stats, policy.complete);
  report.changed_config = std::move(scan.changed_config);
  return report;
}

void ReconcileReport(const Inventory& inventory, const ReportPolicy& policy,
                     bool full_scan, Report* report) {
  ReconcileOptions rec;
  rec.today = policy.today;
  rec.full_scan = full_scan;
  rec.fail_on = policy.fail_on;
  rec.min_confidence = policy.min_confidence;
  Reconcile(inventory, rec, report);
}

}  // namespace sprawl
