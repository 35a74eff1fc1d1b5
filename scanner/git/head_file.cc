#include "scanner/git/head_file.h"

#include <git2.h>

#include "scanner/base/text.h"
#include "scanner/git/git_handles.h"

namespace sprawl {

Result<std::optional<std::string>> ReadHeadFile(const std::string& repo_path,
                                                const std::string& rel,
                                                uint64_t max) {
  EnsureLibgit2();
  const std::string shown = EscapeForDisplay(rel);
  git_repository* raw = nullptr;
  if (git_repository_open_ext(&raw, repo_path.c_str(),
                              GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr) != 0) {
    return Error{shown + ": cannot open the repository: " + GitLastError()};
  }
  GitRepoPtr repo(raw);
  if (git_repository_head_unborn(repo.get()) == 1) {
    return std::optional<std::string>();
  }
  git_object* head = nullptr;
  if (git_revparse_single(&head, repo.get(), "HEAD^{tree}") != 0) {
    return Error{shown + ": cannot read HEAD's tree: " + GitLastError()};
  }
  GitObjectPtr tree_holder(head);
  const auto* tree = reinterpret_cast<const git_tree*>(head);
  git_tree_entry* raw_entry = nullptr;
  if (git_tree_entry_bypath(&raw_entry, tree, rel.c_str()) != 0) {
    return std::optional<std::string>();  // no such path
  }
  GitTreeEntryPtr entry(raw_entry);
  const git_filemode_t mode = git_tree_entry_filemode(entry.get());
  if (mode != GIT_FILEMODE_BLOB && mode != GIT_FILEMODE_BLOB_EXECUTABLE) {
    return std::optional<std::string>();
  }
  // The header first: an oversized blob is refused without inflating it.
  git_odb* raw_odb = nullptr;
  if (git_repository_odb(&raw_odb, repo.get()) != 0) {
    return Error{shown + ": cannot open the object store: " + GitLastError()};
  }
  GitOdbPtr odb(raw_odb);
  std::size_t size = 0;
  git_object_t type = GIT_OBJECT_INVALID;
  const git_oid* oid = git_tree_entry_id(entry.get());
  if (git_odb_read_header(&size, &type, odb.get(), oid) != 0) {
    return Error{shown + " (HEAD): cannot read: " + GitLastError()};
  }
  if (size > max) {
    return Error{shown + " (HEAD): " + std::to_string(size) +
                 " bytes is over the limit of " + std::to_string(max) +
                 " bytes; not read"};
  }
  git_odb_object* raw_object = nullptr;
  if (git_odb_read(&raw_object, odb.get(), oid) != 0) {
    return Error{shown + " (HEAD): cannot read: " + GitLastError()};
  }
  GitOdbObjectPtr object(raw_object);
  if (git_odb_object_type(object.get()) != GIT_OBJECT_BLOB) {
    return Error{shown + " (HEAD): not a blob"};
  }
  return std::optional<std::string>(
      std::string(static_cast<const char*>(git_odb_object_data(object.get())),
                  git_odb_object_size(object.get())));
}

}  // namespace sprawl
