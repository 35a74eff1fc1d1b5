// AssembleReport: the one path from a scan's findings to the Report that
// reporters render. Findings are grouped into credentials (one per
// fingerprint), turned into report rows with the secrets policy
// (BuildReport), and reconciled against the inventory (Reconcile) with the
// root's CODEOWNERS; the gate policy (ReportPolicy) decides which statuses
// fail. A report built elsewhere (a sweep's, from the datastore) is judged by
// the same policy through ReconcileReport. Pure over its inputs but for
// reading CODEOWNERS under ScanOutput::root; thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <unordered_set>
#include <set>
#include <string>
#include <vector>

#include "scanner/base/result.h"
#include "scanner/base/scan_stats.h"
#include "scanner/findings/completeness.h"
#include "scanner/findings/credential.h"
#include "scanner/findings/finding.h"
#include "scanner/findings/report.h"
#include "scanner/findings/report_builder.h"
#include "scanner/inventory/inventory.h"
#include "scanner/ruleset/rule.h"

namespace sprawl {

// What a report is judged by.
struct ReportPolicy {
  bool show_secrets = false;                    // --show-secrets
  std::set<std::string> fail_on = DefaultFailOn();  // --fail-on
  int64_t today = 0;                            // day number (--now)
  // Below this confidence a failing status is reported but does not fail
  // the gate (--min-confidence / policy.min_confidence).
  Confidence min_confidence = Confidence::kMedium;
  // --new-only / policy.fail_on_new_only: in a range, only credentials new
  // to the range fail.
  bool new_only = false;
  CompletenessOptions complete;  // --incomplete-ok / policy.incomplete_ok
  // Polled between phases; a set flag makes the report incomplete.
  const std::atomic<bool>* cancel = nullptr;
};

// The policy from --fail-on ("" = the default set) and --now ("" = today,
// UTC); an unknown status or a malformed date is an Error naming the flag.
// `min_confidence` is --min-confidence ("" = medium).
Result<ReportPolicy> MakeReportPolicy(const std::string& fail_on,
                                      const std::string& now,
                                      bool show_secrets,
                                      const std::string& min_confidence = "");

// Everything one scan produced, as the scan left it.
struct ScanOutput {
  std::vector<Finding> findings;
  ScanStats stats;
  int diagnostics = 0;  // warnings and errors printed during the scan
  // From pipeline files; their statuses are set by reconciliation.
  std::vector<PipelineReference> references;
  std::vector<PipelineFindingEntry> pipeline_findings;
  std::string root;        // scanned root: CODEOWNERS is read here
  bool full_scan = false;  // whole tree/history: fills Report::unseen
  // `git --range`: SHA-256 hex of the secrets the range's base already
  // held (sets each credential's `new`). Not owned; null outside a range.
  const std::unordered_set<std::string>* inherited = nullptr;
  // sprawl's own config/ignore/inventory files the range changes.
  std::vector<std::string> changed_config;
};

Report AssembleReport(const std::string& command, ScanOutput scan,
                      const std::vector<Rule>& rules,
                      const Inventory& inventory, const ReportPolicy& policy,
                      const Fingerprinter& fingerprint);

// Reconciles a report built elsewhere (no CODEOWNERS: a sweep has no single
// root) by `policy`. Errors: none; the policy was validated when made.
void ReconcileReport(const Inventory& inventory, const ReportPolicy& policy,
                     bool full_scan, Report* report);

}  // namespace sprawl
