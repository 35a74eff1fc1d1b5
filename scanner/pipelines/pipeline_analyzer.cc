#include "scanner/pipelines/pipeline_analyzer.h"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <optional>
#include <set>
#include <sstream>
#include <utility>

#include "scanner/base/text.h"
#include "scanner/pipelines/login_actions.h"
#include "scanner/pipelines/pipeline_files.h"
#include "scanner/pipelines/secret_names.h"

namespace sprawl {
namespace {

// Where a node sits while walking.
struct Ctx {
  std::string path;        // key path of the node
  std::string job;         // enclosing job ("" = none yet)
  std::string name;        // the name a scalar value is assigned to
  std::string key;         // the mapping key the node is the value of
  std::string parent_key;  // the key of the enclosing mapping
  bool in_sequence = false;
};

// One scalar met in the walk; keys are kept as boundaries only.
struct Leaf {
  uint64_t begin = 0;
  bool is_key = false;
  Ctx ctx;
  std::string value;
};

bool IsEnvLike(std::string_view key) {
  return key == "env" || key == "environment" || key == "variables" ||
         key == "vars" || key == "secrets" || key == "global";
}

class YamlWalker {
 public:
  YamlWalker(std::string_view path, std::string_view content,
             const PipelineLimits& limits, PipelineAnalysis* out)
      : path_(path),
        content_(content),
        limits_(limits),
        out_(out),
        line_starts_(LineStarts(content)),
        bom_(content.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0) {}

  void WalkDocument(const YAML::Node& doc) { Visit(doc, Ctx{}, 0); }
  void Finish();

 private:
  uint64_t Offset(const YAML::Mark& m) const {
    if (m.line < 0 || m.column < 0) return 0;
    const uint64_t line = static_cast<uint64_t>(m.line);
    if (line >= line_starts_.size()) return content_.size();
    return std::min<uint64_t>(line_starts_[line] +
                                  static_cast<uint64_t>(m.column) +
                                  (line == 0 ? bom_ : 0),
                              content_.size());
  }
  uint64_t LineOf(uint64_t offset) const {
    return static_cast<uint64_t>(
        std::upper_bound(line_starts_.begin(), line_starts_.end(), offset) -
        line_starts_.begin());
  }
  void Diagnose(const YAML::Mark& m, const std::string& what) {
    out_->diagnostics.push_back("line " + std::to_string(m.line + 1) +
                                ", column " + std::to_string(m.column + 1) +
                                ": " + what);
  }
  // True (and remembered) the first time a collection or scalar is met:
  // an alias shares its anchor's node and mark, so it is walked only once.
  bool FirstVisit(const YAML::Node& n) {
    return seen_.emplace(n.Mark().pos, static_cast<int>(n.Type())).second;
  }
  void Visit(const YAML::Node& n, const Ctx& ctx, int depth);
  void VisitMap(const YAML::Node& n, Ctx ctx, int depth);
  void AnalyzeLeaf(const Leaf& leaf, uint64_t next_begin);
  void AddReference(const Ctx& ctx, const std::string& name, uint64_t offset);
  void AddLiteral(const Ctx& ctx, std::string name, std::string value,
                  uint64_t offset);

