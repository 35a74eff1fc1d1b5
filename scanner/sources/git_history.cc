#include "scanner/sources/git_history.h"

#include <algorithm>
#include <cstring>
#include <queue>
#include <string_view>

#include "scanner/git/raw_objects.h"

namespace sprawl {
namespace {

constexpr uint8_t kSeen = 1;
constexpr uint8_t kUninteresting = 2;
constexpr uint8_t kInSet = 4;

}  // namespace

CommitGraph::CommitGraph(git_odb* odb,
                         std::unordered_set<git_oid, OidHash, OidEq> shallow,
                         Diagnostics* diagnostics)
    : odb_(odb), shallow_(std::move(shallow)), diagnostics_(diagnostics) {}

uint32_t CommitGraph::Load(const git_oid& oid) {
  auto it = index_.find(oid);
  if (it != index_.end()) return it->second;
  if (missing_.count(oid) != 0) return kMissing;
  git_odb_object* raw = nullptr;
  RawCommit parsed;
  bool ok = false;
  std::string why;
  if (git_odb_read(&raw, odb_, &oid) != 0) {
    why = "missing or unreadable commit: " + GitLastError();
  } else {
    GitOdbObjectPtr holder(raw);
    if (git_odb_object_type(raw) != GIT_OBJECT_COMMIT) {
      why = "not a commit";
    } else {
      std::string_view data(static_cast<const char*>(git_odb_object_data(raw)),
                            git_odb_object_size(raw));
      ok = ParseRawCommit(data, &parsed);
      if (!ok) why = "malformed commit";
    }
  }
  if (!ok) {
    missing_.insert(oid);
    diagnostics_->Warn(GitHex(oid), why + "; history behind it is skipped");
    return kMissing;
  }
  Node n;
  n.oid = oid;
  n.tree = parsed.tree;
  n.time = parsed.committer_time;
  n.parent_begin = static_cast<uint32_t>(parent_oids_.size());
  if (shallow_.count(oid) == 0) {
    parent_oids_.insert(parent_oids_.end(), parsed.parents.begin(),
                        parsed.parents.end());
    n.parent_count = static_cast<uint32_t>(parsed.parents.size());
  }
  const uint32_t id = static_cast<uint32_t>(nodes_.size());
  nodes_.push_back(n);
  index_.emplace(oid, id);
  return id;
}

std::vector<uint32_t> CommitGraph::Parents(uint32_t c) {
  std::vector<uint32_t> out;
  const uint32_t begin = nodes_[c].parent_begin;
  const uint32_t count = nodes_[c].parent_count;
  out.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    const git_oid p = parent_oids_[begin + i];  // Load may grow the vector
    uint32_t id = Load(p);
    if (id != kMissing) out.push_back(id);
  }
  return out;
}

std::vector<uint32_t> CommitGraph::AllParentsFirst(
    const std::vector<uint32_t>& tips, const std::atomic<bool>* cancel) {
  std::vector<uint32_t> set;
  std::vector<uint32_t> stack;
  for (uint32_t t : tips) {
    if (t == kMissing || (nodes_[t].flags & kSeen)) continue;
    nodes_[t].flags |= kSeen;
    stack.push_back(t);
  }
  while (!stack.empty()) {
    if (Cancelled(cancel)) return {};
    uint32_t c = stack.back();
    stack.pop_back();
    set.push_back(c);
    for (uint32_t p : Parents(c)) {
      if (nodes_[p].flags & kSeen) continue;
      nodes_[p].flags |= kSeen;
      stack.push_back(p);
    }
  }
  return TopoSort(set);
}

std::vector<uint32_t> CommitGraph::TopoSort(const std::vector<uint32_t>& set) {
  for (uint32_t c : set) nodes_[c].flags |= kInSet;
  // Children lists (CSR) and in-degrees restricted to the set.
  std::unordered_map<uint32_t, uint32_t> pos;
  pos.reserve(set.size());
  for (uint32_t i = 0; i < set.size(); ++i) pos.emplace(set[i], i);
  std::vector<uint32_t> indeg(set.size(), 0);
  std::vector<std::pair<uint32_t, uint32_t>> edges;  // (parent pos, child pos)
  for (uint32_t i = 0; i < set.size(); ++i) {
    for (uint32_t p : Parents(set[i])) {
      if (!(nodes_[p].flags & kInSet)) continue;
      edges.emplace_back(pos[p], i);
      ++indeg[i];
    }
  }
  std::sort(edges.begin(), edges.end());
  std::vector<uint32_t> first(set.size() + 1, 0);
  for (const auto& e : edges) ++first[e.first + 1];
  for (std::size_t i = 0; i < set.size(); ++i) first[i + 1] += first[i];

  auto later = [this, &set](uint32_t a,
                            uint32_t b) {  // min-heap on (time, oid)
    const Node& x = nodes_[set[a]];
    const Node& y = nodes_[set[b]];
    if (x.time != y.time) return x.time > y.time;
    return std::memcmp(x.oid.id, y.oid.id, GIT_OID_RAWSZ) > 0;
  };
  std::priority_queue<uint32_t, std::vector<uint32_t>, decltype(later)> ready(
      later);
  for (uint32_t i = 0; i < set.size(); ++i) {
    if (indeg[i] == 0) ready.push(i);
  }
  std::vector<uint32_t> order;
  order.reserve(set.size());
  std::vector<bool> done(set.size(), false);
  for (;;) {
    while (!ready.empty()) {
      uint32_t i = ready.top();
      ready.pop();
      done[i] = true;
      order.push_back(set[i]);
      for (uint32_t e = first[i]; e < first[i + 1]; ++e) {
        uint32_t child = edges[e].second;
        if (!done[child] && --indeg[child] == 0) ready.push(child);
      }
    }
    if (order.size() == set.size()) break;
    // Only a cycle leaves commits behind, and only forged or corrupt objects
    // make one: release the earliest remaining commit and go on.
    uint32_t pick = UINT32_MAX;
    for (uint32_t i = 0; i < set.size(); ++i) {
      if (!done[i] && (pick == UINT32_MAX || later(pick, i))) pick = i;
    }
    diagnostics_->Warn(GitHex(nodes_[set[pick]].oid),
                       "commit cycle in the history (forged or corrupt "
                       "objects); its commits are walked in time order");
    indeg[pick] = 0;
    ready.push(pick);
  }
  for (uint32_t c : set) nodes_[c].flags &= static_cast<uint8_t>(~kInSet);
  return order;
}

