#include "scanner/sources/tree_source.h"

namespace sprawl {

namespace {

// Reads a tree object; null (with the reason in `why`) when it cannot.
GitOdbObjectPtr ReadTree(git_odb* odb, const git_oid& oid, std::string* why) {
  git_odb_object* raw = nullptr;
  if (git_odb_read(&raw, odb, &oid) != 0) {
    *why = "tree " + GitHex(oid) + " missing or unreadable: " + GitLastError();
    return nullptr;
  }
  GitOdbObjectPtr obj(raw);
  if (git_odb_object_type(raw) != GIT_OBJECT_TREE) {
    *why = "object " + GitHex(oid) + " is not a tree";
    return nullptr;
  }
  return obj;
}

std::string_view Data(git_odb_object* o) {
  return {static_cast<const char*>(git_odb_object_data(o)),
          git_odb_object_size(o)};
}

}  // namespace

bool OdbTreeSource::Read(const git_oid& oid, TreeBytes* out, std::string* why) {
  out->object = ReadTree(odb_, oid, why);
  if (!out->object) return false;
  out->data = Data(out->object.get());
  out->malformed = false;
  return true;
}

}  // namespace sprawl