  std::string path_;
  std::string_view content_;
  const PipelineLimits& limits_;
  PipelineAnalysis* out_;
  std::vector<uint64_t> line_starts_;
  uint64_t bom_;
  std::set<std::pair<std::size_t, int>> seen_;
  std::vector<Leaf> leaves_;
  uint64_t nodes_ = 0;
  bool stopped_ = false;
  bool depth_reported_ = false;
};

void YamlWalker::Visit(const YAML::Node& n, const Ctx& ctx, int depth) {
  if (stopped_) return;
  if (++nodes_ > limits_.max_nodes) {
    stopped_ = true;
    out_->diagnostics.push_back("over " + std::to_string(limits_.max_nodes) +
                                " YAML nodes (alias expansion?); analysis "
                                "stopped there");
    return;
  }
  if (depth > limits_.max_depth) {
    if (!depth_reported_) {
      depth_reported_ = true;
      Diagnose(n.Mark(), "nested deeper than " +
                             std::to_string(limits_.max_depth) +
                             " levels; the deeper part is not analysed");
    }
    return;
  }
  switch (n.Type()) {
    case YAML::NodeType::Scalar:
      if (FirstVisit(n)) {
        leaves_.push_back(Leaf{Offset(n.Mark()), false, ctx, n.Scalar()});
      }
      return;
    case YAML::NodeType::Sequence: {
      if (!FirstVisit(n)) return;
      std::size_t i = 0;
      for (const auto& item : n) {
        Ctx c = ctx;
        c.path = ctx.path + "[" + std::to_string(i++) + "]";
        c.in_sequence = true;
        Visit(item, c, depth + 1);
        if (stopped_) return;
      }
      return;
    }
    case YAML::NodeType::Map:
      if (FirstVisit(n)) VisitMap(n, ctx, depth);
      return;
    default:
      return;
  }
}

std::string ScalarOr(const YAML::Node& n, std::string_view key) {
  for (const auto& kv : n) {
    if (kv.first.IsScalar() && kv.first.Scalar() == key &&
        kv.second.IsScalar()) {
      return kv.second.Scalar();
    }
  }
  return "";
}

void YamlWalker::VisitMap(const YAML::Node& n, Ctx ctx, int depth) {
  const std::string& system = out_->system;
  if (ctx.job.empty() && ctx.in_sequence && system != kGithubActions &&
      system != kCircleCi) {
    for (std::string_view k : {"job", "deployment", "name", "label"}) {
      ctx.job = ScalarOr(n, k);
      if (!ctx.job.empty()) break;
    }
  }
  if (ctx.key == "secretKeyRef" || ctx.key == "secretRef") {
    for (const auto& kv : n) {
      if (kv.first.IsScalar() && kv.first.Scalar() == "name" &&
          kv.second.IsScalar()) {
        AddReference(ctx, kv.second.Scalar(), Offset(kv.second.Mark()));
      }
    }
  }
  if (system == kGithubActions) {
    const std::string uses = ScalarOr(n, "uses");
    if (!uses.empty()) {
      for (const auto& kv : n) {
        if (!kv.first.IsScalar() || kv.first.Scalar() != "with" ||
            !kv.second.IsMap()) {
          continue;
        }
        for (const auto& input : kv.second) {
          if (!input.first.IsScalar() || !input.second.IsScalar()) continue;
          if (auto f = CheckLoginInput(uses, input.first.Scalar(),
                                       Trim(input.second.Scalar()))) {
            f->path = path_;
            f->key_path = ctx.path + ".with." + input.first.Scalar();
            f->line = static_cast<uint64_t>(input.first.Mark().line) + 1;
            out_->findings.push_back(std::move(*f));
            break;  // one finding per step
          }
        }
      }
    }
  }
  const std::string sibling_name = ScalarOr(n, "name");
  std::set<std::string> keys;
  for (const auto& kv : n) {
    std::string key = "?";
    if (kv.first.IsScalar()) {
      key = kv.first.Scalar();
      leaves_.push_back(Leaf{Offset(kv.first.Mark()), true, ctx, ""});
      if (!keys.insert(key).second) {
        Diagnose(kv.first.Mark(), "duplicate key '" + EscapeForDisplay(key) +
                                      "' (YAML forbids it; tools disagree on "
                                      "which value wins)");
      }
    }
    Ctx c;
    c.path = ctx.path.empty() ? key : ctx.path + "." + key;
    c.job = ctx.job;
    if (c.job.empty() && depth == 0 && !ctx.in_sequence) {
      static const std::set<std::string> kGitlabReserved = {
          "image",         "services",     "stages",    "types",
          "before_script", "after_script", "variables", "cache",
          "include",       "default",      "workflow",  "spec"};
      if (system == kGitlabCi && !kGitlabReserved.count(key)) c.job = key;
    }
    if (c.job.empty() && (system == kGithubActions || system == kCircleCi) &&
        ctx.path == "jobs") {
      c.job = key;
    }
    c.key = key;
    c.parent_key = ctx.key;
    c.name = key;
    if (key == "value" && !sibling_name.empty()) {
      c.name = sibling_name;  // `- name: X` / `value: Y` (k8s, Azure)
    } else if (key == "value") {
      c.name = ctx.key;  // GitLab `X: {value: Y, description: …}`
      c.parent_key = ctx.parent_key;
    }
    Visit(kv.second, c, depth + 1);
    if (stopped_) return;
  }
}

void YamlWalker::AddReference(const Ctx& ctx, const std::string& name,
                              uint64_t offset) {
  if (name.empty()) return;
  PipelineReference r;
  r.system = out_->system;
  r.path = path_;
  r.key_path = EscapeForDisplay(ctx.path);
  r.name = EscapeForDisplay(name);
  r.line = LineOf(offset);
  out_->references.push_back(std::move(r));
}

void YamlWalker::AddLiteral(const Ctx& ctx, std::string name, std::string value,
                            uint64_t offset) {
  PipelineLiteral l;
  l.name = std::move(name);
  l.key_path = EscapeForDisplay(ctx.path);
  l.job = EscapeForDisplay(ctx.job);
  l.value = std::move(value);
  l.offset = offset;
  l.line = LineOf(offset);
  l.column = offset - line_starts_[l.line - 1] + 1;
  out_->literal_secrets.push_back(std::move(l));
}

void YamlWalker::AnalyzeLeaf(const Leaf& leaf, uint64_t next_begin) {
  // Skip a tag and an anchor before the value proper.
  uint64_t s = leaf.begin;
  for (int i = 0; i < 2 && s < next_begin; ++i) {
    if (content_[s] != '!' && content_[s] != '&') break;
    while (s < next_begin && content_[s] != ' ' && content_[s] != '\n') ++s;
    while (s < next_begin && content_[s] == ' ') ++s;
  }
  if (s >= next_begin && next_begin > leaf.begin) s = leaf.begin;
  const char c = s < content_.size() ? content_[s] : '\0';
  uint64_t value_begin = s;
  uint64_t end = next_begin;
  bool exact = false;  // content at value_begin spells the value
  if (c == '"' || c == '\'') {
    value_begin = s + 1;
    for (uint64_t i = s + 1; i < next_begin; ++i) {
      if (c == '"' && content_[i] == '\\') {
        ++i;
      } else if (content_[i] == c) {
        if (c == '\'' && i + 1 < next_begin && content_[i + 1] == '\'') {
          ++i;
          continue;
        }
        end = i + 1;
        break;
      }
    }
    exact = content_.substr(value_begin, leaf.value.size()) == leaf.value;
  } else if (c == '|' || c == '>') {
    uint64_t nl = content_.find('\n', s);
    value_begin = nl == std::string_view::npos ? s : nl + 1;
    while (value_begin < next_begin && content_[value_begin] == ' ') {
      ++value_begin;
    }
  } else {
    exact = content_.substr(s, leaf.value.size()) == leaf.value;
    if (exact) end = std::min<uint64_t>(next_begin, s + leaf.value.size());
  }
  end = std::max(end, std::min<uint64_t>(s + 1, content_.size()));
  out_->scalars.push_back(PipelineScalar{
      s, end, EscapeForDisplay(leaf.ctx.path), EscapeForDisplay(leaf.ctx.job)});
  const std::string_view raw = content_.substr(s, end - s);
  const std::string& system = out_->system;
  const Ctx& ctx = leaf.ctx;

  // References.
  const SecretName name_kind = ClassifySecretName(ctx.name);
  if (ctx.key == "from_secret" ||
      (ctx.in_sequence && ctx.key == "secrets" &&
       (system == kDrone || system == kWoodpecker))) {
    AddReference(ctx, std::string(Trim(leaf.value)), s);
    return;  // names a stored secret
  }
  const auto refs = FindReferences(system, raw, ctx.key == "if");
  const std::string_view trimmed = Trim(leaf.value);
  const bool single =
      refs.size() == 1 && !trimmed.empty() && trimmed.front() == '$';
  for (const auto& r : refs) {
    bool keep = system == kGithubActions;
    if (!keep) {
      const bool dotted = r.name.find('.') != std::string::npos;
      keep = !dotted && !IsPredefinedVariable(r.name) &&
             (ClassifySecretName(r.name) != SecretName::kNo ||
              name_kind != SecretName::kNo ||
              (single && IsEnvLike(ctx.parent_key)));
    }
    if (keep) AddReference(ctx, r.name, s + r.offset);
  }

  // Literal secrets: the whole value, else assignments inside it.
  if (name_kind != SecretName::kNo) {
    const std::string_view v = Trim(leaf.value);
    if (LooksLikeLiteralSecret(v, name_kind)) {
      const std::size_t lead = leaf.value.find(v.front());
      AddLiteral(
          ctx, ctx.name, std::string(v),
          exact || c == '|' || c == '>' ? value_begin + lead : value_begin);
      return;
    }
  }
  if (leaf.value.find('=') == std::string::npos) return;
  const uint64_t base = c == '"' || c == '\'' ? value_begin : s;
  const std::string_view body = content_.substr(base, end - base);
  for (const Assignment& a : FindAssignments(body)) {
    const SecretName kind = ClassifySecretName(a.name);
    if (LooksLikeLiteralSecret(a.value, kind)) {
      Ctx named = ctx;
      AddLiteral(named, a.name, a.value, base + a.value_offset);
    }
  }
}

// Two value leaves can map to one offset: offsets come from yaml-cpp's line
// and column, and when a NUL byte ends a document inside a quoted
// multi-line scalar, yaml-cpp does not count that scalar's line break, so
// the next document's marks lag a line behind and land on an earlier node's
// offset. The first leaf in walk order (the sort is stable) keeps the range,
// so scalars stay disjoint (issue 9). Rare in scans: a NUL in a file's
// first 8000 bytes already makes it binary.
void YamlWalker::Finish() {
  std::stable_sort(
      leaves_.begin(), leaves_.end(),
      [](const Leaf& a, const Leaf& b) { return a.begin < b.begin; });
  std::optional<uint64_t> analyzed_begin;
  for (std::size_t i = 0; i < leaves_.size(); ++i) {
    if (leaves_[i].is_key || analyzed_begin == leaves_[i].begin) continue;
    analyzed_begin = leaves_[i].begin;
    uint64_t next = content_.size();
    for (std::size_t j = i + 1; j < leaves_.size(); ++j) {
      if (leaves_[j].begin > leaves_[i].begin) {
        next = leaves_[j].begin;
        break;
      }
    }
    AnalyzeLeaf(leaves_[i], next);
  }
}

// yaml-cpp 0.7's LoadAll never returns, allocating without bound, when the
// stream's next token cannot start a node (a one-byte file ","): the parser
// then reports an empty document without consuming anything, forever. This
// pre-pass reads the documents with a no-op handler and throws (as LoadAll
// does for bad input) when a document starts where the previous one did.
class DocumentProgress : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override { start = mark; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
  YAML::Mark start;
};

void CheckDocumentsAdvance(const std::string& text) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  DocumentProgress progress;
  int previous = -1;
  while (parser.HandleNextDocument(progress)) {
    if (progress.start.pos <= previous) {
      throw YAML::ParserException(progress.start,
                                  "unexpected token where a document starts");
    }
    previous = progress.start.pos;
  }
}

std::string At(const YAML::Mark& mark) {
  return "line " + std::to_string(mark.line + 1) + ", column " +
         std::to_string(mark.column + 1);
}

// Parses every document of `content` and walks it; a parser error becomes
// a diagnostic. yaml-cpp reports its own nesting cap (DeepRecursion, 500
// levels in 0.7, above PipelineLimits::max_depth) as "bad file": say what
// it is instead (issue 9).
void ParseAndWalk(std::string_view content, YamlWalker* walker,
                  PipelineAnalysis* out) {
  try {
    const std::string text(content);
    CheckDocumentsAdvance(text);
    const std::vector<YAML::Node> docs = YAML::LoadAll(text);
    for (const auto& doc : docs) walker->WalkDocument(doc);
    out->parsed = true;
  } catch (const YAML::DeepRecursion& e) {
    out->diagnostics.push_back(
        "not parsed as a pipeline: nested " + std::to_string(e.depth()) +
        " levels deep at " + At(e.mark) +
        ", the YAML parser's nesting limit (scanned as plain text)");
  } catch (const YAML::Exception& e) {
    out->diagnostics.push_back("malformed YAML at " + At(e.mark) + ": " +
                               e.msg + " (scanned as plain text)");
  } catch (const std::exception& e) {
    out->diagnostics.push_back(std::string("YAML parser failed: ") + e.what() +
                               " (scanned as plain text)");
  }
}

}  // namespace

