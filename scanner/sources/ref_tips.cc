#include "scanner/sources/ref_tips.h"

#include <algorithm>
#include <fstream>
#include <map>

#include "scanner/base/text.h"
#include "scanner/git/git_handles.h"
#include "scanner/git/raw_objects.h"

namespace sprawl {

std::vector<RefTip> ListRefTips(git_repository* repo,
                                Diagnostics* diagnostics) {
  std::vector<RefTip> tips;
  // Refs whose object is missing: one diagnostic for all of them (a pack
  // that cannot be read can leave thousands), naming a few.
  std::vector<std::pair<std::string, git_oid>> missing;
  auto add = [&](const std::string& name, git_reference* ref) {
    RefTip tip;
    tip.name = name;
    git_object* obj = nullptr;
    if (git_reference_peel(&obj, ref, GIT_OBJECT_COMMIT) == 0) {
      tip.commit = *git_object_id(obj);
      GitObjectPtr holder(obj);
      tip.tree = *git_commit_tree_id(reinterpret_cast<git_commit*>(obj));
      tips.push_back(std::move(tip));
      return;
    }
    if (git_reference_peel(&obj, ref, GIT_OBJECT_TREE) == 0) {
      tip.tree = *git_object_id(obj);
      git_object_free(obj);
      tips.push_back(std::move(tip));
      return;
    }
    const git_oid* target = git_reference_target(ref);
    git_object* any = nullptr;
    if (target != nullptr &&
        git_object_lookup(&any, repo, target, GIT_OBJECT_ANY) != 0) {
      missing.emplace_back(name, *target);
      return;
    }
    git_object_free(any);
    diagnostics->Note(EscapeForDisplay(name),
                      "ref points to no commit or tree; not scanned");
  };
  git_reference_iterator* it_raw = nullptr;
  if (git_reference_iterator_new(&it_raw, repo) == 0) {
    GitRefIteratorPtr it(it_raw);
    git_reference* ref = nullptr;
    while (git_reference_next(&ref, it.get()) == 0) {
      GitReferencePtr holder(ref);
      if (git_reference_type(ref) != GIT_REFERENCE_DIRECT) continue;
      add(git_reference_name(ref), ref);
    }
  } else {
    diagnostics->Warn("", "cannot list references: " + GitLastError());
  }
  std::sort(tips.begin(), tips.end(),
            [](const RefTip& a, const RefTip& b) { return a.name < b.name; });
  git_reference* head = nullptr;
  if (git_repository_head(&head, repo) == 0) {
    GitReferencePtr holder(head);
    add("HEAD", head);
  }
  if (missing.size() == 1) {
    diagnostics->Warn(EscapeForDisplay(missing[0].first),
                      "ref points to a missing object " +
                          GitHex(missing[0].second) + "; not scanned");
  } else if (!missing.empty()) {
    constexpr std::size_t kExamples = 3;
    std::string what = std::to_string(missing.size()) +
                       " refs point to missing objects; not scanned (";
    for (std::size_t i = 0; i < missing.size() && i < kExamples; ++i) {
      if (i > 0) what += ", ";
      what += EscapeForDisplay(missing[i].first) + " -> " +
              GitHex(missing[i].second);
    }
    if (missing.size() > kExamples) {
      what += ", and " + std::to_string(missing.size() - kExamples) + " more";
    }
    diagnostics->Warn("", what + ")");
  }
  return tips;
}

std::vector<RefTip> StartTips(git_repository* repo,
                              const std::vector<std::string>& commits,
                              Diagnostics* diagnostics) {
  if (commits.empty()) return ListRefTips(repo, diagnostics);
  std::vector<RefTip> tips;
  for (const std::string& hex : commits) {
    git_oid oid;
    git_commit* commit = nullptr;
    if (git_oid_fromstr(&oid, hex.c_str()) != 0 ||
        git_commit_lookup(&commit, repo, &oid) != 0) {
      diagnostics->Warn(EscapeForDisplay(hex),
                        "cannot read commit: " + GitLastError());
      continue;
    }
    RefTip tip;
    tip.name = hex;
    tip.commit = oid;
    tip.tree = *git_commit_tree_id(commit);
    git_commit_free(commit);
    tips.push_back(std::move(tip));
  }
  return tips;
}

OidSet ReadShallowGrafts(git_repository* repo) {
  OidSet out;
  if (git_repository_is_shallow(repo) != 1) return out;
  std::ifstream in(std::string(git_repository_commondir(repo)) + "shallow");
  std::string line;
  while (std::getline(in, line)) {
    git_oid oid;
    if (line.size() >= GIT_OID_HEXSZ &&
        git_oid_fromstrn(&oid, line.data(), GIT_OID_HEXSZ) == 0) {
      out.insert(oid);
    }
  }
  return out;
}

TipMembership::TipMembership(TreeSource* source,
                             const std::vector<RefTip>& tips)
    : source_(source) {
  std::unordered_map<git_oid, std::size_t, OidHash, OidEq> by_tree;
  for (const RefTip& t : tips) {
    auto [it, added] = by_tree.try_emplace(t.tree, tips_.size());
    if (added) {
      tips_.emplace_back();
      tips_.back().tree = t.tree;
    }
    Tip& tip = tips_[it->second];
    if (t.name == "HEAD") {
      tip.head = true;
    } else {
      tip.names.push_back(t.name);
    }
  }
}

TipMembership::~TipMembership() = default;

std::string_view TipMembership::ReadDir(const git_oid& tree) {
  auto [it, added] = dirs_.try_emplace(tree);
  if (added) {
    std::string why;  // the walk has reported unreadable trees already
    if (!source_->Read(tree, &it->second, &why)) it->second = TreeBytes{};
  }
  return it->second.data;
}

const git_oid* TipMembership::BlobAt(
    const git_oid& tree, const std::vector<std::string_view>& parts,
    std::size_t level,
    std::unordered_map<PathOid, const git_oid*, PathOidHash>* memo) {
  const PathOid key{static_cast<uint32_t>(level), tree};
  if (auto it = memo->find(key); it != memo->end()) return it->second;
  const git_oid* found = nullptr;
  RawTreeReader reader(ReadDir(tree));  // cached: the oids stay valid
  RawTreeEntry e;
  while (reader.Next(&e)) {
    if (e.name != parts[level]) continue;
    if (level + 1 == parts.size()) {
      if (e.kind == EntryKind::kBlob) found = e.oid;
    } else if (e.kind == EntryKind::kTree) {
      found = BlobAt(*e.oid, parts, level + 1, memo);
    }
    break;
  }
  memo->emplace(key, found);
  return found;
}

const TipMembership::AtPath& TipMembership::Resolve(const std::string& path) {
  if (auto it = at_path_.find(path); it != at_path_.end()) return it->second;
  constexpr std::size_t kMaxPaths = 1024;
  if (at_path_.size() >= kMaxPaths) at_path_.clear();
  std::vector<std::string_view> parts;
  for (std::size_t begin = 0;;) {
    const std::size_t slash = path.find('/', begin);
    parts.push_back(std::string_view(path).substr(begin, slash - begin));
    if (slash == std::string::npos) break;
    begin = slash + 1;
  }
  std::unordered_map<PathOid, const git_oid*, PathOidHash> memo;
  AtPath at;
  at.blob.assign(tips_.size(), git_oid{});
  at.has.assign(tips_.size(), false);
  for (std::size_t t = 0; t < tips_.size(); ++t) {
    if (const git_oid* blob = BlobAt(tips_[t].tree, parts, 0, &memo)) {
      at.blob[t] = *blob;
      at.has[t] = true;
    }
  }
  return at_path_.emplace(path, std::move(at)).first->second;
}

void TipMembership::Lookup(const std::string& path, const git_oid& blob,
                           std::vector<std::string>* refs, bool* in_head) {
  refs->clear();
  *in_head = false;
  const AtPath& at = Resolve(path);
  for (std::size_t t = 0; t < tips_.size(); ++t) {
    if (!at.has[t] || !OidEq()(at.blob[t], blob)) continue;
    const Tip& tip = tips_[t];
    if (tip.head) *in_head = true;
    refs->insert(refs->end(), tip.names.begin(), tip.names.end());
  }
  std::sort(refs->begin(), refs->end());
}

}  // namespace sprawl
