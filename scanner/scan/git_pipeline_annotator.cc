#include "scanner/scan/git_pipeline_annotator.h"

#include <thread>
#include <utility>

#include "scanner/base/text.h"
#include "scanner/git/git_handles.h"
#include "scanner/pipelines/pipeline_files.h"
#include "scanner/pipelines/pipeline_prefilter.h"

namespace sprawl {

// What a (blob, system) gave: nothing (unreadable, over the limit, or
// passed over by the prefilter), or its analysis.
struct GitPipelineAnnotator::Analysed {
  bool parsed = false;
  PipelineAnalysis analysis;
  std::vector<uint64_t> line_starts;
};

namespace {

std::string KeyOf(const git_oid& blob, const std::string& system) {
  std::string key(reinterpret_cast<const char*>(blob.id), GIT_OID_RAWSZ);
  key.push_back('\0');
  key += system;
  return key;
}

}  // namespace

GitPipelineAnnotator::GitPipelineAnnotator(git_odb* odb, const Matcher& matcher,
                                           Diagnostics* diagnostics,
                                           uint64_t max_yaml_size)
    : odb_(odb),
      literal_rule_(FindPipelineLiteralRule(matcher.rules())),
      diagnostics_(diagnostics) {
  limits_.max_bytes = max_yaml_size;
}

GitPipelineAnnotator::~GitPipelineAnnotator() = default;

std::string GitPipelineAnnotator::SystemFor(const std::string& path) {
  return PipelineSystemForPath(path);
}

std::unique_ptr<GitPipelineAnnotator::Analysed> GitPipelineAnnotator::Analyse(
    git_odb* odb, const Request& request,
    std::vector<std::string>* notes) const {
  auto out = std::make_unique<Analysed>();
  std::size_t size = 0;
  git_object_t type = GIT_OBJECT_INVALID;
  if (git_odb_read_header(&size, &type, odb, &request.blob) != 0 ||
      type != GIT_OBJECT_BLOB) {
    return out;  // the blob scan reports unreadable blobs
  }
  if (size > limits_.max_bytes) {
    notes->push_back("pipeline file not parsed: " + HumanBytes(size) +
                     " is over the YAML limit of " +
                     HumanBytes(limits_.max_bytes) +
                     " (--max-yaml-size); scanned as plain text");
    return out;
  }
  git_odb_object* raw = nullptr;
  if (git_odb_read(&raw, odb, &request.blob) != 0) {
    notes->push_back("cannot read pipeline blob: " + GitLastError());
    return out;
  }
  GitOdbObjectPtr object(raw);
  const std::string_view content(
      static_cast<const char*>(git_odb_object_data(object.get())),
      git_odb_object_size(object.get()));
  if (!request.needed && !MayHoldPipelineSecret(content, request.system)) {
    return out;
  }
  out->parsed = true;
  out->analysis =
      AnalyzePipeline(request.path, content, request.system, limits_);
  out->line_starts = LineStarts(content);
  for (std::string& d : out->analysis.diagnostics) {
    notes->push_back(std::move(d));
  }
  out->analysis.diagnostics.clear();
  return out;
}

void GitPipelineAnnotator::Prepare(const std::vector<Request>& requests,
                                   const std::string& objects_dir, int threads,
                                   const std::atomic<bool>* cancel) {
  // Distinct (blob, system), first request first; needed if any is.
  std::vector<Request> work;
  std::unordered_map<std::string, std::size_t> slot;
  for (const Request& r : requests) {
    std::string key = KeyOf(r.blob, r.system);
    if (cache_.count(key)) continue;
    auto [it, fresh] = slot.emplace(std::move(key), work.size());
    if (fresh) {
      work.push_back(r);
    } else if (r.needed) {
      work[it->second].needed = true;
    }
  }
  std::vector<std::unique_ptr<Analysed>> done(work.size());
  std::vector<std::vector<std::string>> notes(work.size());
  std::atomic<std::size_t> next{0};
  auto run = [&](int k) {
    GitOdbPtr own;
    git_odb* odb = odb_;
    if (k > 0 || threads > 1) {
      own = OpenPrivateOdb(objects_dir, k);
      if (own != nullptr) odb = own.get();
    }
    for (;;) {
      if (cancel != nullptr && cancel->load(std::memory_order_relaxed)) return;
      const std::size_t i = next.fetch_add(1, std::memory_order_relaxed);
      if (i >= work.size()) return;
      done[i] = Analyse(odb, work[i], &notes[i]);
    }
  };
  // NOLINTNEXTLINE(bugprone-narrowing-conversions)
  const int n = std::max(1, std::min<int>(threads, work.size() / 8 + 1));
  if (n == 1) {
    run(0);
  } else {
    std::vector<std::thread> pool;
    for (int k = 1; k < n; ++k) pool.emplace_back(run, k);
    run(0);
    for (std::thread& t : pool) t.join();
  }
  for (std::size_t i = 0; i < work.size(); ++i) {
    for (const std::string& d : notes[i]) {
      diagnostics_->Warn(work[i].path, d);
    }
    if (done[i] == nullptr) continue;  // cancelled before it
    if (done[i]->parsed) ++parsed_;
    cache_.emplace(KeyOf(work[i].blob, work[i].system), std::move(done[i]));
  }
}

void GitPipelineAnnotator::Annotate(const std::string& system,
                                    const git_oid& blob, const Location& where,
                                    std::vector<Finding>* findings,
                                    std::size_t first, bool references) {
  const std::string key = KeyOf(blob, system);
  auto it = cache_.find(key);
  if (it == cache_.end()) {
    Request r;
    r.blob = blob;
    r.system = system;
    r.path = where.path;
    r.needed = true;
    std::vector<std::string> notes;
    std::unique_ptr<Analysed> a = Analyse(odb_, r, &notes);
    for (const std::string& d : notes) {
      diagnostics_->Warn(where.path, d);
    }
    if (a->parsed) ++parsed_;
    it = cache_.emplace(key, std::move(a)).first;
  }
  const Analysed& a = *it->second;
  if (!a.parsed) return;
  ApplyPipelineAnalysis(a.analysis, a.line_starts, where, literal_rule_,
                        findings, first);
  for (const PipelineFindingEntry& f : a.analysis.findings) {
    outputs_.findings.push_back(f);
    outputs_.findings.back().path = where.path;
  }
  if (!references) return;
  for (const PipelineReference& r : a.analysis.references) {
    outputs_.references.push_back(r);
    outputs_.references.back().path = where.path;
  }
}

bool GitPipelineAnnotator::MayAddFindings(const std::string& system,
                                          const git_oid& blob) const {
  auto it = cache_.find(KeyOf(blob, system));
  if (it == cache_.end()) return true;
  const Analysed& a = *it->second;
  return a.parsed && literal_rule_ && !a.analysis.literal_secrets.empty();
}

void GitPipelineAnnotator::MoveInto(GitScanResult* result) {
  SortPipelineOutputs(&outputs_);
  result->references = std::move(outputs_.references);
  result->pipeline_findings = std::move(outputs_.findings);
}

}  // namespace sprawl
