#include "scanner/sources/git_provenance.h"

#include <algorithm>
#include <cstring>

#include "scanner/base/text.h"
#include "scanner/sources/git_objects.h"

namespace sprawl {

PathTable::PathTable() { nodes_.push_back({0, 0, 0}); }

uint32_t PathTable::Intern(uint32_t parent, std::string_view name) {
  key_.assign(reinterpret_cast<const char*>(&parent), sizeof parent);
  key_.append(name);
  auto it = ids_.find(std::string_view(key_));
  if (it != ids_.end()) return it->second;
  const uint32_t id = static_cast<uint32_t>(nodes_.size());
  nodes_.push_back({parent, static_cast<uint32_t>(names_.size()),
                    static_cast<uint32_t>(name.size())});
  names_.append(name);
  ids_.emplace(key_, id);
  return id;
}

std::string PathTable::Path(uint32_t id) const {
  std::vector<uint32_t> chain;
  for (uint32_t x = id; x != 0; x = nodes_[x].parent) chain.push_back(x);
  std::string out;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    if (!out.empty()) out.push_back('/');
    out.append(names_, nodes_[*it].name_begin, nodes_[*it].name_size);
  }
  return out;
}

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

void MarkTreeOld(git_odb* odb, const git_oid& tree, OidSet* old,
                 Diagnostics* diagnostics) {
  if (!old->insert(tree).second) return;
  std::vector<git_oid> stack{tree};
  while (!stack.empty()) {
    git_oid t = stack.back();
    stack.pop_back();
    std::string why;
    GitOdbObjectPtr obj = ReadTree(odb, t, &why);
    if (!obj) {
      diagnostics->Warn("", why);
      continue;
    }
    RawTreeReader reader(Data(obj.get()));
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

bool OdbTreeSource::Read(const git_oid& oid, TreeBytes* out, std::string* why) {
  out->object = ReadTree(odb_, oid, why);
  if (!out->object) return false;
  out->data = Data(out->object.get());
  out->malformed = false;
  return true;
}

bool OnceFilter::First(std::string key) {
  std::lock_guard<std::mutex> lock(mu_);
  return seen_.insert(std::move(key)).second;
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
