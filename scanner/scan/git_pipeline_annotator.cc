#include "scanner/scan/git_pipeline_annotator.h"

#include "scanner/base/text.h"
#include "scanner/git/git_handles.h"
#include "scanner/pipelines/pipeline_files.h"

namespace sprawl {

GitPipelineAnnotator::GitPipelineAnnotator(git_odb* odb, const Matcher& matcher,
                                           Diagnostics* diagnostics,
                                           uint64_t max_yaml_size)
    : odb_(odb),
      literal_rule_(FindPipelineLiteralRule(matcher.rules())),
      diagnostics_(diagnostics) {
  limits_.max_bytes = max_yaml_size;
}

std::string GitPipelineAnnotator::SystemFor(const std::string& path) {
  return PipelineSystemForPath(path);
}

void GitPipelineAnnotator::Annotate(const std::string& system,
                                    const git_oid& blob, const Location& where,
                                    std::vector<Finding>* findings,
                                    std::size_t first) {
  std::size_t size = 0;
  git_object_t type = GIT_OBJECT_INVALID;
  if (git_odb_read_header(&size, &type, odb_, &blob) != 0 ||
      type != GIT_OBJECT_BLOB) {
    return;  // the blob scan reports unreadable blobs
  }
  if (size > limits_.max_bytes) {
    diagnostics_->Warn(EscapeForDisplay(where.path),
                       "pipeline file not parsed: " + HumanBytes(size) +
                           " is over the YAML limit of " +
                           HumanBytes(limits_.max_bytes) +
                           " (--max-yaml-size); scanned as plain text");
    return;
  }
  git_odb_object* raw = nullptr;
  if (git_odb_read(&raw, odb_, &blob) != 0) {
    diagnostics_->Warn(EscapeForDisplay(where.path),
                       "cannot read pipeline blob: " + GitLastError());
    return;
  }
  GitOdbObjectPtr object(raw);
  const std::string_view content(
      static_cast<const char*>(git_odb_object_data(object.get())),
      git_odb_object_size(object.get()));
  AnnotatePipelineFile(content, system, where, literal_rule_, findings, first,
                       &outputs_, diagnostics_, limits_);
}

void GitPipelineAnnotator::MoveInto(GitScanResult* result) {
  SortPipelineOutputs(&outputs_);
  result->references = std::move(outputs_.references);
  result->pipeline_findings = std::move(outputs_.findings);
}

}  // namespace sprawl
