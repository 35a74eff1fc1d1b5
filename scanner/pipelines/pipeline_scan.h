// Joins pipeline analysis to a scan: finding the synthetic rule that names
// literal secrets in pipelines, and AnnotatePipelineFile, which a scan source (dir
// workers, git blob workers) calls once per pipeline file after the rules
// ran over it. Stateless functions; thread-safe; call from any worker with
// that worker's own output vectors.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include "scanner/base/diagnostics.h"
#include "scanner/findings/finding.h"
#include "scanner/findings/report.h"
#include "scanner/pipelines/pipeline_analyzer.h"
#include "scanner/ruleset/rule.h"
#include "scanner/ruleset/rule_set.h"

namespace sprawl {

// pipeline.literal-secret itself (kPipelineLiteralSecretRuleId,
// PipelineLiteralSecretRule) is added where rule sets are built:
// scanner/ruleset/rule_set.h.

// Index of pipeline.literal-secret in `rules`, if present.
std::optional<uint32_t> FindPipelineLiteralRule(const std::vector<Rule>& rules);

// Pipeline outputs of a scan, merged across workers.
struct PipelineOutputs {
  std::vector<PipelineReference> references;
  std::vector<PipelineFindingEntry> findings;
};

// Analyses the pipeline file `content` (system from PipelineSystemFor) and
// folds the result into a scan:
//  - findings[first, end) are the rule findings of this file: those inside
//    an analysed value get a PipelineContext;
//  - each literal secret not already covered by a rule finding in the same
//    value is appended as a Finding of `literal_rule` (skipped when nullopt)
//    at `where` (source, path, git provenance copied; line/column set);
//  - references and pipeline findings are appended to `out`;
//  - analyzer diagnostics become warnings on `where.path`.
void AnnotatePipelineFile(std::string_view content, std::string_view system,
                          const Location& where,
                          std::optional<uint32_t> literal_rule,
                          std::vector<Finding>* findings, std::size_t first,
                          PipelineOutputs* out, Diagnostics* diagnostics,
                          const PipelineLimits& limits = {});

// The part of AnnotatePipelineFile that needs no parsing, for an analysis
// made once and applied at many locations (the same blob at many paths and
// commits of a history): context for findings[first, end) and literal
// secrets appended at `where`. `line_starts` are LineStarts of the content
// analysed. References, pipeline findings and diagnostics are the caller's.
void ApplyPipelineAnalysis(const PipelineAnalysis& analysis,
                           const std::vector<uint64_t>& line_starts,
                           const Location& where,
                           std::optional<uint32_t> literal_rule,
                           std::vector<Finding>* findings, std::size_t first);

// Sorts references and pipeline findings by (path, line, key_path, name |
// kind) and drops exact duplicates (the same file seen in many blobs).
void SortPipelineOutputs(PipelineOutputs* outputs);

}  // namespace sprawl
