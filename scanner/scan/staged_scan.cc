#include "scanner/scan/staged_scan.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <optional>
#include <tuple>
#include <unordered_map>

#include "scanner/base/text.h"
#include "scanner/git/git_handles.h"
#include "scanner/git/index_file_reader.h"
#include "scanner/scan/blob_scan.h"
#include "scanner/scan/git_pipeline_annotator.h"
#include "scanner/scan/blob_scan.h"
#include "scanner/git/pack_read_order.h"
#include "scanner/git/git_handles.h"
#include "scanner/git/index_file_reader.h"
#include "scanner/scan/git_client_annotator.h"
#include "scanner/scan/git_pipeline_annotator.h"

namespace sprawl {
namespace {

bool IsFileMode(uint32_t mode) {
  return mode == GIT_FILEMODE_BLOB || mode == GIT_FILEMODE_BLOB_EXECUTABLE;
}

struct StagedEntry {
  std::string path;
  uint32_t blob;  // index into the blob list
};

// HEAD's tree, or null before the first commit.
Result<GitTreePtr> HeadTree(git_repository* repo) {
  if (git_repository_head_unborn(repo) == 1) return GitTreePtr();
  git_reference* head = nullptr;
  int rc = git_repository_head(&head, repo);
  if (rc == GIT_EUNBORNBRANCH || rc == GIT_ENOTFOUND) return GitTreePtr();
  if (rc != 0) return Error{"cannot resolve HEAD: " + GitLastError()};
  GitReferencePtr holder(head);
  git_object* tree = nullptr;
  if (git_reference_peel(&tree, head, GIT_OBJECT_TREE) != 0) {
    return Error{"cannot read HEAD's tree: " + GitLastError()};
  }
  return GitTreePtr(reinterpret_cast<git_tree*>(tree));
}

// The slow path for indexes ReadStagedChanges does not handle.
Result<std::vector<StagedBlob>> StagedViaLibgit2(git_repository* repo,
                                                 const std::string& index_path,
                                                 git_tree* head) {
  git_index* index_raw = nullptr;
  if (git_index_open(&index_raw, index_path.c_str()) != 0) {
    std::string why = GitLastError();
    if (why.find("'link'") != std::string::npos) {
      why += " (a split index; run `git update-index --no-split-index`)";
    }
    return Error{"cannot read the index: " + why};
  }
  GitIndexPtr index(index_raw);
  git_diff_options opts = GIT_DIFF_OPTIONS_INIT;
  opts.flags = GIT_DIFF_SKIP_BINARY_CHECK | GIT_DIFF_INCLUDE_TYPECHANGE;
  git_diff* diff_raw = nullptr;
  if (git_diff_tree_to_index(&diff_raw, repo, head, index.get(), &opts) != 0) {
    return Error{"cannot compare the index with HEAD: " + GitLastError()};
  }
  GitDiffPtr diff(diff_raw);
  std::vector<StagedBlob> out;
  auto add = [&](const char* path, const git_oid& oid, uint32_t mode) {
    if (IsFileMode(mode)) out.push_back({path, oid});
  };
  const std::size_t n = git_diff_num_deltas(diff.get());
  for (std::size_t i = 0; i < n; ++i) {
    const git_diff_delta* d = git_diff_get_delta(diff.get(), i);
    switch (d->status) {
      case GIT_DELTA_ADDED:
      case GIT_DELTA_MODIFIED:
      case GIT_DELTA_TYPECHANGE:
      case GIT_DELTA_RENAMED:
      case GIT_DELTA_COPIED:
        add(d->new_file.path, d->new_file.id, d->new_file.mode);
        break;
      case GIT_DELTA_CONFLICTED: {
        // Unmerged: every staged side that is not HEAD's content.
        const git_index_entry* anc = nullptr;
        const git_index_entry* ours = nullptr;
        const git_index_entry* theirs = nullptr;
        if (git_index_conflict_get(&anc, &ours, &theirs, index.get(),
                                   d->new_file.path) == 0) {
          for (const git_index_entry* e : {anc, ours, theirs}) {
            if (e != nullptr && !git_oid_equal(&e->id, &d->old_file.id)) {
              add(e->path, e->id, e->mode);
            }
          }
        }
        break;
      }
      default:
        break;
    }
  }
  return out;
}

}  // namespace

Result<GitScanResult> ScanStaged(git_repository* repo,
                                 const GitScanOptions& options,
                                 const Matcher& matcher,
                                 Diagnostics* diagnostics,
                                 GitScanResult result) {
  if (git_repository_is_bare(repo) == 1) {
    return Error{result.root +
                 ": --staged needs a work tree (bare repository)"};
  }
  Result<GitTreePtr> head = HeadTree(repo);
  if (!head.ok()) return Error{result.root + ": " + head.error().message};
  git_odb* odb_raw = nullptr;
  if (git_repository_odb(&odb_raw, repo) != 0) {
    return Error{result.root +
                 ": cannot open object database: " + GitLastError()};
  }
  GitOdbPtr odb(odb_raw);
  // Hooks run by `git commit -a` or `git commit <paths>` see a temporary
  // index named by GIT_INDEX_FILE; that is what is being committed.
  const char* env_index = std::getenv("GIT_INDEX_FILE");
  const std::string index_path =
      env_index != nullptr && *env_index != '\0'
          ? std::string(env_index)
          : std::string(git_repository_path(repo)) + "index";
  std::optional<std::vector<StagedBlob>> fast = ReadStagedChanges(
      index_path, odb.get(), *head ? git_tree_id(head->get()) : nullptr);
  std::vector<StagedBlob> staged;
  if (fast) {
    staged = std::move(*fast);
  } else {
    Result<std::vector<StagedBlob>> slow =
        StagedViaLibgit2(repo, index_path, head->get());
    if (!slow.ok()) return Error{result.root + ": " + slow.error().message};
    staged = std::move(slow).value();
  }

  git_oid empty_blob;
  git_oid_fromstr(&empty_blob, "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
  std::vector<git_oid> blobs;
  std::unordered_map<git_oid, uint32_t, OidHash, OidEq> blob_ids;
  std::vector<StagedEntry> entries;
  for (StagedBlob& s : staged) {
    if (git_oid_equal(&s.blob, &empty_blob)) continue;
    if (options.exclude != nullptr && options.exclude->ExcludesPath(s.path)) {
      ++result.stats.skipped_ignored;
      continue;
    }
    auto [it, added] =
        blob_ids.try_emplace(s.blob, static_cast<uint32_t>(blobs.size()));
    if (added) blobs.push_back(s.blob);
    entries.push_back({std::move(s.path), it->second});
  }

  BlobScanOptions scan;
  scan.objects_dir = std::string(git_repository_commondir(repo)) + "objects";
  scan.threads = options.threads;
  scan.max_blob_size = options.max_blob_size;
  scan.cancel = options.cancel;
  scan.scan_timeout = options.limits.scan_timeout;
  std::vector<std::string> names(blobs.size());
  for (const StagedEntry& e : entries) {
    if (names[e.blob].empty()) names[e.blob] = EscapeForDisplay(e.path);
  }
  scan.describe = [&names](uint32_t b) { return names[b]; };
  BlobScanResult scanned = ScanBlobs(blobs, matcher, scan, diagnostics);
  result.stats += scanned.stats;

  std::vector<int32_t> hit_pos(blobs.size(), -1);
  for (std::size_t i = 0; i < scanned.hits.size(); ++i) {
    hit_pos[scanned.hits[i].first] = static_cast<int32_t>(i);
  }
  GitPipelineAnnotator pipelines(odb.get(), matcher, diagnostics,
                                 options.limits.max_yaml_size);
  GitClientAnnotator clients(odb.get(), matcher, diagnostics,
                             options.limits.max_yaml_size);
  for (const StagedEntry& e : entries) {
    const std::string system = GitPipelineAnnotator::SystemFor(e.path);
    std::string client =
        system.empty() ? GitClientAnnotator::ClientForPath(e.path) : "";
    if (system.empty() && client.empty()) {
      client = clients.Sniff(e.path, blobs[e.blob]);
    }
    if (hit_pos[e.blob] < 0 && system.empty() && client.empty()) continue;
    GitProvenance prov;
    prov.blob = GitHex(blobs[e.blob]);
    const std::size_t first = result.findings.size();
    const std::vector<Hit> kNone;
    const std::vector<Hit>& hits =
        hit_pos[e.blob] < 0 ? kNone : scanned.hits[hit_pos[e.blob]].second;
    AppendBlobFindings(hits, "index", e.path, prov, &result.findings);
    if (!system.empty()) {
      Location where;
      where.source = "index";
      where.path = e.path;
      where.git = prov;
      pipelines.Annotate(system, blobs[e.blob], where, &result.findings, first);
    }
    if (!client.empty()) {
      Location where;
      where.source = "index";
      where.path = e.path;
      where.git = prov;
      clients.Annotate(client, blobs[e.blob], where, &result.findings, first);
    }
  }
  pipelines.MoveInto(&result);
  clients.MoveInto(&result);
  std::sort(result.findings.begin(), result.findings.end(),
            [](const Finding& a, const Finding& b) {
              if (LocationLess(a.location, b.location)) return true;
              if (LocationLess(b.location, a.location)) return false;
              return std::tie(a.rule, a.secret) < std::tie(b.rule, b.secret);
            });
  return result;
}

}  // namespace sprawl
