// PathTable: interned slash-separated paths, each a (parent id, name) node,
// so millions of (path, blob) pairs of a history name their path by a 32-bit
// id. Not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sprawl {

// Interned slash-separated paths; id 0 is the root (empty path).
class PathTable {
 public:
  PathTable();
  uint32_t Intern(uint32_t parent, std::string_view name);
  std::string Path(uint32_t id) const;
  uint32_t size() const { return static_cast<uint32_t>(nodes_.size()); }
  uint32_t parent(uint32_t id) const { return nodes_[id].parent; }
  std::string_view name(uint32_t id) const {
    return std::string_view(names_).substr(nodes_[id].name_begin,
                                           nodes_[id].name_size);
  }

 private:
  struct Node {
    uint32_t parent;
    uint32_t name_begin;
    uint32_t name_size;
  };
  struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const {
      return std::hash<std::string_view>()(s);
    }
  };
  std::vector<Node> nodes_;
  std::string names_;
  std::unordered_map<std::string, uint32_t, KeyHash, std::equal_to<>> ids_;
  std::string key_;  // reused lookup buffer
};

}  // namespace sprawl
