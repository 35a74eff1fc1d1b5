// Report: everything a reporter renders, as plain data with no engine or git
// types, so reporters/ stay independent of how findings were made. The field
// names mirror the JSON report of DESIGN.md. Built once, then read-only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "scanner/base/scan_stats.h"
#include "scanner/findings/finding.h"

namespace sprawl {

struct ReportedCredential {
  std::string fingerprint;
  std::string rule;        // rule id
  std::string rule_name;
  std::string provider;
  std::string category;
  std::string confidence;  // high | medium | low
  // Why `confidence` is below the rule's (a credential seen only under test
  // directories, scanner/findings/test_paths.h); "" when it is the rule's.
  std::string confidence_reason;
  std::string redacted;    // preview from the secrets policy
  std::optional<std::string> secret;  // only with --show-secrets
  std::string status = "unregistered";
  std::string reason;      // the status in words
  std::optional<std::string> inventory_id;
  std::optional<std::string> owner;
  std::optional<std::string> suggested_owner;  // for unowned / unregistered
  std::string environment;  // from the inventory entry
  bool reused = false;      // seen in more than one repository
  // Sweeps: first seen since the last sweep. `git --range`: not reachable
  // from the range's base (false: the range inherited it).
  std::optional<bool> is_new;
  bool fails = false;       // fails the policy (--fail-on)
  std::vector<std::string> also_matched;  // other rule ids for the same value
  // Non-secret id of a multi-part credential (key id, app id, endpoint
  // host); "" when none.
  std::string identifier;
  std::vector<Location> locations;
};

struct PipelineReference {
  std::string system;
  std::string path;
  std::string key_path;
  std::string name;
  std::string status;
  uint64_t line = 0;
  std::string repo;  // sweeps only
};

struct PipelineFindingEntry {
  std::string kind;
  std::string path;
  std::string key_path;
  uint64_t line = 0;
  std::string message;
  std::string repo;  // sweeps only
};

struct RepositoryEntry {
  std::string repo;
  std::string status;  // scanned | unchanged | failed | skipped
  uint64_t blobs_scanned = 0;
  std::string error;
};

struct RuleInfo {
  std::string id, name, provider, category, confidence;
  std::vector<std::string> references;
};

struct Report {
  std::string command;  // dir | git | stdin | sweep | report
  std::vector<ReportedCredential> credentials;
  std::vector<PipelineReference> references;
  std::vector<PipelineFindingEntry> pipeline_findings;
  std::optional<std::vector<std::string>> unseen;  // full scans only
  std::vector<RepositoryEntry> repositories;       // sweeps only
  std::vector<RuleInfo> rules;  // the rule table (SARIF and friends)
  ScanStats stats;
  int diagnostics = 0;  // warnings printed during the scan
  // What the scan could not read (IncompleteReasons); non-empty: exit 3
  // unless something outranks it.
  std::vector<std::string> incomplete;
  // `git --range`: sprawl's own configuration files the range changes; they
  // were read from the base revision, not from the range.
  std::vector<std::string> changed_config;
};

// True when the report covers no content at all, so "no findings" must not
// be read as "clean". Sweeps and datastore reports cover their repositories.
inline bool NothingScanned(const Report& report) {
  return report.stats.files_scanned == 0 && report.repositories.empty() &&
         report.command != "report";
}

}  // namespace sprawl
