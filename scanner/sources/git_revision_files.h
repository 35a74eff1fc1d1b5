// RevisionFiles: files of one revision of a repository (the base of a
// `--range`), copied on demand into a private temporary directory so the
// loaders that take paths (config, inventory, rule packs, .sprawlignore)
// read the trusted side of a change instead of the change itself. Only
// regular blobs are copied (symlinks and submodules are not), each at most
// kMaxRepoFileSize. Owns the directory (0700) and removes it when
// destroyed. Not thread-safe.
#pragma once

#include <memory>
#include <string>

#include "scanner/base/result.h"

namespace sprawl {

class RevisionFiles {
 public:
  // The base of `range` in the repository at `repo_path`: A of "A..B", the
  // first merge base of "A...B". An Error when it does not resolve.
  static Result<std::unique_ptr<RevisionFiles>> OpenRangeBase(
      const std::string& repo_path, const std::string& range);
  ~RevisionFiles();
  RevisionFiles(const RevisionFiles&) = delete;
  RevisionFiles& operator=(const RevisionFiles&) = delete;

  // The directory standing for the revision's tree.
  const std::string& dir() const { return dir_; }
  // The revision's commit, hex.
  const std::string& commit() const { return commit_; }

  // Copies `rel` (a file, or a directory with everything below it) from
  // the revision into dir(). False when the revision has no such path; an
  // Error when it cannot be read or a file is over the cap.
  Result<bool> Extract(const std::string& rel);

 private:
  RevisionFiles() = default;
  struct Repo;
  std::unique_ptr<Repo> repo_;
  std::string dir_;
  std::string commit_;
};

}  // namespace sprawl