void CommitGraph::MarkUninteresting(uint32_t c) {
  std::vector<uint32_t> stack{c};
  while (!stack.empty()) {
    uint32_t x = stack.back();
    stack.pop_back();
    if (nodes_[x].flags & kUninteresting) continue;
    nodes_[x].flags |= kUninteresting;
    // Only parents already read can carry the mark further now; the others
    // get it when the walk reaches them through this commit.
    const uint32_t begin = nodes_[x].parent_begin;
    for (uint32_t i = 0; i < nodes_[x].parent_count; ++i) {
      auto it = index_.find(parent_oids_[begin + i]);
      if (it != index_.end()) stack.push_back(it->second);
    }
  }
}

CommitGraph::Range CommitGraph::Limit(const std::vector<uint32_t>& include,
                                      const std::vector<uint32_t>& exclude,
                                      const std::atomic<bool>* cancel) {
  // A port of git's limit_list(): pop the newest commit; excluded commits
  // pass the mark to their parents; stop once only excluded commits are
  // queued and they are all older than the oldest included one, plus a few
  // more (clock skew slop).
  constexpr int kSlop = 5;
  uint64_t seq = 0;
  struct Item {
    int64_t time;
    uint64_t seq;
    uint32_t c;
  };
  auto older = [](const Item& a, const Item& b) {
    if (a.time != b.time) return a.time < b.time;
    return a.seq > b.seq;  // FIFO among equal dates
  };
  std::vector<Item> heap;
  auto push = [&](uint32_t c) {
    heap.push_back({nodes_[c].time, seq++, c});
    std::push_heap(heap.begin(), heap.end(), older);
  };
  for (uint32_t c : exclude) {
    if (c == kMissing) continue;
    MarkUninteresting(c);
    if (!(nodes_[c].flags & kSeen)) {
      nodes_[c].flags |= kSeen;
      push(c);
    }
  }
  for (uint32_t c : include) {
    if (c == kMissing || (nodes_[c].flags & kSeen)) continue;
    nodes_[c].flags |= kSeen;
    push(c);
  }
  std::vector<uint32_t> candidates;
  int64_t date = INT64_MAX;
  int slop = kSlop;
  while (!heap.empty()) {
    if (Cancelled(cancel)) return {};
    std::pop_heap(heap.begin(), heap.end(), older);
    const uint32_t c = heap.back().c;
    heap.pop_back();
    const bool excluded = nodes_[c].flags & kUninteresting;
    for (uint32_t p : Parents(c)) {
      if (excluded) MarkUninteresting(p);
      if (!(nodes_[p].flags & kSeen)) {
        nodes_[p].flags |= kSeen;
        push(p);
      }
    }
    if (!excluded) {
      date = nodes_[c].time;
      candidates.push_back(c);
      continue;
    }
    bool still = false;
    for (const Item& it : heap) {
      if (!(nodes_[it.c].flags & kUninteresting)) {
        still = true;
        break;
      }
    }
    if (still || (!heap.empty() && heap.front().time > date)) {
      slop = kSlop;
      continue;
    }
    if (--slop > 0) continue;
    break;
  }
  Range range;
  std::vector<uint32_t> set;
  for (uint32_t c : candidates) {
    if (!(nodes_[c].flags & kUninteresting)) set.push_back(c);
  }
  range.commits = TopoSort(set);
  for (uint32_t c : set) nodes_[c].flags |= kInSet;
  std::unordered_set<uint32_t> boundary;
  for (uint32_t c : set) {
    for (uint32_t p : Parents(c)) {
      if (!(nodes_[p].flags & kInSet)) boundary.insert(p);
    }
  }
  for (uint32_t c : set) nodes_[c].flags &= static_cast<uint8_t>(~kInSet);
  for (uint32_t c : exclude) {
    if (c != kMissing) boundary.insert(c);
  }
  range.boundary.assign(boundary.begin(), boundary.end());
  std::sort(range.boundary.begin(), range.boundary.end());
  return range;
}

}  // namespace sprawl