void CheckYamlDocumentsAdvance(const std::string& text) {
  CheckDocumentsAdvance(text);
}

std::vector<uint64_t> LineStarts(std::string_view content) {
  std::vector<uint64_t> starts{0};
  for (std::size_t i = content.find('\n'); i != std::string_view::npos;
       i = content.find('\n', i + 1)) {
    starts.push_back(i + 1);
  }
  return starts;
}

uint64_t OffsetOf(const std::vector<uint64_t>& line_starts, uint64_t line,
                  uint64_t column) {
  if (line == 0 || line > line_starts.size()) return UINT64_MAX;
  return line_starts[line - 1] + (column == 0 ? 0 : column - 1);
}

const PipelineScalar* PipelineAnalysis::ScalarAt(uint64_t offset) const {
  auto it = std::upper_bound(
      scalars.begin(), scalars.end(), offset,
      [](uint64_t o, const PipelineScalar& s) { return o < s.begin; });
  if (it == scalars.begin()) return nullptr;
  --it;
  return offset < it->end ? &*it : nullptr;
}

PipelineAnalysis AnalyzePipeline(std::string_view path,
                                 std::string_view content,
                                 std::string_view system,
                                 const PipelineLimits& limits) {
  if (system == kJenkins) {
    if (content.size() > limits.max_bytes) {
      PipelineAnalysis a;
      a.system = std::string(system);
      a.diagnostics.push_back("not parsed as a pipeline: over the " +
                              std::to_string(limits.max_bytes) +
                              "-byte limit (scanned as plain text)");
      return a;
    }
    return AnalyzeJenkinsfile(path, content);
  }
  PipelineAnalysis out;
  out.system = std::string(system);
  if (content.size() > limits.max_bytes) {
    out.diagnostics.push_back("not parsed as a pipeline: over the " +
                              std::to_string(limits.max_bytes) +
                              "-byte limit (scanned as plain text)");
    return out;
  }
  // yaml-cpp holds every node in memory (~0.5 KiB each): refuse files
  // with more lines, flow items and keys than the node cap before parsing.
  const uint64_t estimate =
      static_cast<uint64_t>(std::count(content.begin(), content.end(), '\n')) +
      static_cast<uint64_t>(std::count(content.begin(), content.end(), ',')) +
      static_cast<uint64_t>(std::count(content.begin(), content.end(), ':'));
  if (estimate > limits.max_nodes) {
    out.diagnostics.push_back(
        "not parsed as a pipeline: about " + std::to_string(estimate) +
        " YAML nodes, over the limit of " + std::to_string(limits.max_nodes) +
        " (scanned as plain text)");
    return out;
  }
  YamlWalker walker(path, content, limits, &out);
  ParseAndWalk(content, &walker, &out);
  walker.Finish();
  auto by_place = [](const auto& a, const auto& b) {
    return std::tie(a.line, a.key_path) < std::tie(b.line, b.key_path);
  };
  std::stable_sort(out.references.begin(), out.references.end(), by_place);
  std::stable_sort(out.findings.begin(), out.findings.end(), by_place);
  std::stable_sort(out.literal_secrets.begin(), out.literal_secrets.end(),
                   [](const PipelineLiteral& a, const PipelineLiteral& b) {
                     return a.offset < b.offset;
                   });
  std::sort(out.scalars.begin(), out.scalars.end(),
            [](const PipelineScalar& a, const PipelineScalar& b) {
              return a.begin < b.begin;
            });
  return out;
}

}  // namespace sprawl
