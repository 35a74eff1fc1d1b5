#include "scanner/inventory/yaml_tree.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

#include <map>
#include <sstream>

namespace sprawl {

// Builds YamlTree records from parser events. Throws YAML::ParserException
// (caught by Parse) on excessive depth or an unknown alias.
class YamlTreeBuilder : public YAML::EventHandler {
 public:
  explicit YamlTreeBuilder(YamlTree* tree) : tree_(tree) {}

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override { done_ = true; }
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    Add(YamlTree::Kind::kNull, mark, anchor, {});
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto it = anchors_.find(anchor);
    if (it == anchors_.end()) {
      throw YAML::ParserException(mark, "unknown alias");
    }
    Attach(it->second);
  }
  void OnScalar(const YAML::Mark& mark, const std::string&,
                YAML::anchor_t anchor, const std::string& value) override {
    Add(YamlTree::Kind::kScalar, mark, anchor, value);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&,
                       YAML::anchor_t anchor, YAML::EmitterStyle::value) override {
    Open(YamlTree::Kind::kSequence, mark, anchor);
  }
  void OnSequenceEnd() override { stack_.pop_back(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&,
                  YAML::anchor_t anchor, YAML::EmitterStyle::value) override {
    Open(YamlTree::Kind::kMap, mark, anchor);
  }
  void OnMapEnd() override { stack_.pop_back(); }

  bool done() const { return done_; }

 private:
  uint32_t Add(YamlTree::Kind kind, const YAML::Mark& mark,
               YAML::anchor_t anchor, const std::string& scalar) {
    const auto index = static_cast<uint32_t>(tree_->nodes_.size());
    YamlTree::Record r;
    r.kind = kind;
    r.mark = mark;
    r.scalar = scalar;
    tree_->nodes_.push_back(std::move(r));
    if (anchor != 0) anchors_[anchor] = index;
    Attach(index);
    return index;
  }
  void Open(YamlTree::Kind kind, const YAML::Mark& mark, YAML::anchor_t anchor) {
    if (stack_.size() >= static_cast<std::size_t>(YamlTree::kMaxDepth)) {
      throw YAML::ParserException(
          mark, "nesting deeper than " + std::to_string(YamlTree::kMaxDepth) +
                    " levels");
    }
    stack_.push_back(Add(kind, mark, anchor, {}));
  }
  void Attach(uint32_t index) {
    if (stack_.empty()) return;  // the root
    tree_->nodes_[stack_.back()].children.push_back(index);
  }

  YamlTree* tree_;
  std::vector<uint32_t> stack_;
  std::map<YAML::anchor_t, uint32_t> anchors_;
  bool done_ = false;
};

Result<std::shared_ptr<const YamlTree>> YamlTree::Parse(
    const std::string& text, const std::string& origin) {
  auto tree = std::make_shared<YamlTree>();
  std::istringstream in(text);
  try {
    YAML::Parser parser(in);
    YamlTreeBuilder builder(tree.get());
    parser.HandleNextDocument(builder);
  } catch (const YAML::Exception& e) {
    return Error{origin + ":" + std::to_string(e.mark.line + 1) + ":" +
                 std::to_string(e.mark.column + 1) + ": invalid YAML: " + e.msg};
  }
  return std::shared_ptr<const YamlTree>(std::move(tree));
}

YamlTree::Node YamlTree::root() const {
  if (nodes_.empty()) return Node();  // empty document: undefined
  return Node(this, 0);
}

const std::string& YamlTree::Node::Scalar() const {
  static const std::string kEmpty;
  return IsDefined() ? rec().scalar : kEmpty;
}

YAML::Mark YamlTree::Node::Mark() const {
  return IsDefined() ? rec().mark : YAML::Mark::null_mark();
}

YamlTree::Node YamlTree::Node::operator[](const char* key) const {
  if (!IsMap()) return Node();
  const auto& c = rec().children;
  for (std::size_t i = 0; i + 1 < c.size(); i += 2) {
    const Record& k = tree_->nodes_[c[i]];
    if (k.kind == Kind::kScalar && k.scalar == key) return Node(tree_, c[i + 1]);
  }
  return Node();
}

YamlTree::Node YamlTree::Node::operator[](std::size_t i) const {
  if (!IsSequence() || i >= rec().children.size()) return Node();
  return Node(tree_, rec().children[i]);
}

std::vector<std::pair<YamlTree::Node, YamlTree::Node>>
YamlTree::Node::Entries() const {
  std::vector<std::pair<Node, Node>> out;
  if (!IsMap()) return out;
  const auto& c = rec().children;
  out.reserve(c.size() / 2);
  for (std::size_t i = 0; i + 1 < c.size(); i += 2) {
    out.emplace_back(Node(tree_, c[i]), Node(tree_, c[i + 1]));
  }
  return out;
}

std::vector<YamlTree::Node> YamlTree::Node::Items() const {
  std::vector<Node> out;
  if (!IsSequence()) return out;
  for (uint32_t c : rec().children) out.emplace_back(tree_, c);
  return out;
}

}  // namespace sprawl
