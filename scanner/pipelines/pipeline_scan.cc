#include "scanner/pipelines/pipeline_scan.h"

#include <algorithm>
#include <string>
#include <tuple>

namespace sprawl {
namespace {

void Finish(PipelineAnalysis* analysis, PipelineOutputs* out) {
  for (auto& r : analysis->references) out->references.push_back(std::move(r));
  for (auto& p : analysis->findings) out->findings.push_back(std::move(p));
}

}  // namespace

std::optional<uint32_t> FindPipelineLiteralRule(
    const std::vector<Rule>& rules) {
  for (std::size_t i = 0; i < rules.size(); ++i) {
    if (rules[i].id == kPipelineLiteralSecretRuleId) {
      return static_cast<uint32_t>(i);
    }
  }
  return std::nullopt;
}

void ApplyPipelineAnalysis(const PipelineAnalysis& analysis,
                           const std::vector<uint64_t>& line_starts,
                           const Location& where,
                           std::optional<uint32_t> literal_rule,
                           std::vector<Finding>* findings, std::size_t first) {
  // Rule findings inside a value get its context.
  const std::size_t end = findings->size();
  std::vector<std::pair<const PipelineScalar*, std::size_t>> inside;
  for (std::size_t i = first; i < end; ++i) {
    Location& loc = (*findings)[i].location;
    const PipelineScalar* s =
        analysis.ScalarAt(OffsetOf(line_starts, loc.line, loc.column));
    if (s == nullptr) continue;
    loc.pipeline = PipelineContext{analysis.system, s->key_path, s->job};
    inside.emplace_back(s, i);
  }
  if (!literal_rule) return;
  for (const PipelineLiteral& l : analysis.literal_secrets) {
    // A rule that matched part of this literal already names that
    // credential; one that matched all of it merges with it by fingerprint
    // (the more confident rule names it), so the literal is still added.
    const PipelineScalar* s = analysis.ScalarAt(l.offset);
    bool part_matched = false;
    for (const auto& [scalar, i] : inside) {
      const std::string& secret = (*findings)[i].secret;
      part_matched =
          part_matched || (scalar == s && secret != l.value &&
                           l.value.find(secret) != std::string::npos);
    }
    if (part_matched) continue;
    Finding f;
    f.rule = *literal_rule;
    f.secret = l.value;
    f.location = where;
    f.location.line = l.line;
    f.location.column = l.column;
    f.location.pipeline = PipelineContext{analysis.system, l.key_path, l.job};
    findings->push_back(std::move(f));
  }
}

void AnnotatePipelineFile(std::string_view content, std::string_view system,
                          const Location& where,
                          std::optional<uint32_t> literal_rule,
                          std::vector<Finding>* findings, std::size_t first,
                          PipelineOutputs* out, Diagnostics* diagnostics,
                          const PipelineLimits& limits) {
  PipelineAnalysis analysis =
      AnalyzePipeline(where.path, content, system, limits);
  for (const auto& d : analysis.diagnostics) diagnostics->Warn(where.path, d);
  ApplyPipelineAnalysis(analysis, LineStarts(content), where, literal_rule,
                        findings, first);
  Finish(&analysis, out);
}

void SortPipelineOutputs(PipelineOutputs* outputs) {
  auto& refs = outputs->references;
  auto ref_key = [](const PipelineReference& r) {
    return std::tie(r.path, r.line, r.key_path, r.name, r.system, r.status);
  };
  std::sort(refs.begin(), refs.end(), [&](const auto& a, const auto& b) {
    return ref_key(a) < ref_key(b);
  });
  refs.erase(std::unique(refs.begin(), refs.end(),
                         [&](const auto& a, const auto& b) {
                           return ref_key(a) == ref_key(b);
                         }),
             refs.end());
  auto& pf = outputs->findings;
  auto pf_key = [](const PipelineFindingEntry& p) {
    return std::tie(p.path, p.line, p.key_path, p.kind, p.message);
  };
  std::sort(pf.begin(), pf.end(), [&](const auto& a, const auto& b) {
    return pf_key(a) < pf_key(b);
  });
  pf.erase(std::unique(pf.begin(), pf.end(),
                       [&](const auto& a, const auto& b) {
                         return pf_key(a) == pf_key(b);
                       }),
           pf.end());
}

}  // namespace sprawl
