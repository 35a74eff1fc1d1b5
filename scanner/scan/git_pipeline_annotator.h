// GitPipelineAnnotator: CI awareness for git scans. For every (path, blob)
// whose path names a pipeline file it reads the blob (pipeline files are few
// and small) and runs the pipeline analyzer, attaching pipeline context to
// that location's findings and collecting literal secrets, references and
// pipeline findings. Used on the enumerating thread only; not thread-safe.
#pragma once

#include <git2.h>

#include <string>
#include <vector>

#include "scanner/base/diagnostics.h"
#include "scanner/findings/finding.h"
#include "scanner/match/matcher.h"
#include "scanner/pipelines/pipeline_scan.h"
#include "scanner/scan/git_scan.h"

namespace sprawl {

class GitPipelineAnnotator {
 public:
  // Pipeline blobs over `max_yaml_size` are not parsed (a diagnostic says
  // so; their content is still matched as text by the blob scan).
  GitPipelineAnnotator(git_odb* odb, const Matcher& matcher,
                       Diagnostics* diagnostics, uint64_t max_yaml_size);

  // The pipeline system `path` names, or "" (by path only: sniffing the
  // content of every YAML blob in history would cost a read each).
  static std::string SystemFor(const std::string& path);

  // Analyses `blob` at `where`; findings[first, end) are that location's.
  void Annotate(const std::string& system, const git_oid& blob,
                const Location& where, std::vector<Finding>* findings,
                std::size_t first);

  // Sorted, deduplicated references and pipeline findings into `result`.
  void MoveInto(GitScanResult* result);

 private:
  git_odb* odb_;
  std::optional<uint32_t> literal_rule_;
  Diagnostics* diagnostics_;
  PipelineLimits limits_;
  PipelineOutputs outputs_;
};

}  // namespace sprawl
