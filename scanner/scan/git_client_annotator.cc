#include "scanner/scan/git_client_annotator.h"

#include <iterator>

#include "scanner/base/text.h"
#include "scanner/clients/client_files.h"
#include "scanner/scan/content_scanner.h"
#include "scanner/git/git_handles.h"

namespace sprawl {
namespace {

constexpr std::size_t kMaxSniffed = 1u << 20;
constexpr std::size_t kHead = 8000;

}  // namespace

GitClientAnnotator::GitClientAnnotator(git_odb* odb, const Matcher& matcher,
                                       Diagnostics* diagnostics,
                                       uint64_t max_yaml_size)
    : odb_(odb),
      matcher_(matcher),
      rules_(matcher.rules()),
      diagnostics_(diagnostics) {
  limits_.max_bytes = max_yaml_size;
}

GitClientAnnotator::~GitClientAnnotator() = default;

std::string GitClientAnnotator::ClientForPath(const std::string& path) {
  return sprawl::ClientForPath(path);
}

std::string GitClientAnnotator::Sniff(const std::string& path,
                                      const git_oid& blob) {
  if (!ClientSniffable(path)) return "";
  const std::string hex = GitHex(blob);
  if (auto it = sniffed_.find(hex); it != sniffed_.end()) return it->second;
  std::string client;
  std::size_t size = 0;
  git_object_t type = GIT_OBJECT_INVALID;
  if (git_odb_read_header(&size, &type, odb_, &blob) == 0 &&
      type == GIT_OBJECT_BLOB && size <= kMaxSniffed) {
    git_odb_object* raw = nullptr;
    if (git_odb_read(&raw, odb_, &blob) == 0) {
      GitOdbObjectPtr object(raw);
      const std::string_view content(
          static_cast<const char*>(git_odb_object_data(object.get())),
          git_odb_object_size(object.get()));
      client = ClientForContent(path, content.substr(0, kHead));
    }
  }
  sniffed_.emplace(hex, client);
  return client;
}

void GitClientAnnotator::Annotate(const std::string& client,
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
                       "developer-client file not parsed: " + HumanBytes(size) +
                           " is over the limit of " +
                           HumanBytes(limits_.max_bytes) +
                           " (--max-yaml-size); scanned as plain text");
    return;
  }
  git_odb_object* raw = nullptr;
  if (git_odb_read(&raw, odb_, &blob) != 0) {
    diagnostics_->Warn(EscapeForDisplay(where.path),
                       "cannot read developer-client blob: " + GitLastError());
    return;
  }
  GitOdbObjectPtr object(raw);
  const std::string_view content(
      static_cast<const char*>(git_odb_object_data(object.get())),
      git_odb_object_size(object.get()));
  const ValueScanner rescan =
      [this](std::string_view value,
             std::vector<std::pair<uint32_t, std::string>>* found) {
        if (!scanner_) scanner_ = std::make_unique<ContentScanner>(matcher_);
        std::vector<Hit> hits;
        scanner_->ScanBuffer(value, &hits);
        for (Hit& h : hits) found->emplace_back(h.rule, std::move(h.secret));
      };
  AnnotateClientFile(content, client, where, rules_, rescan, findings, first,
                     &outputs_, diagnostics_, limits_);
}

void GitClientAnnotator::MoveInto(GitScanResult* result) {
  PipelineOutputs merged;
  merged.references = std::move(result->references);
  std::move(outputs_.references.begin(), outputs_.references.end(),
            std::back_inserter(merged.references));
  outputs_.references.clear();
  SortPipelineOutputs(&merged);
  result->references = std::move(merged.references);
}

}  // namespace sprawl
