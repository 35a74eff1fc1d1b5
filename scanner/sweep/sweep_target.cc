#include "scanner/sweep/sweep_target.h"

#include <algorithm>
#include <filesystem>
#include <atomic>
#include <fstream>
#include <thread>
#include <set>

#include "scanner/base/dir_fd.h"
#include "scanner/base/hash.h"
#include "scanner/base/text.h"
#include "scanner/sources/git_mirror.h"

namespace sprawl {
namespace {

namespace fs = std::filesystem;

// Bind mounts can loop; no real tree of repositories is this deep.
constexpr int kMaxDepth = 64;

void AddTarget(const fs::path& base, const std::string& rel,
               std::vector<SweepTarget>* out) {
  out->push_back({rel.empty() ? "." : rel,
                  rel.empty() ? base.string() : (base / rel).string(), false});
}

// Lists `dir` (at `rel` below `base`): adds it to `out` when it is a
// repository, and fills `subdirs` (sorted, without .git and .sprawl) with
// what to walk next; none for a bare repository, which is never entered.
// A work tree is walked on, since DESIGN.md promises every repository below
// the root, vendored repositories inside a work tree included.
void Visit(DirFd* dir, const fs::path& base, const std::string& rel,
           std::vector<SweepTarget>* out, std::vector<std::string>* subdirs) {
  subdirs->clear();
  auto entries = dir->List();
  if (!entries) return;
  using Type = DirEntry::Type;
  bool has_git = false, has_head = false, has_objects = false, has_refs = false;
  for (DirEntry& e : *entries) {
    const bool is_dir = e.type == Type::kDirectory;
    if (e.name == ".git") {
      has_git = true;
    } else if (e.name == "HEAD") {
      has_head = !is_dir;
    } else if (e.name == "objects") {
      has_objects = is_dir;
    } else if (e.name == "refs") {
      has_refs = is_dir;
    }
    if (is_dir && e.name != ".sprawl" && e.name != ".git") {
      subdirs->push_back(std::move(e.name));
    }
  }
  if (has_head && has_objects && has_refs && !has_git) {
    AddTarget(base, rel, out);
    subdirs->clear();
    return;
  }
  if (has_git) AddTarget(base, rel, out);
  std::sort(subdirs->begin(), subdirs->end());
}

std::string Join(const std::string& rel, const std::string& name) {
  std::string out = rel;
  if (!out.empty()) out.push_back('/');
  out.append(name);
  return out;
}

// Adds the repositories at and below `dir` to `out`, depth first; each
// subdirectory is opened relative to its parent.
void Walk(DirFd* dir, const fs::path& base, const std::string& rel, int depth,
          std::vector<SweepTarget>* out) {
  if (depth > kMaxDepth) return;
  std::vector<std::string> subdirs;
  Visit(dir, base, rel, out, &subdirs);
  for (const std::string& name : subdirs) {
    DirFd sub = DirFd::Open(name, dir);
    if (sub.ok()) Walk(&sub, base, Join(rel, name), depth + 1, out);
  }
}

}  // namespace

Result<std::vector<SweepTarget>> FindRepositories(const std::string& root,
                                                  int threads) {
  DirFd top = DirFd::Open(root, nullptr, /*follow_link=*/true);
  if (!top.ok()) return Error{"--root " + root + ": not a directory"};
  const fs::path base(root);
  std::vector<SweepTarget> out;
  std::vector<std::string> subdirs;
  Visit(&top, base, "", &out, &subdirs);
  // The root's subdirectories are walked on several threads: discovery is
  // nothing but system calls, and a good part of a sweep with no new
  // commits.
  if (threads <= 0) {
    threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  }
  std::atomic<std::size_t> next{0};
  std::vector<std::vector<SweepTarget>> found(
      std::clamp<std::size_t>(subdirs.size(), 1, static_cast<std::size_t>(threads)));
  auto work = [&](std::vector<SweepTarget>* into) {
    for (std::size_t i; (i = next.fetch_add(1)) < subdirs.size();) {
      DirFd sub = DirFd::Open(subdirs[i], &top);
      if (sub.ok()) Walk(&sub, base, subdirs[i], 1, into);
    }
  };
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < found.size(); ++t) {
    pool.emplace_back(work, &found[t]);
  }
  work(&found[0]);
  for (std::thread& t : pool) t.join();
  for (auto& part : found) {
    for (SweepTarget& t : part) out.push_back(std::move(t));
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
