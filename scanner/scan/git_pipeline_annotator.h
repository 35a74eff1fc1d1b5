// GitPipelineAnnotator: CI awareness for git scans. Pipeline files are
// analysed per distinct blob, not per location: each (blob, system) is read
// and parsed at most once, its analysis kept, and applied at every (path,
// commit) the blob occurs at, giving that location's findings pipeline
// context and adding its literal secrets; references and pipeline findings
// are collected too. Malformed or oversized files are one diagnostic per
// blob. Prepare analyses a history's pipeline blobs on several threads
// (each with its own object database handle); Annotate and MoveInto are
// for one thread (not thread-safe), after Prepare.
#pragma once

#include <git2.h>

#include <atomic>
#include <memory>
#include <string>
#include <unordered_map>
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
  ~GitPipelineAnnotator();

  // The pipeline system `path` names, or "" (by path only: sniffing the
  // content of every YAML blob in history would cost a read each).
  static std::string SystemFor(const std::string& path);

  // One pipeline blob a report may need. `needed`: it must be parsed (it
  // has rule findings to give a context, or it is at a ref tip). Otherwise
  // it is parsed only when MayHoldPipelineSecret says it could hold a
  // literal secret or a pipeline finding; a blob not parsed holds neither.
  struct Request {
    git_oid blob{};
    std::string system;
    std::string path;  // for its diagnostics: the first location's
    bool needed = false;
  };

  // Reads and analyses each distinct (blob, system) of `requests` once
  // (a repeated one is needed if any request for it is), on `threads`
  // threads, each reading `objects_dir` through its own handle.
  // Diagnostics come out in request order. Stops early when `cancel`.
  void Prepare(const std::vector<Request>& requests,
               const std::string& objects_dir, int threads,
               const std::atomic<bool>* cancel);

  // Applies the analysis of `blob` (from Prepare, else made now) at
  // `where`: findings[first, end) are that location's rule findings.
  // References are collected only with `references` (the versions at ref
  // tips); pipeline findings always.
  void Annotate(const std::string& system, const git_oid& blob,
                const Location& where, std::vector<Finding>* findings,
                std::size_t first, bool references = true);

  // Whether Annotate can add a finding of its own for `blob` at a location
  // (a literal secret); true when the blob was not prepared. A location
  // without rule findings needs its full ref list only then.
  bool MayAddFindings(const std::string& system, const git_oid& blob) const;

  // Sorted, deduplicated references and pipeline findings into `result`.
  void MoveInto(GitScanResult* result);

  // Blobs parsed so far (each distinct (blob, system) counts once).
  uint64_t parsed() const { return parsed_; }

 private:
  struct Analysed;
  // Reads and analyses one blob through `odb`; diagnostics into `notes`.
  std::unique_ptr<Analysed> Analyse(git_odb* odb, const Request& request,
                                    std::vector<std::string>* notes) const;

  git_odb* odb_;
  std::optional<uint32_t> literal_rule_;
  Diagnostics* diagnostics_;
  PipelineLimits limits_;
  PipelineOutputs outputs_;
  // By blob hex + '\0' + system.
  std::unordered_map<std::string, std::unique_ptr<Analysed>> cache_;
  uint64_t parsed_ = 0;
};

}  // namespace sprawl
