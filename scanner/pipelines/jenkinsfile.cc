// The Jenkinsfile scanner: Groovy is not parsed, only read line by line for
// the few shapes that carry credentials: `environment { NAME = … }` blocks,
// `credentials('id')`, `withCredentials([...(credentialsId: 'id',
// variable: 'X')])`, parameter defaults and shell assignments.
#include <algorithm>
#include <cctype>
#include <string>
#include <tuple>
#include <vector>

#include "scanner/base/text.h"
#include "scanner/pipelines/pipeline_analyzer.h"
#include "scanner/pipelines/pipeline_files.h"
#include "scanner/pipelines/secret_names.h"

namespace sprawl {
namespace {

bool IsIdent(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

// Reads the quoted string at s[i] (' or "); false when s[i] is no quote or
// the string does not close on this line.
bool Quoted(std::string_view s, std::size_t i, std::string* value,
            std::size_t* end) {
  if (i >= s.size() || (s[i] != '\'' && s[i] != '"')) return false;
  const char q = s[i];
  for (std::size_t j = i + 1; j < s.size(); ++j) {
    if (s[j] == '\\') {
      ++j;
      continue;
    }
    if (s[j] == q) {
      *value = std::string(s.substr(i + 1, j - i - 1));
      *end = j + 1;
      return true;
    }
  }
  return false;
}

std::size_t SkipSpace(std::string_view s, std::size_t i) {
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  return i;
}

// The quoted value of `key:` (a Groovy named argument) in s, searching from
// `from`; "" when absent. `at` receives the offset of the value.
std::string NamedArg(std::string_view s, std::string_view key,
                     std::size_t* at = nullptr) {
  std::size_t k = 0;
  while ((k = s.find(key, k)) != std::string_view::npos) {
    const std::size_t start = k;
    k += key.size();
    if (start > 0 && IsIdent(s[start - 1])) continue;
    std::size_t i = SkipSpace(s, k);
    if (i >= s.size() || s[i] != ':') continue;
    i = SkipSpace(s, i + 1);
    std::string v;
    std::size_t end = 0;
    if (Quoted(s, i, &v, &end)) {
      if (at != nullptr) *at = i + 1;
      return v;
    }
  }
  return "";
}

// The label of a block opened at s[brace]: `stage('Build')` → "stage(Build)",
// `environment` → "environment", `withCredentials([...])` → "withCredentials".
std::string BlockLabel(std::string_view s, std::size_t brace) {
  std::size_t e = brace;
  while (e > 0 && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  std::string arg;
  if (e > 0 && s[e - 1] == ')') {
    const std::size_t open = s.rfind('(', e - 1);
    if (open == std::string_view::npos) return "";
    std::size_t end = 0;
    Quoted(s, SkipSpace(s, open + 1), &arg, &end);
    e = open;
  }
  std::size_t b = e;
  while (b > 0 && IsIdent(s[b - 1])) --b;
  std::string label(s.substr(b, e - b));
  if (label == "stage" && !arg.empty()) label += "(" + arg + ")";
  return label;
}

class JenkinsScanner {
 public:
  JenkinsScanner(std::string_view path, std::string_view content,
                 PipelineAnalysis* out)
      : path_(path),
        content_(content),
        out_(out),
        starts_(LineStarts(content)) {}

  void Run();

 private:
  std::string Path() const {
    std::string p;
    for (const auto& l : stack_) {
      if (l.empty()) continue;
      p += (p.empty() ? "" : ".") + l;
    }
    return p;
  }
  std::string Job() const {
    for (auto it = stack_.rbegin(); it != stack_.rend(); ++it) {
      if (it->rfind("stage(", 0) == 0) return it->substr(6, it->size() - 7);
    }
    return "";
  }
  void Reference(const std::string& key_path, const std::string& name,
                 uint64_t line) {
    out_->references.push_back({std::string(kJenkins), path_,
                                EscapeForDisplay(key_path),
                                EscapeForDisplay(name), "", line});
  }
  void Literal(const std::string& key_path, const std::string& name,
               const std::string& value, uint64_t offset) {
    PipelineLiteral l;
    l.name = name;
    l.key_path = EscapeForDisplay(key_path);
    l.job = EscapeForDisplay(Job());
    l.value = value;
    l.offset = offset;
    l.line = LineOf(offset);
    l.column = offset - starts_[l.line - 1] + 1;
    out_->literal_secrets.push_back(std::move(l));
  }
  uint64_t LineOf(uint64_t offset) const {
    uint64_t lo = 0, hi = starts_.size();
    while (hi - lo > 1) {
      const uint64_t mid = (lo + hi) / 2;
      (starts_[mid] <= offset ? lo : hi) = mid;
    }
    return lo + 1;
  }
  void Line(std::string_view line, uint64_t base, uint64_t number);
  void Braces(std::string_view line);

  std::string path_;
  std::string_view content_;
  PipelineAnalysis* out_;
  std::vector<uint64_t> starts_;
  std::vector<std::string> stack_;
  std::vector<std::string> line_paths_;  // block path at each line's start
  bool in_triple_ = false;               // inside ''' or """
  bool in_comment_ = false;              // inside /* */
};

void JenkinsScanner::Braces(std::string_view line) {
  char quote = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (in_comment_) {
      if (c == '*' && i + 1 < line.size() && line[i + 1] == '/') {
        in_comment_ = false;
        ++i;
      }
      continue;
    }
    if (line.substr(i, 3) == "'''" || line.substr(i, 3) == "\"\"\"") {
      in_triple_ = !in_triple_;
      i += 2;
      continue;
    }
    if (in_triple_) continue;
    if (quote != 0) {
      if (c == '\\')
        ++i;
      else if (c == quote)
        quote = 0;
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '/' && i + 1 < line.size() && line[i + 1] == '/') {
      return;
    } else if (c == '/' && i + 1 < line.size() && line[i + 1] == '*') {
      in_comment_ = true;
      ++i;
    } else if (c == '{') {
      stack_.push_back(BlockLabel(line, i));
    } else if (c == '}' && !stack_.empty()) {
      stack_.pop_back();
    }
  }
}

void JenkinsScanner::Line(std::string_view line, uint64_t base,
                          uint64_t number) {
  const std::string_view t = Trim(line);
  if (t.rfind("//", 0) == 0 || t.rfind('*', 0) == 0 || t.rfind("/*", 0) == 0) {
    return;
  }
  const std::string path = Path();
  const bool in_env = !stack_.empty() && stack_.back() == "environment";
  // credentials('id') anywhere; in environment {} it names the variable.
  bool env_handled = false;
  if (in_env) {
    std::size_t b = SkipSpace(line, 0);
    std::size_t e = b;
    while (e < line.size() && IsIdent(line[e])) ++e;
    std::size_t eq = SkipSpace(line, e);
    if (e > b && eq < line.size() && line[eq] == '=' &&
        (eq + 1 >= line.size() || line[eq + 1] != '=')) {
      const std::string name(line.substr(b, e - b));
      const std::size_t v = SkipSpace(line, eq + 1);
      out_->scalars.push_back({base, base + line.size(),
                               EscapeForDisplay(path + "." + name),
                               EscapeForDisplay(Job())});
      std::string value;
      std::size_t end = 0;
      if (Quoted(line, v, &value, &end)) {
        env_handled = true;
        if (LooksLikeLiteralSecret(value, ClassifySecretName(name))) {
          Literal(path + "." + name, name, value, base + v + 1);
        }
      } else if (line.substr(v, 12) == "credentials(") {
        std::string id;
        if (Quoted(line, SkipSpace(line, v + 12), &id, &end)) {
          env_handled = true;
          Reference(path + "." + name, id, number);
        }
      }
    }
  }
  if (!env_handled) {
    std::size_t at = 0;
    while ((at = line.find("credentials(", at)) != std::string_view::npos) {
      at += 12;
      if (at > 12 && IsIdent(line[at - 13])) continue;
      std::string id;
      std::size_t end = 0;
      if (Quoted(line, SkipSpace(line, at), &id, &end)) {
        Reference(path, id, number);
      }
    }
  }
  // Parameter defaults: string(name: 'API_TOKEN', defaultValue: '…').
  std::size_t dv = 0;
  const std::string param = NamedArg(line, "name");
  const std::string def = NamedArg(line, "defaultValue", &dv);
  if (!param.empty() &&
      LooksLikeLiteralSecret(def, ClassifySecretName(param))) {
    Literal(path + "." + param, param, def, base + dv);
  }
  if (!env_handled && line.find('=') != std::string_view::npos) {
    for (const Assignment& a : FindAssignments(line)) {
      if (LooksLikeLiteralSecret(a.value, ClassifySecretName(a.name))) {
        Literal(path, a.name, a.value, base + a.value_offset);
      }
    }
  }
}

void JenkinsScanner::Run() {
  for (std::size_t n = 0; n < starts_.size(); ++n) {
    const uint64_t b = starts_[n];
    uint64_t e = n + 1 < starts_.size() ? starts_[n + 1] - 1 : content_.size();
    if (e > b && content_[e - 1] == '\r') --e;
    const std::string_view line = content_.substr(b, e - b);
    line_paths_.push_back(Path());
    const std::size_t scalars = out_->scalars.size();
    if (!in_triple_ && !in_comment_) Line(line, b, n + 1);
    if (out_->scalars.size() == scalars && !line_paths_.back().empty() &&
        e > b) {
      out_->scalars.push_back({b, e, EscapeForDisplay(line_paths_.back()),
                               EscapeForDisplay(Job())});
    }
    Braces(line);
  }
  // withCredentials bindings may span lines: read them from the whole text.
  std::size_t at = 0;
  while ((at = content_.find("credentialsId", at)) != std::string_view::npos) {
    const std::size_t open = content_.rfind('(', at);
    std::size_t close = content_.find(')', at);
    if (open == std::string_view::npos) break;
    if (close == std::string_view::npos) close = content_.size();
    const std::string_view binding = content_.substr(open, close - open);
    at += 13;
    const std::string id = NamedArg(binding, "credentialsId");
    if (id.empty()) continue;
    std::string variable;
    for (std::string_view k :
         {"variable", "passwordVariable", "keyFileVariable", "tokenVariable",
          "usernameVariable"}) {
      variable = NamedArg(binding, k);
      if (!variable.empty()) break;
    }
    const uint64_t line = LineOf(at);
    std::string key_path = line_paths_[line - 1];
    key_path += key_path.empty() ? "withCredentials" : ".withCredentials";
    if (!variable.empty()) key_path += "." + variable;
    Reference(key_path, id, line);
  }
}

}  // namespace

PipelineAnalysis AnalyzeJenkinsfile(std::string_view path,
                                    std::string_view content) {
  PipelineAnalysis out;
  out.system = std::string(kJenkins);
  JenkinsScanner scanner(path, content, &out);
  scanner.Run();
  out.parsed = true;
  auto by_place = [](const auto& a, const auto& b) {
    return std::tie(a.line, a.key_path) < std::tie(b.line, b.key_path);
  };
  std::stable_sort(out.references.begin(), out.references.end(), by_place);
  std::stable_sort(out.literal_secrets.begin(), out.literal_secrets.end(),
                   [](const PipelineLiteral& a, const PipelineLiteral& b) {
                     return a.offset < b.offset;
                   });
  return out;
}

}  // namespace sprawl
