#include "scanner/sweep/sweep_target.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <thread>

#include "scanner/base/dir_fd.h"
#include "scanner/base/hash.h"
#include "scanner/base/text.h"
#include "scanner/base/url_userinfo.h"
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

// What listing `dir` says: whether it is a repository, and (sorted, without
// .git and .sprawl) the subdirectories to walk next; none for a bare
// repository, which is never entered. A work tree is walked on, since
// DESIGN.md promises every repository below the root, vendored
// repositories inside a work tree included. Its stat is taken first: a
// change after it shows in the next comparison.
bool Visit(DirFd* dir, DirListing* out) {
  out->subdirs.clear();
  std::optional<FileStat> stat = dir->Stat();
  auto entries = dir->List();
  if (!stat || !entries) return false;
  out->stat = *stat;
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
      out->subdirs.push_back(std::move(e.name));
    }
  }
  if (has_head && has_objects && has_refs && !has_git) {
    out->repository = true;
    out->subdirs.clear();
    return true;
  }
  out->repository = has_git;
  std::sort(out->subdirs.begin(), out->subdirs.end());
  return true;
}

std::string Join(const std::string& rel, const std::string& name) {
  std::string out = rel;
  if (!out.empty()) out.push_back('/');
  out.append(name);
  return out;
}

// One discovery: the open root and what the last one recorded.
struct Discovery {
  DirFd* top;
  fs::path base;
  const DiscoveryOptions& options;
  int64_t taken_ns;  // before any stat of this discovery
};

// The listing of directory `rel` below the root: the recorded one while the
// directory's stat vouches for it, else a fresh one (false when it cannot
// be read). Opened from the root by its whole path: the walk only enters
// names a listing (fresh or vouched for) gave as directories.
bool Look(const Discovery& d, const std::string& rel, DirListing* out,
          std::string* why) {
  if (d.options.previous != nullptr) {
    auto it = d.options.previous->find(rel);
    FileStat now;
    if (it != d.options.previous->end() &&
        DirFd::StatPath(d.top, rel, &now) == 0 &&
        it->second.StillHolds(now, d.options.racy_margin_ns)) {
      *out = it->second;
      return true;
    }
  }
  DirFd dir = DirFd::Open(rel, d.top);
  out->taken_ns = d.taken_ns;
  if (!dir.ok()) {
    *why = std::strerror(dir.error());
    return false;
  }
  if (!Visit(&dir, out)) {
    *why = "cannot list it";
    return false;
  }
  return true;
}

// Adds the repositories at and below `rel` to `out`, depth first.
// Directories that could not be read go to `unreadable`.
void Walk(const Discovery& d, const std::string& rel, int depth,
          std::vector<SweepTarget>* out, DirListings* seen,
          std::vector<std::pair<std::string, std::string>>* unreadable) {
  if (depth > kMaxDepth) return;
  DirListing listing;
  std::string why;
  if (!Look(d, rel, &listing, &why)) {
    unreadable->emplace_back(rel, std::move(why));
    return;
  }
  if (listing.repository) AddTarget(d.base, rel, out);
  for (const std::string& name : listing.subdirs) {
    Walk(d, Join(rel, name), depth + 1, out, seen, unreadable);
  }
  if (seen != nullptr) seen->emplace(rel, std::move(listing));
}

}  // namespace

Result<std::vector<SweepTarget>> FindRepositories(const std::string& root,
                                                  int threads) {
  DiscoveryOptions options;
  options.threads = threads;
  return FindRepositories(root, options);
}

Result<std::vector<SweepTarget>> FindRepositories(
    const std::string& root, const DiscoveryOptions& options) {
  DirFd top = DirFd::Open(root, nullptr, /*follow_link=*/true);
  if (!top.ok()) return Error{"--root " + root + ": not a directory"};
  const Discovery d{&top, fs::path(root), options, RealtimeNowNs()};
  std::vector<SweepTarget> out;
  // The root itself was opened following a link: vouched for by fstat.
  DirListing top_listing;
  bool reused = false;
  if (options.previous != nullptr) {
    auto it = options.previous->find("");
    std::optional<FileStat> now = top.Stat();
    if (it != options.previous->end() && now &&
        it->second.StillHolds(*now, options.racy_margin_ns)) {
      top_listing = it->second;
      reused = true;
    }
  }
  if (!reused) {
    top_listing.taken_ns = d.taken_ns;
    if (!Visit(&top, &top_listing)) top_listing = DirListing{};
  }
  if (top_listing.repository) AddTarget(d.base, "", &out);
  const std::vector<std::string>& subdirs = top_listing.subdirs;
  // The root's subdirectories are walked on several threads: discovery is
  // nothing but system calls, and a good part of a sweep with no new
  // commits.
  int threads = options.threads;
  if (threads <= 0) {
    threads =
        static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  }
  const std::size_t parts = std::clamp<std::size_t>(
      subdirs.size(), 1, static_cast<std::size_t>(threads));
  std::atomic<std::size_t> next{0};
  std::vector<std::vector<SweepTarget>> found(parts);
  std::vector<DirListings> seen(options.seen != nullptr ? parts : 0);
  std::vector<std::vector<std::pair<std::string, std::string>>> unreadable(
      parts);
  auto work = [&](std::size_t part) {
    DirListings* into = seen.empty() ? nullptr : &seen[part];
    for (std::size_t i; (i = next.fetch_add(1)) < subdirs.size();) {
      Walk(d, subdirs[i], 1, &found[part], into, &unreadable[part]);
    }
  };
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < parts; ++t) pool.emplace_back(work, t);
  work(0);
  for (std::thread& t : pool) t.join();
  for (auto& part : found) {
    for (SweepTarget& t : part) out.push_back(std::move(t));
  }
  if (options.unreadable != nullptr) {
    options.unreadable->clear();
    for (auto& part : unreadable) {
      for (auto& u : part) options.unreadable->push_back(std::move(u));
    }
    std::sort(options.unreadable->begin(), options.unreadable->end());
  }
  if (options.seen != nullptr) {
    options.seen->clear();
    for (DirListings& part : seen) options.seen->merge(part);
    options.seen->emplace("", std::move(top_listing));
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
    SweepTarget t;
    // A token in the URL authenticates the mirror and nothing else: the
    // key (reports, diagnostics, the datastore) never holds it.
    t.key = StripUrlUserinfo(entry);
    if (!seen.insert(t.key).second) continue;
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
