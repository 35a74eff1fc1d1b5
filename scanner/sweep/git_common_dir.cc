#include "scanner/sweep/git_common_dir.h"

#include <fstream>
#include <map>

#include "scanner/base/text.h"

namespace sprawl {
namespace {

namespace fs = std::filesystem;

// The git directory of `repo`: <repo>/.git (a directory, or the target of a
// `gitdir:` file), else `repo` itself (bare).
fs::path GitDir(const fs::path& repo) {
  std::error_code ec;
  const fs::path dot = repo / ".git";
  if (fs::is_directory(dot, ec)) return dot;  // NOLINT(performance-no-automatic-move)
  if (fs::is_regular_file(dot, ec)) {
    std::ifstream in(dot);
    std::string line;
    std::getline(in, line);
    if (line.rfind("gitdir:", 0) == 0) {
      fs::path target(std::string(Trim(line.substr(7))));
      return target.is_absolute() ? target : repo / target;
    }
  }
  return repo;
}

// The common dir of a linked work tree's git dir (its `commondir` file).
fs::path CommonDir(const fs::path& git_dir) {
  std::ifstream in(git_dir / "commondir");
  std::string line;
  if (!std::getline(in, line)) return git_dir;
  fs::path target(std::string(Trim(line)));
  return target.is_absolute() ? target : git_dir / target;
}

}  // namespace

fs::path GitCommonDir(const std::string& repo) {
  fs::path common = CommonDir(GitDir(repo));
  std::error_code ec;
  fs::path canonical = fs::canonical(common, ec);
  return ec ? common.lexically_normal() : canonical;
}

std::vector<std::pair<std::string, std::string>> DropSameRepository(
    std::vector<SweepTarget>* targets) {
  std::map<fs::path, std::string> first;  // common dir -> key
  std::vector<std::pair<std::string, std::string>> dropped;
  std::vector<SweepTarget> kept;
  for (SweepTarget& t : *targets) {
    if (!t.remote) {
      auto [it, fresh] = first.emplace(GitCommonDir(t.location), t.key);
      if (!fresh) {
        dropped.emplace_back(t.key, it->second);
        continue;
      }
    }
    kept.push_back(std::move(t));
  }
  *targets = std::move(kept);
  return dropped;
}

}  // namespace sprawl
