#include "scanner/scan/index_segments.h"

#include <algorithm>
#include <thread>

#include "scanner/git/git_handles.h"

namespace sprawl {

void IndexSegments(const std::string& objects_dir, TreeSource* shared,
                   const CommitGraph& graph,
                   const std::vector<uint32_t>& commits,
                   const GitScanOptions& options, Diagnostics* diagnostics,
                   OnceFilter* once, HistoryIndex* index) {
  const std::size_t n = commits.size();
  const std::size_t parts = std::clamp<std::size_t>(
      n / std::max<std::size_t>(1, options.min_commits_per_segment), 1,
      static_cast<std::size_t>(std::max(1, options.threads)));
  const std::atomic<bool>* cancel = options.cancel;
  if (options.progress != nullptr) {
    options.progress->BeginPhase("commits indexed", n, true);
  }
  auto walk = [&](HistoryIndex* into, std::size_t part) {
    const std::size_t begin = n * part / parts;
    const std::size_t end = n * (part + 1) / parts;
    for (std::size_t i = begin; i < end && !Cancelled(cancel); ++i) {
      into->AddCommitTree(graph.tree(commits[i]), static_cast<uint32_t>(i));
      if (options.progress != nullptr) options.progress->Add(1, 0);
    }
  };
  struct Segment {
    GitOdbPtr odb;
    std::unique_ptr<HistoryIndex> index;
  };
  std::vector<Segment> segments(parts);
  std::vector<std::thread> pool;
  for (std::size_t k = 1; k < parts; ++k) {
    pool.emplace_back([&, k] {
      if (shared != nullptr) {
        segments[k].index =
            std::make_unique<HistoryIndex>(shared, diagnostics, once);
      } else {
        segments[k].odb = OpenPrivateOdb(objects_dir, static_cast<int>(k));
        if (!segments[k].odb) return;  // walked on the calling thread below
        segments[k].index = std::make_unique<HistoryIndex>(
            segments[k].odb.get(), nullptr, diagnostics, once);
      }
      walk(segments[k].index.get(), k);
      segments[k].index->DropTrees();
    });
  }
  walk(index, 0);
  index->DropTrees();
  for (std::thread& t : pool) t.join();
  for (std::size_t k = 1; k < parts; ++k) {
    if (segments[k].index) {
      index->Absorb(*segments[k].index);
    } else {
      walk(index, k);
    }
  }
}

}  // namespace sprawl
