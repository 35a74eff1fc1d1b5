// Helpers shared by the end-to-end sweep suites (tests/cli/sweep_*_test.cc):
// git with fixed dates, committing files into a generated repository, and a
// sweep workspace (a root of repositories, a datastore, a private rules
// cache) that runs the built `sprawl`. Test-only; not thread-safe.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "tests/test_util.h"

namespace sprawl::testing {

// Runs git in `cwd` with fixed dates and no user configuration.
inline std::string SweepGit(const std::string& cwd,
                            const std::vector<std::string>& args) {
  return RunGit(cwd, args,
                {{"GIT_AUTHOR_DATE", "2026-01-02T03:04:05Z"},
                 {"GIT_COMMITTER_DATE", "2026-01-02T03:04:05Z"}});
}

// Writes `files` into the repository at `dir` (created when new) and
// commits them.
inline void CommitFiles(const std::string& dir,
                        const std::map<std::string, std::string>& files) {
  if (!std::filesystem::exists(dir + "/.git")) {
    std::filesystem::create_directories(dir);
    SweepGit(dir, {"init", "-q", "."});
  }
  for (const auto& [path, content] : files) {
    WriteFile((std::filesystem::path(dir) / path).string(), content);
  }
  SweepGit(dir, {"add", "-A"});
  SweepGit(dir, {"commit", "-q", "-m", "change"});
}

// A sweep workspace: a root of repositories, a datastore, a rules cache.
class SweepWorkspace {
 public:
  std::string root() const { return dir_.Sub("root"); }
  std::string db() const { return dir_.Sub("sweep.db"); }
  std::string Sub(const std::string& rel) const { return dir_.Sub(rel); }

  // Runs `sprawl args…` in the workspace with its own rules cache.
  CommandResult Run(std::vector<std::string> args,
                    std::map<std::string, std::string> env = {}) const {
    args.insert(args.begin(), SPRAWL_BINARY);
    CommandOptions o;
    o.env = std::move(env);
    o.env.emplace("SPRAWL_CACHE_DIR", cache_.path());
    o.env.emplace("NO_COLOR", "1");
    o.cwd = dir_.path();
    return RunCommand(args, o);
  }

  // `sweep --root root --datastore DB --format json --now 2026-06-01` plus
  // `extra`; DB is the workspace's datastore unless `db` is given.
  std::vector<std::string> SweepArgs(const std::vector<std::string>& extra,
                                     const std::string& db = "") const {
    std::vector<std::string> args{"sweep",
                                  "--root",
                                  root(),
                                  "--datastore",
                                  db.empty() ? this->db() : db,
                                  "--format",
                                  "json",
                                  "--now",
                                  "2026-06-01"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }

 private:
  TempDir dir_;
  TempDir cache_;
};

}  // namespace sprawl::testing
