#include "scanner/sources/history_index.h"

#include <algorithm>
#include <cstring>

#include "scanner/base/text.h"
#include "scanner/git/raw_objects.h"

namespace sprawl {

void MarkTreeOld(git_odb* odb, const git_oid& tree, OidSet* old,
                 Diagnostics* diagnostics) {
  if (!old->insert(tree).second) return;
  OdbTreeSource source(odb);
  std::vector<git_oid> stack{tree};
  while (!stack.empty()) {
    git_oid t = stack.back();
    stack.pop_back();
    std::string why;
    TreeBytes bytes;
    if (!source.Read(t, &bytes, &why)) {
      diagnostics->Warn("", why);
      continue;
    }
    RawTreeReader reader(bytes.data);
    RawTreeEntry e;
    while (reader.Next(&e)) {
      if (e.kind == EntryKind::kTree) {
        if (old->insert(*e.oid).second) stack.push_back(*e.oid);
      } else if (e.kind == EntryKind::kBlob) {
        old->insert(*e.oid);
      }
    }
  }
}

HistoryIndex::HistoryIndex(git_odb* odb, const OidSet* old,
                           Diagnostics* diagnostics, OnceFilter* once)
    : own_source_(std::make_unique<OdbTreeSource>(odb)),
      source_(own_source_.get()),
      old_(old),
      diagnostics_(diagnostics),
      once_(once) {}

HistoryIndex::HistoryIndex(TreeSource* source, Diagnostics* diagnostics,
                           OnceFilter* once)
    : source_(source), old_(nullptr), diagnostics_(diagnostics), once_(once) {}

void HistoryIndex::Absorb(const HistoryIndex& later) {
  // later's path ids -> ours, interned parents first (a parent id is always
  // smaller than its children's).
  std::vector<uint32_t> path_map(later.paths_.size(), 0);
  for (uint32_t id = 1; id < later.paths_.size(); ++id) {
    path_map[id] =
        paths_.Intern(path_map[later.paths_.parent(id)], later.paths_.name(id));
  }
  for (const Pair& pair : later.pairs_) {
    const uint32_t p = path_map[pair.path];
    const git_oid& oid = later.blobs_[pair.blob];
    if (!seen_pairs_.Insert(PathOid{p, oid})) continue;
    auto [it, added] =
        blob_ids_.try_emplace(oid, static_cast<uint32_t>(blobs_.size()));
    if (added) {
      blobs_.push_back(oid);
      blob_path_.push_back(p);
    }
    pairs_.push_back({p, it->second, pair.commit});
  }
}

void HistoryIndex::AddCommitTree(const git_oid& tree, uint32_t commit) {
  WalkTree(tree, 0, commit);
}

namespace {

// Git's tree order: names compare bytewise, a tree as if it ended in '/'.
int CompareEntries(const RawTreeEntry& a, const RawTreeEntry& b) {
  const std::size_t n = std::min(a.name.size(), b.name.size());
  if (int c = std::memcmp(a.name.data(), b.name.data(), n); c != 0) return c;
  auto next = [n](const RawTreeEntry& e) -> unsigned {
    if (e.name.size() > n) return static_cast<unsigned char>(e.name[n]);
    return e.kind == EntryKind::kTree ? '/' : 0;
  };
  return static_cast<int>(next(a)) - static_cast<int>(next(b));
}

}  // namespace

void HistoryIndex::WalkTree(const git_oid& tree, uint32_t path,
                            uint32_t commit) {
  if (old_ != nullptr && old_->count(tree) != 0) return;
  if (!seen_trees_.Insert(PathOid{path, tree})) return;
  if (bad_trees_.count(tree) != 0) return;
  std::string why;
  TreeBytes obj;
  if (!source_->Read(tree, &obj, &why)) {
    if (FirstTime("tree " + GitHex(source_->RealOid(tree)))) {
      diagnostics_->Warn(EscapeForDisplay(paths_.Path(path)), why);
    }
    bad_trees_.insert(tree);
    return;
  }
  // The previous tree at this path; children insert their own entries in
  // last_tree_ while we iterate (which may rehash it), so take it out.
  TreeBytes previous;
  if (auto it = last_tree_.find(path); it != last_tree_.end()) {
    previous = std::move(it->second);
  }
  RawTreeReader before(previous.data);
  RawTreeEntry b;
  bool have_b = before.Next(&b);
  RawTreeReader reader(obj.data);
  RawTreeEntry e;
  while (reader.Next(&e)) {
    // Advance the previous tree to the first entry not before e.
    int cmp = 1;
    while (have_b && (cmp = CompareEntries(b, e)) < 0) have_b = before.Next(&b);
    if (have_b && cmp == 0 && b.kind == e.kind && OidEq()(*b.oid, *e.oid)) {
      continue;  // unchanged since the previous tree at this path
    }
    switch (e.kind) {
      case EntryKind::kTree:
        WalkTree(*e.oid, paths_.Intern(path, e.name), commit);
        break;
      case EntryKind::kBlob: {
        if (old_ != nullptr && old_->count(*e.oid) != 0) break;
        const uint32_t p = paths_.Intern(path, e.name);
        if (!seen_pairs_.Insert(PathOid{p, *e.oid})) break;
        auto [it, added] =
            blob_ids_.try_emplace(*e.oid, static_cast<uint32_t>(blobs_.size()));
        if (added) {
          blobs_.push_back(*e.oid);
          blob_path_.push_back(p);
        }
        pairs_.push_back({p, it->second, commit});
        break;
      }
      case EntryKind::kSubmodule: {
        const uint32_t p = paths_.Intern(path, e.name);
        if (noted_submodules_.insert(p).second &&
            FirstTime("submodule " + paths_.Path(p))) {
          diagnostics_->Note(
              EscapeForDisplay(paths_.Path(p)),
              "submodule (commit " + GitHex(*e.oid) + ") not followed");
        }
        break;
      }
      case EntryKind::kSymlink:  // the content is a link target, not a file
      case EntryKind::kOther:
        break;
    }
  }
  if (reader.error() || obj.malformed) {
    const std::string hex = GitHex(source_->RealOid(tree));
    if (FirstTime("malformed " + hex)) {
      diagnostics_->Warn(EscapeForDisplay(paths_.Path(path)),
                         "malformed tree " + hex);
    }
    last_tree_[path] = std::move(previous);
    return;
  }
  last_tree_[path] = std::move(obj);
}

}  // namespace sprawl
