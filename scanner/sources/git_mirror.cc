#include "scanner/sources/git_mirror.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "scanner/base/hash.h"
#include "scanner/git/git_handles.h"

namespace sprawl {
namespace {

using GitRemotePtr =
    std::unique_ptr<git_remote, GitDeleter<git_remote, git_remote_free>>;

constexpr const char* kMirrorRefspec = "+refs/*:refs/*";

int CreateMirrorRemote(git_remote** out, git_repository* repo, const char* name,
                       const char* url, void*) {
  return git_remote_create_with_fetchspec(out, repo, name, url, kMirrorRefspec);
}

}  // namespace

Result<std::vector<std::pair<std::string, std::string>>> ReadRefTips(
    const std::string& repo_path) {
  EnsureLibgit2();
  git_repository* raw = nullptr;
  if (git_repository_open_ext(&raw, repo_path.c_str(),
                              GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr) != 0) {
    return Error{"not a readable git repository: " + GitLastError()};
  }
  GitRepoPtr repo(raw);
  git_odb* odb_raw = nullptr;
  if (git_repository_odb(&odb_raw, raw) != 0) {
    return Error{"cannot open object database: " + GitLastError()};
  }
  GitOdbPtr odb(odb_raw);
  std::vector<std::pair<std::string, std::string>> tips;
  git_reference_iterator* it_raw = nullptr;
  if (git_reference_iterator_new(&it_raw, raw) != 0) {
    return Error{"cannot list references: " + GitLastError()};
  }
  GitRefIteratorPtr it(it_raw);
  git_reference* ref = nullptr;
  int rc;
  while ((rc = git_reference_next(&ref, it.get())) == 0) {
    GitReferencePtr holder(ref);
    if (git_reference_type(ref) != GIT_REFERENCE_DIRECT) continue;
    const git_oid* target = git_reference_target(ref);
    if (target == nullptr) continue;
    if (!git_odb_exists(odb.get(), target)) {
      return Error{std::string("ref ") + git_reference_name(ref) +
                   " points to a missing object " + GitHex(*target)};
    }
    tips.emplace_back(git_reference_name(ref), GitHex(*target));
  }
  if (rc != GIT_ITEROVER) {
    return Error{"cannot list references: " + GitLastError()};
  }
  std::sort(tips.begin(), tips.end());
  git_reference* head = nullptr;
  rc = git_repository_head(&head, raw);
  if (rc == 0) {
    GitReferencePtr holder(head);
    if (const git_oid* target = git_reference_target(head)) {
      tips.emplace_back("HEAD", GitHex(*target));
    }
  } else if (rc != GIT_EUNBORNBRANCH && rc != GIT_ENOTFOUND) {
    return Error{"cannot resolve HEAD: " + GitLastError()};
  }
  return tips;
}

bool IsRemoteUrl(const std::string& url) {
  if (url.find("://") != std::string::npos) return true;
  // scp-like: user@host:path (a colon before any slash).
  const auto colon = url.find(':');
  const auto slash = url.find('/');
  return url.find('@') != std::string::npos && colon != std::string::npos &&
         (slash == std::string::npos || colon < slash);
}

std::string MirrorPath(const std::string& cache_dir, const std::string& url) {
  std::string name = url;
  while (!name.empty() && name.back() == '/') name.pop_back();
  name = name.substr(name.find_last_of("/:") + 1);
  if (name.size() > 4 && name.compare(name.size() - 4, 4, ".git") == 0) {
    name.resize(name.size() - 4);
  }
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' &&
        c != '.') {
      c = '_';
    }
  }
  if (name.empty() || name[0] == '.') name = "repo" + name;
  return cache_dir + "/" + name + "-" + Sha256Hex(url).substr(0, 12) + ".git";
}

Result<std::string> UpdateMirror(const std::string& cache_dir,
                                 const std::string& url) {
  EnsureLibgit2();
  const std::string path = MirrorPath(cache_dir, url);
  std::error_code ec;
  std::filesystem::create_directories(cache_dir, ec);
  if (ec) return Error{cache_dir + ": cannot create: " + ec.message()};
  git_repository* raw = nullptr;
  if (std::filesystem::exists(path + "/HEAD") &&
      git_repository_open_bare(&raw, path.c_str()) == 0) {
    GitRepoPtr repo(raw);
    git_remote* remote_raw = nullptr;
    if (git_remote_lookup(&remote_raw, raw, "origin") != 0) {
      return Error{"mirror " + path + ": no origin remote: " + GitLastError()};
    }
    GitRemotePtr remote(remote_raw);
    git_fetch_options fetch = GIT_FETCH_OPTIONS_INIT;
    fetch.prune = GIT_FETCH_PRUNE;
    fetch.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_ALL;
    if (git_remote_fetch(remote.get(), nullptr, &fetch, "sprawl sweep") != 0) {
      return Error{"fetch " + url + ": " + GitLastError()};
    }
    return path;
  }
  // A half-written clone from an interrupted run is discarded.
  std::filesystem::remove_all(path, ec);
  const std::string partial = path + ".partial";
  std::filesystem::remove_all(partial, ec);
  git_clone_options clone = GIT_CLONE_OPTIONS_INIT;
  clone.bare = 1;
  clone.remote_cb = CreateMirrorRemote;
  if (git_clone(&raw, url.c_str(), partial.c_str(), &clone) != 0) {
    std::string message = GitLastError();
    std::filesystem::remove_all(partial, ec);
    return Error{"clone " + url + ": " + message};
  }
  git_repository_free(raw);
  std::filesystem::rename(partial, path, ec);
  if (ec) return Error{"mirror " + path + ": " + ec.message()};
  return path;
}

}  // namespace sprawl
