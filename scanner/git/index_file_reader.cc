#include "scanner/git/index_file_reader.h"

#include <cstring>
#include <fstream>
#include <iterator>
#include <string_view>
#include <unordered_map>

#include "scanner/git/git_handles.h"
#include "scanner/git/raw_objects.h"

namespace sprawl {
namespace {

uint32_t Be32(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) |
         (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

struct IndexEntry {
  std::string path;
  git_oid oid{};
  uint32_t mode = 0;
  bool skip = false;  // intent-to-add or not a regular file
};

// Directory path ("" = root) -> cached tree oid, for valid entries only.
using CacheTree = std::unordered_map<std::string, git_oid>;

bool ParseCacheTree(std::string_view data, CacheTree* out) {
  // Preorder: "<component>\0<count> <subtrees>\n[oid]", children follow.
  struct Frame {
    std::string path;
    long remaining;
  };
  std::vector<Frame> stack;
  while (!data.empty()) {
    std::size_t nul = data.find('\0');
    if (nul == std::string_view::npos) return false;
    std::string_view name = data.substr(0, nul);
    data.remove_prefix(nul + 1);
    std::size_t nl = data.find('\n');
    if (nl == std::string_view::npos) return false;
    std::string counts(data.substr(0, nl));
    data.remove_prefix(nl + 1);
    long entries = 0, subtrees = 0;
    if (std::sscanf(counts.c_str(), "%ld %ld", &entries, &subtrees) != 2) {
      return false;
    }
    while (!stack.empty() && stack.back().remaining == 0) stack.pop_back();
    std::string path;
    if (!stack.empty()) {
      --stack.back().remaining;
      path = stack.back().path.empty()
                 ? std::string(name)
                 : stack.back().path + "/" + std::string(name);
    }
    if (entries >= 0) {
      if (data.size() < GIT_OID_RAWSZ) return false;
      git_oid oid;
      std::memcpy(oid.id, data.data(), GIT_OID_RAWSZ);
      data.remove_prefix(GIT_OID_RAWSZ);
      (*out)[path] = oid;
    }
    stack.push_back({path, subtrees});
  }
  return true;
}

class Comparer {
 public:
  Comparer(git_odb* odb, const std::vector<IndexEntry>& entries,
           const CacheTree& cache, std::vector<StagedBlob>* out)
      : odb_(odb), entries_(entries), cache_(cache), out_(out) {}

  // Entries [lo, hi) all lie under `dir` (with `prefix` = dir + "/" or "").
  void Compare(const std::string& dir, std::size_t prefix, const git_oid* head,
               std::size_t lo, std::size_t hi) {
    if (head != nullptr) {
      auto it = cache_.find(dir);
      if (it != cache_.end() && OidEq()(it->second, *head)) return;
    }
    std::unordered_map<std::string_view, std::pair<EntryKind, git_oid>> tree;
    GitOdbObjectPtr obj;
    if (head != nullptr) {
      git_odb_object* raw = nullptr;
      if (git_odb_read(&raw, odb_, head) == 0) {
        obj.reset(raw);
        RawTreeReader reader(
            std::string_view(static_cast<const char*>(git_odb_object_data(raw)),
                             git_odb_object_size(raw)));
        RawTreeEntry e;
        while (reader.Next(&e)) tree[e.name] = {e.kind, *e.oid};
      }
    }
    std::size_t i = lo;
    while (i < hi) {
      const std::string& path = entries_[i].path;
      const std::size_t slash = path.find('/', prefix);
      if (slash == std::string::npos) {  // a file directly in this directory
        const IndexEntry& e = entries_[i++];
        if (e.skip) continue;
        auto it = tree.find(std::string_view(path).substr(prefix));
        if (it != tree.end() && it->second.first == EntryKind::kBlob &&
            OidEq()(it->second.second, e.oid)) {
          continue;
        }
        out_->push_back({e.path, e.oid});
        continue;
      }
      // A subdirectory: the run of entries sharing "<prefix><name>/".
      const std::string_view sub(path.data(), slash + 1);
      std::size_t j = i + 1;
      while (j < hi &&
             std::string_view(entries_[j].path).substr(0, sub.size()) == sub) {
        ++j;
      }
      auto it =
          tree.find(std::string_view(path).substr(prefix, slash - prefix));
      const git_oid* sub_head =
          it != tree.end() && it->second.first == EntryKind::kTree
              ? &it->second.second
              : nullptr;
      Compare(path.substr(0, slash), slash + 1, sub_head, i, j);
      i = j;
    }
  }

 private:
  git_odb* odb_;
  const std::vector<IndexEntry>& entries_;
  const CacheTree& cache_;
  std::vector<StagedBlob>* out_;
};

}  // namespace

std::optional<std::vector<StagedBlob>> ReadStagedChanges(
    const std::string& index_path, git_odb* odb, const git_oid* head_tree) {
  std::vector<StagedBlob> out;
  std::ifstream in(index_path, std::ios::binary);
  if (!in) return out;  // no index file: nothing staged
  const std::string file((std::istreambuf_iterator<char>(in)),
                         std::istreambuf_iterator<char>());
  const auto* d = reinterpret_cast<const unsigned char*>(file.data());
  const std::size_t size = file.size();
  if (size < 12 + GIT_OID_RAWSZ || std::memcmp(d, "DIRC", 4) != 0) {
    return std::nullopt;
  }
  const uint32_t version = Be32(d + 4);
  if (version < 2 || version > 4) return std::nullopt;
  const uint32_t count = Be32(d + 8);
  const std::size_t end = size - GIT_OID_RAWSZ;  // trailing checksum
  std::size_t pos = 12;
  std::vector<IndexEntry> entries;
  entries.reserve(count);
  std::string prev;
  for (uint32_t n = 0; n < count; ++n) {
    if (pos + 62 > end) return std::nullopt;
    const unsigned char* e = d + pos;
    IndexEntry entry;
    entry.mode = Be32(e + 24);
    std::memcpy(entry.oid.id, e + 40, GIT_OID_RAWSZ);
    const uint16_t flags = static_cast<uint16_t>((e[60] << 8) | e[61]);
    std::size_t header = 62;
    if ((flags & 0x4000) && version >= 3) {
      if (pos + 64 > end) return std::nullopt;
      const uint16_t ext = static_cast<uint16_t>((e[62] << 8) | e[63]);
      if (ext & 0x2000) entry.skip = true;    // intent-to-add
      if (ext & 0x4000) return std::nullopt;  // skip-worktree: sparse
      header = 64;
    }
    const std::size_t name_at = pos + header;
    if (version == 4) {
      uint64_t strip = 0;
      std::size_t p = name_at;
      unsigned char c;
      do {  // git's offset varint
        if (p >= end) return std::nullopt;
        c = d[p++];
        strip = (strip << 7) | (c & 0x7f);
        if (c & 0x80) ++strip;
      } while (c & 0x80);
      const void* nul = std::memchr(d + p, '\0', end - p);
      if (nul == nullptr || strip > prev.size()) return std::nullopt;
      const std::size_t len = static_cast<const unsigned char*>(nul) - (d + p);
      entry.path = prev.substr(0, prev.size() - strip);
      entry.path.append(reinterpret_cast<const char*>(d + p), len);
      pos = p + len + 1;
    } else {
      const void* nul = std::memchr(d + name_at, '\0', end - name_at);
      if (nul == nullptr) return std::nullopt;
      const std::size_t len =
          static_cast<const unsigned char*>(nul) - (d + name_at);
      entry.path.assign(reinterpret_cast<const char*>(d + name_at), len);
      // Entries are padded with 1-8 NULs to a multiple of 8 bytes.
      pos += (header + len + 8) & ~std::size_t{7};
    }
    prev = entry.path;
    if ((entry.mode & 0170000) != 0100000) entry.skip = true;
    entries.push_back(std::move(entry));
  }
  CacheTree cache;
  while (pos + 8 <= end) {
    const uint32_t ext_size = Be32(d + pos + 4);
    if (pos + 8 + ext_size > end) return std::nullopt;
    std::string_view sig(reinterpret_cast<const char*>(d + pos), 4);
    std::string_view body(reinterpret_cast<const char*>(d + pos + 8), ext_size);
    if (sig == "link" || sig == "sdir") return std::nullopt;
    if (sig == "TREE" && !ParseCacheTree(body, &cache)) cache.clear();
    pos += 8 + ext_size;
  }
  Comparer(odb, entries, cache, &out)
      .Compare("", 0, head_tree, 0, entries.size());
  return out;
}

}  // namespace sprawl
