// TreeSource: where HistoryIndex and TipMembership read raw trees from (an
// object database, or the tree pass's relevant trees), and TreeBytes, one
// tree read, holding what keeps its bytes alive. Sources are not thread-safe
// unless a subclass says so.
#pragma once

#include <git2.h>

#include <string>
#include <string_view>

#include "scanner/git/git_handles.h"

namespace sprawl {

// A raw tree as HistoryIndex reads it: the bytes, and what keeps them.
struct TreeBytes {
  GitOdbObjectPtr object;  // when read from an object database
  std::string_view data;
  bool malformed = false;  // the source found the tree malformed
};

// Where HistoryIndex reads trees from.
class TreeSource {
 public:
  virtual ~TreeSource() = default;
  // False (with the reason in `why`) when the tree cannot be read.
  virtual bool Read(const git_oid& oid, TreeBytes* out, std::string* why) = 0;
  // The object id to name in a diagnostic about the tree `oid`: a source
  // may stand for subtrees in the trees it returns by ids of its own.
  virtual git_oid RealOid(const git_oid& oid) const { return oid; }
};

// Reads trees from an object database.
class OdbTreeSource : public TreeSource {
 public:
  explicit OdbTreeSource(git_odb* odb) : odb_(odb) {}
  bool Read(const git_oid& oid, TreeBytes* out, std::string* why) override;

 private:
  git_odb* odb_;
};

}  // namespace sprawl
