#include "scanner/sweep/sweep_target.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "scanner/base/hash.h"
#include "scanner/base/text.h"
#include "scanner/sources/git_mirror.h"

namespace sprawl {
namespace {

namespace fs = std::filesystem;

}  // namespace

Result<std::vector<SweepTarget>> FindRepositories(const std::string& root) {
  std::error_code ec;
  if (!fs::is_directory(root, ec)) {
    return Error{"--root " + root + ": not a directory"};
  }
  std::vector<SweepTarget> out;
  const fs::path base(root);
  auto add = [&](const fs::path& dir) {
    std::string rel = dir.lexically_relative(base).generic_string();
    if (rel.empty()) rel = ".";
    out.push_back({rel, dir.string(), false});
  };
  // Depth-first over directories, without following symlinks. One listing
  // per directory decides everything (entry types come from readdir).
  std::vector<fs::path> stack{base};
  std::vector<fs::path> subdirs;
  while (!stack.empty()) {
    fs::path dir = std::move(stack.back());
    stack.pop_back();
    bool has_git = false, has_head = false, has_objects = false,
         has_refs = false;
    subdirs.clear();
    fs::directory_iterator it(
        dir, fs::directory_options::skip_permission_denied, ec);
    if (ec) continue;
    for (; it != fs::directory_iterator(); it.increment(ec)) {
      if (ec) break;
      const auto& entry = *it;
      const std::string name = entry.path().filename().string();
      const bool is_dir = entry.is_directory(ec) && !entry.is_symlink(ec);
      if (name == ".git") {
        has_git = true;
      } else if (name == "HEAD") {
        has_head = !is_dir;
      } else if (name == "objects") {
        has_objects = is_dir;
      } else if (name == "refs") {
        has_refs = is_dir;
      }
      if (is_dir && name != ".git" && name != ".sprawl") {
        subdirs.push_back(entry.path());
      }
    }
    if (has_head && has_objects && has_refs && !has_git) {
      add(dir);  // bare: never entered
      continue;
    }
    if (has_git) add(dir);
    std::sort(subdirs.begin(), subdirs.end());
    for (auto i = subdirs.rbegin(); i != subdirs.rend(); ++i) {
      stack.push_back(std::move(*i));
    }
  }
  std::sort(
      out.begin(), out.end(),
      [](const SweepTarget& a, const SweepTarget& b) { return a.key < b.key; });
  return out;
}

Result<std::vector<SweepTarget>> ReadRepositoryList(const std::string& file) {
  std::ifstream in(file);
  if (!in) return Error{"--repos " + file + ": cannot read"};
  const fs::path dir = fs::path(file).parent_path();
  std::vector<SweepTarget> out;
  std::set<std::string> seen;
  std::string line;
  while (std::getline(in, line)) {
    std::string entry(Trim(line));
    if (entry.empty() || entry[0] == '#') continue;
    if (!seen.insert(entry).second) continue;
    SweepTarget t;
    t.key = entry;
    t.remote = IsRemoteUrl(entry);
    if (t.remote) {
      t.location = entry;
    } else {
      while (t.key.size() > 1 && t.key.back() == '/') t.key.pop_back();
      fs::path p(t.key);
      t.location =
          p.is_absolute() || dir.empty() ? p.string() : (dir / p).string();
    }
    out.push_back(std::move(t));
  }
  return out;
}

Result<Shard> ParseShard(const std::string& text) {
  const auto slash = text.find('/');
  Shard s;
  try {
    if (slash == std::string::npos) throw std::invalid_argument("no slash");
    std::size_t used = 0;
    s.index = std::stoi(text.substr(0, slash), &used);
    if (used != slash) throw std::invalid_argument("index");
    const std::string n = text.substr(slash + 1);
    s.count = std::stoi(n, &used);
    if (used != n.size()) throw std::invalid_argument("count");
  } catch (const std::exception&) {
    return Error{"--shard: expected I/N, got '" + text + "'"};
  }
  if (s.count < 1 || s.index < 0 || s.index >= s.count) {
    return Error{"--shard: need 0 <= I < N, got '" + text + "'"};
  }
  return s;
}

bool InShard(const std::string& key, const Shard& shard) {
  const uint64_t h = std::stoull(Sha256Hex(key).substr(0, 15), nullptr, 16);
  return static_cast<int>(h % static_cast<uint64_t>(shard.count)) ==
         shard.index;
}

}  // namespace sprawl
