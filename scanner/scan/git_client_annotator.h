// GitClientAnnotator: developer-client awareness for git sources. For every
// (path, blob) whose path names a client file (or, for JSON and YAML blobs,
// whose content does: a Postman schema URL, an `mcpServers` map) it reads
// the blob and runs the client readers, attaching client context to that
// location's findings and adding the credentials found by their place and
// the references. Used on the enumerating thread only; not thread-safe.
#pragma once

#include <git2.h>

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "scanner/base/diagnostics.h"
#include "scanner/clients/client_scan.h"
#include "scanner/findings/finding.h"
#include "scanner/match/matcher.h"
#include "scanner/scan/git_scan.h"

namespace sprawl {

class ContentScanner;

class GitClientAnnotator {
 public:
  // Client blobs over `max_yaml_size` are not parsed (a diagnostic says
  // so; their content is still matched as text by the blob scan).
  GitClientAnnotator(git_odb* odb, const Matcher& matcher,
                     Diagnostics* diagnostics, uint64_t max_yaml_size);
  ~GitClientAnnotator();

  // The client `path` names by itself, or "".
  static std::string ClientForPath(const std::string& path);

  // For a path ClientForPath does not name: the client the blob's first
  // bytes show (JSON/YAML blobs up to 1 MiB only; remembered per blob).
  std::string Sniff(const std::string& path, const git_oid& blob);

  // Analyses `blob` at `where`; findings[first, end) are that location's.
  void Annotate(const std::string& client, const git_oid& blob,
                const Location& where, std::vector<Finding>* findings,
                std::size_t first);

  // Adds the references found to `result->references`, keeping them sorted
  // and deduplicated (call after the pipeline annotator's MoveInto).
  void MoveInto(GitScanResult* result);

 private:
  git_odb* odb_;
  const Matcher& matcher_;
  ClientRuleIndex rules_;
  Diagnostics* diagnostics_;
  PipelineLimits limits_;
  PipelineOutputs outputs_;
  std::unique_ptr<ContentScanner> scanner_;  // for decoded values
  std::unordered_map<std::string, std::string> sniffed_;  // blob hex -> client
};

}  // namespace sprawl
