// ScanDirectories: the `sprawl dir` pipeline. One enumerator (DirWalker) feeds
// a bounded queue of file batches to N workers; each worker owns a
// ContentScanner and a thread-local findings vector, merged at the end.
// Also ScanStream for `sprawl stdin`.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "scanner/base/diagnostics.h"
#include "scanner/base/result.h"
#include "scanner/base/scan_progress.h"
#include "scanner/base/scan_stats.h"
#include "scanner/findings/finding.h"
#include "scanner/findings/report.h"
#include "scanner/match/matcher.h"
#include "scanner/scan/scan_limits.h"

namespace sprawl {

struct DirScanOptions {
  std::vector<std::string> roots = {"."};  // directories or files
  // How reports name each root (same length as `roots`), or empty: a
  // single directory root is then "", others as given (`dir --home` names
  // them relative to the home directory).
  std::vector<std::string> root_names;
  int threads = 0;                         // 0 = hardware concurrency
  uint64_t max_file_size = 50u << 20;      // larger files: diagnostic, skipped
  bool use_ignore_files = true;            // .gitignore / .sprawlignore
  std::vector<std::string> exclude;        // extra gitignore-style globs
  // Ignore-file lines covering every file are dropped (DirWalkOptions).
  bool drop_catch_all = true;
  const std::atomic<bool>* cancel = nullptr;
  ScanProgress* progress = nullptr;        // may be null
  ScanLimits limits;                       // scan timeout, YAML size
};

struct DirScanResult {
  std::vector<Finding> findings;  // unordered; GroupCredentials sorts
  ScanStats stats;
  // From pipeline files (scanner/pipelines): sorted, deduplicated.
  std::vector<PipelineReference> references;
  std::vector<PipelineFindingEntry> pipeline_findings;
};

// A root that does not exist is an Error (exit 2); everything inside the
// scan that cannot be read is a diagnostic.
Result<DirScanResult> ScanDirectories(const DirScanOptions& options,
                                      const Matcher& matcher,
                                      Diagnostics* diagnostics);

// Scans one stream (stdin) as a single file named `path`.
Result<DirScanResult> ScanStream(int fd, const std::string& path,
                                 const std::string& source,
                                 const Matcher& matcher,
                                 Diagnostics* diagnostics,
                                 const ScanLimits& limits = {});

// True when the first bytes of content look binary (a NUL byte).
bool LooksBinary(std::string_view head);

// Effective worker count for `requested` (0 = hardware concurrency).
int ResolveThreads(int requested);

}  // namespace sprawl
