// DirWalker: enumerates the regular files under one root without following
// symlinks (so no loops), skipping `.git/` and whatever .gitignore,
// .sprawlignore and extra exclude globs say, deepest file first. Runs on the
// enumerator thread only; not thread-safe.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "scanner/base/diagnostics.h"
#include "scanner/base/glob.h"
#include "scanner/base/scan_stats.h"

namespace sprawl {

struct WalkItem {
  std::string abs_path;  // path to open
  std::string rel_path;  // path as reported (relative to the root)
};

struct DirWalkOptions {
  bool use_ignore_files = true;       // .gitignore and .sprawlignore
  std::vector<std::string> exclude;   // gitignore-style globs, root-relative
  int max_depth = 256;                // deeper directories: diagnostic
  // Ignore-file lines that would exclude every file (IsCatchAllPattern)
  // are dropped with a warning: the scanned tree may not switch its own
  // gate off (docs/gate.md). False only with --trust-repo-config.
  bool drop_catch_all = true;
  const std::atomic<bool>* cancel = nullptr;
};

class DirWalker {
 public:
  DirWalker(const DirWalkOptions& options, Diagnostics* diagnostics,
            ScanStats* stats)
      : options_(options), diagnostics_(diagnostics), stats_(stats) {}

  // Calls `emit` for each file under `root`; `display_prefix` is prepended
  // to every rel_path (with a '/') when non-empty.
  void Walk(const std::string& root, const std::string& display_prefix,
            const std::function<void(WalkItem)>& emit);

 private:
  void WalkDir(const std::string& abs, const std::string& rel, int depth,
               const std::function<void(WalkItem)>& emit);
  bool Ignored(const std::string& rel, bool is_dir) const;

  const DirWalkOptions& options_;
  Diagnostics* diagnostics_;
  ScanStats* stats_;
  IgnoreRules exclude_;
  std::string prefix_;
  // Ignore files in effect, outermost first: (directory rel path, rules).
  std::vector<std::pair<std::string, IgnoreRules>> stack_;
};

}  // namespace sprawl
