// YamlTree: a compact read-only YAML document built from yaml-cpp's event
// parser, for large inventories. YAML::Node costs ~9 KB per entry and most of
// the load time; this keeps one small record per node, resolves aliases by
// reference (an alias bomb costs nothing), and caps nesting depth. Node is a
// cheap handle mirroring the subset of the YAML::Node API the loaders use.
// Immutable once parsed; safe to read from several threads.
#pragma once

#include <yaml-cpp/mark.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "scanner/base/result.h"

namespace sprawl {

class YamlTree {
 public:
  class Node;

  // Parses the first document of `text`. Errors carry origin:line:column.
  static Result<std::shared_ptr<const YamlTree>> Parse(const std::string& text,
                                                       const std::string& origin);
  Node root() const;

  static constexpr int kMaxDepth = 256;

  enum class Kind : uint8_t { kNull, kScalar, kSequence, kMap };
  struct Record {
    Kind kind = Kind::kNull;
    YAML::Mark mark;
    std::string scalar;
    std::vector<uint32_t> children;  // maps: key, value, key, value, ...
  };

 private:
  friend class Node;
  friend class YamlTreeBuilder;
  std::vector<Record> nodes_;
};

class YamlTree::Node {
 public:
  Node() = default;
  Node(const YamlTree* tree, uint32_t index) : tree_(tree), index_(index) {}

  bool IsDefined() const { return tree_ != nullptr; }
  explicit operator bool() const { return IsDefined(); }
  bool operator!() const { return !IsDefined(); }
  bool IsNull() const { return IsDefined() && rec().kind == Kind::kNull; }
  bool IsScalar() const { return IsDefined() && rec().kind == Kind::kScalar; }
  bool IsSequence() const {
    return IsDefined() && rec().kind == Kind::kSequence;
  }
  bool IsMap() const { return IsDefined() && rec().kind == Kind::kMap; }
  const std::string& Scalar() const;
  // Undefined nodes report line/column -1, like YAML::Node.
  YAML::Mark Mark() const;

  // Map lookup by key (undefined when absent or not a map).
  Node operator[](const char* key) const;
  // Sequence element (undefined when out of range or not a sequence).
  Node operator[](std::size_t i) const;
  // Map entries in document order / sequence items.
  std::vector<std::pair<Node, Node>> Entries() const;
  std::vector<Node> Items() const;

 private:
  const Record& rec() const { return tree_->nodes_[index_]; }
  const YamlTree* tree_ = nullptr;
  uint32_t index_ = 0;
};

}  // namespace sprawl
