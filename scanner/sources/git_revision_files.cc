#include "scanner/sources/git_revision_files.h"

#include <git2.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "scanner/base/repo_file.h"
#include "scanner/base/text.h"
#include "scanner/git/git_handles.h"

namespace sprawl {

struct RevisionFiles::Repo {
  GitRepoPtr repo;
  git_tree* tree = nullptr;
  ~Repo() { git_tree_free(tree); }
};

namespace {

bool SafeRelative(const std::string& rel) {
  if (rel.empty() || rel[0] == '/') return false;
  for (const auto& part : std::filesystem::path(rel)) {
    if (part == "..") return false;
  }
  return true;
}

Status WriteBlob(git_repository* repo, const git_oid& oid,
                 const std::string& rel, const std::string& dest) {
  git_blob* blob = nullptr;
  if (git_blob_lookup(&blob, repo, &oid) != 0) {
    return Error{EscapeForDisplay(rel) +
                 " (base revision): cannot read: " + GitLastError()};
  }
  const uint64_t size = git_blob_rawsize(blob);
  if (size > kMaxRepoFileSize) {
    git_blob_free(blob);
    return Error{
        EscapeForDisplay(rel) + " (base revision): " + std::to_string(size) +
        " bytes is over the limit of " + std::to_string(kMaxRepoFileSize) +
        " bytes for a configuration file"};
  }
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(dest).parent_path(),
                                      ec);
  std::ofstream out(dest, std::ios::binary | std::ios::trunc);
  out.write(static_cast<const char*>(git_blob_rawcontent(blob)),
            static_cast<std::streamsize>(size));
  git_blob_free(blob);
  out.close();
  if (!out) return Error{dest + ": cannot write"};
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<RevisionFiles>> RevisionFiles::OpenRangeBase(
    const std::string& repo_path, const std::string& range) {
  EnsureLibgit2();
  std::unique_ptr<RevisionFiles> files(new RevisionFiles());
  files->repo_ = std::make_unique<Repo>();
  git_repository* raw = nullptr;
  if (git_repository_open_ext(&raw, repo_path.c_str(), 0, nullptr) != 0) {
    return Error{repo_path + ": not a git repository"};
  }
  files->repo_->repo.reset(raw);
  git_revspec spec;
  if (git_revparse(&spec, raw, range.c_str()) != 0) {
    return Error{"--range " + range + ": " + GitLastError()};
  }
  GitObjectPtr from(spec.from);
  GitObjectPtr to(spec.to);
  if ((spec.flags & GIT_REVSPEC_RANGE) == 0 || !from || !to) {
    return Error{"--range " + range + ": expected A..B"};
  }
  git_object* base = nullptr;
  if (git_object_peel(&base, from.get(), GIT_OBJECT_COMMIT) != 0) {
    return Error{"--range " + range + ": not a commit: " + GitLastError()};
  }
  GitObjectPtr base_holder(base);
  git_oid oid = *git_object_id(base);
  if (spec.flags & GIT_REVSPEC_MERGE_BASE) {
    git_object* tip = nullptr;
    if (git_object_peel(&tip, to.get(), GIT_OBJECT_COMMIT) != 0) {
      return Error{"--range " + range + ": not a commit: " + GitLastError()};
    }
    GitObjectPtr tip_holder(tip);
    git_oid merge_base;
    if (git_merge_base(&merge_base, raw, &oid, git_object_id(tip)) == 0) {
      oid = merge_base;
    }
  }
  git_commit* commit = nullptr;
  if (git_commit_lookup(&commit, raw, &oid) != 0 ||
      git_commit_tree(&files->repo_->tree, commit) != 0) {
    git_commit_free(commit);
    return Error{"--range " + range +
                 ": cannot read the base's tree: " + GitLastError()};
  }
  git_commit_free(commit);
  files->commit_ = GitHex(oid);
  const char* tmp = std::getenv("TMPDIR");
  std::string templ = std::string(tmp != nullptr && *tmp ? tmp : "/tmp") +
                      "/sprawl-base-XXXXXX";
  if (::mkdtemp(templ.data()) == nullptr) {
    return Error{templ + ": cannot create a temporary directory"};
  }
  ::chmod(templ.c_str(), 0700);
  files->dir_ = templ;
  return files;
}

RevisionFiles::~RevisionFiles() {
  if (dir_.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

Result<bool> RevisionFiles::Extract(const std::string& rel) {
  if (!SafeRelative(rel)) {
    return Error{EscapeForDisplay(rel) +
                 ": a repository path must stay inside the repository"};
  }
  git_tree_entry* entry = nullptr;
  if (git_tree_entry_bypath(&entry, repo_->tree, rel.c_str()) != 0) {
    return false;
  }
  const git_filemode_t mode = git_tree_entry_filemode(entry);
  const git_oid oid = *git_tree_entry_id(entry);
  git_tree_entry_free(entry);
  git_repository* repo = repo_->repo.get();
  if (mode == GIT_FILEMODE_BLOB || mode == GIT_FILEMODE_BLOB_EXECUTABLE) {
    Status s = WriteBlob(repo, oid, rel, dir_ + "/" + rel);
    if (!s.ok()) return s.error();
    return true;
  }
  if (mode != GIT_FILEMODE_TREE) return false;  // symlink, submodule
  git_tree* sub = nullptr;
  if (git_tree_lookup(&sub, repo, &oid) != 0) {
    return Error{EscapeForDisplay(rel) +
                 " (base revision): cannot read: " + GitLastError()};
  }
  struct Walk {
    git_repository* repo;
    std::string rel, dir;
    Status status = Status::Ok();
    int files = 0;
  } walk{repo, rel, dir_};
  git_tree_walk(
      sub, GIT_TREEWALK_PRE,
      [](const char* root, const git_tree_entry* e, void* payload) -> int {
        auto* w = static_cast<Walk*>(payload);
        const git_filemode_t m = git_tree_entry_filemode(e);
        if (m != GIT_FILEMODE_BLOB && m != GIT_FILEMODE_BLOB_EXECUTABLE) {
          return 0;
        }
        if (++w->files > 10000) {
          w->status = Error{EscapeForDisplay(w->rel) +
                            " (base revision): more than 10000 files"};
          return -1;
        }
        const std::string path = w->rel + "/" + root + git_tree_entry_name(e);
        if (!SafeRelative(path)) return 0;
        Status s = WriteBlob(w->repo, *git_tree_entry_id(e), path,
                             w->dir + "/" + path);
        if (!s.ok()) {
          w->status = s;
          return -1;
        }
        return 0;
      },
      &walk);
  git_tree_free(sub);
  if (!walk.status.ok()) return walk.status.error();
  return true;
}

}  // namespace sprawl
