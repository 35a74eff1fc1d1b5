#include "scanner/ruleset/rule_loader.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "scanner/base/repo_file.h"
#include "scanner/base/text.h"

namespace sprawl {
namespace {

const std::set<std::string>& KnownCategories() {
  static const std::set<std::string> k = {
      "ai",       "cloud",    "scm",      "ci",         "payments",
      "messaging", "database", "crypto",  "generic",    "registry",
      "monitoring", "saas",   "identity", "infrastructure"};
  return k;
}

// Builds "file:line:col: rule ID: field: problem".
std::string Where(const std::string& origin, const YAML::Node& node,
                  const std::string& rule_id, const std::string& field) {
  std::ostringstream out;
  out << origin;
  if (node.IsDefined() && node.Mark().line >= 0) {
    out << ':' << node.Mark().line + 1 << ':' << node.Mark().column + 1;
  }
  out << ": ";
  if (!rule_id.empty()) out << "rule " << rule_id << ": ";
  if (!field.empty()) out << "field '" << field << "': ";
  return out.str();
}

bool ValidId(const std::string& id) {
  // provider.kind: lower-case letters, digits and '-', at least one dot.
  if (id.empty() || id.find('.') == std::string::npos) return false;
  if (id.front() == '.' || id.back() == '.') return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_';
  });
}

class RuleParser {
 public:
  explicit RuleParser(const std::string& origin) : origin_(origin) {}

  Result<Rule> Parse(const YAML::Node& node) {
    Rule rule;
    rule.origin = origin_;
    rule.line = node.Mark().line + 1;
    if (!node.IsMap()) return Fail(node, "", "a rule must be a mapping");
    // The id first, so every later error can name the rule.
    const YAML::Node id = node["id"];
    if (!id || !id.IsScalar()) return Fail(node, "id", "missing");
    rule.id = id.Scalar();
    id_ = rule.id;
    if (!ValidId(rule.id)) {
      return Fail(id, "id", "must look like provider.kind (a-z, 0-9, '-')");
    }
    static const std::set<std::string> kFields = {
        "id",          "name",     "provider",          "category",
        "pattern",     "prefix",   "confidence",        "keywords",
        "min_entropy", "examples", "negative_examples", "references",
        "description", "checksum", "checksum_mismatch", "reject",
        "identifies",  "within_lines", "identifier_only"};
    for (const auto& kv : node) {
      const std::string key = kv.first.Scalar();
      if (!kFields.count(key)) return Fail(kv.first, key, "unknown field");
    }
    if (!Common(node, &rule)) return error_;
    if (!Str(node, "pattern", true, &rule.pattern)) return error_;
    if (!Str(node, "prefix", false, &rule.prefix)) return error_;
    if (!ChecksumFields(node, &rule)) return error_;
    if (!List(node, "keywords", false, 0, &rule.keywords)) return error_;
    for (const auto& k : rule.keywords) {
      if (k.empty()) return Fail(node["keywords"], "keywords", "empty keyword");
    }
    if (!List(node, "references", true, 1, &rule.references)) return error_;
    if (!List(node, "negative_examples", true, 1, &rule.negative_examples)) {
      return error_;
    }
    if (!Reject(node, &rule)) return error_;
    if (!Identifier(node, &rule)) return error_;
    if (!Examples(node, 2, &rule)) return error_;
    return rule;
  }

  // A compact detector (rules/README.md, "Compact detectors") expanded into
  // an ordinary rule: the pattern is built from keywords, hosts and shape.
  Result<Rule> ParseDetector(const YAML::Node& node) {
    Rule rule;
    rule.origin = origin_;
    rule.line = node.Mark().line + 1;
    rule.confidence = Confidence::kMedium;
    if (!node.IsMap()) return Fail(node, "", "a detector must be a mapping");
    const YAML::Node id = node["id"];
    if (!id || !id.IsScalar()) return Fail(node, "id", "missing");
    rule.id = id.Scalar();
    id_ = rule.id;
    if (!ValidId(rule.id)) {
      return Fail(id, "id", "must look like provider.kind (a-z, 0-9, '-')");
    }
    static const std::set<std::string> kFields = {
        "id",       "name",        "provider",    "category",
        "confidence", "keywords",  "hosts",       "token",
        "min_entropy", "examples", "negative_examples", "references",
        "description"};
    for (const auto& kv : node) {
      const std::string key = kv.first.Scalar();
      if (!kFields.count(key)) return Fail(kv.first, key, "unknown field");
    }
    if (!Common(node, &rule)) return error_;
    DetectorInfo info;
    if (!List(node, "keywords", false, 0, &info.names)) return error_;
    if (!List(node, "hosts", false, 0, &info.hosts)) return error_;
    if (info.names.empty() && info.hosts.empty()) {
      return Fail(node, "keywords", "a detector needs keywords or hosts");
    }
    for (const auto* list : {&info.names, &info.hosts}) {
      for (const auto& k : *list) {
        if (k.size() < 3) {
          return Fail(node[list == &info.names ? "keywords" : "hosts"],
                      list == &info.names ? "keywords" : "hosts",
                      "'" + k + "' is shorter than 3 characters");
        }
      }
    }
    if (!Shape(node["token"], &info.shape)) return error_;
    rule.prefix = info.shape.prefix;
    // The match always holds a keyword or host; a keyword's part before its
    // first '_' (which matches any separator) occurs in it literally.
    for (const auto& k : info.names) {
      const std::string head =
          LooseKeyword(k) ? k.substr(0, k.find('_')) : k;
      if (std::find(rule.keywords.begin(), rule.keywords.end(), head) ==
          rule.keywords.end()) {
        rule.keywords.push_back(head);
      }
    }
    rule.keywords.insert(rule.keywords.end(), info.hosts.begin(),
                         info.hosts.end());
    if (!node["min_entropy"]) rule.min_entropy = DefaultMinEntropy(info.shape);
    rule.pattern = DetectorPattern(info);
    rule.anchor = DetectorAnchor(info);
    rule.reach = DetectorReach(info);
    rule.detector = std::move(info);
    if (!List(node, "references", true, 1, &rule.references)) return error_;
    if (!List(node, "negative_examples", false, 0, &rule.negative_examples)) {
      return error_;
    }
    if (node["examples"] && !Examples(node, 0, &rule)) return error_;
    return rule;
  }

 private:
  // name, provider, category (checked), description, confidence,
  // min_entropy: shared by rules and detectors.
  bool Common(const YAML::Node& node, Rule* rule) {
    if (!Str(node, "name", true, &rule->name)) return false;
    if (!Str(node, "provider", true, &rule->provider)) return false;
    if (!Str(node, "category", true, &rule->category)) return false;
    if (!KnownCategories().count(rule->category)) {
      Fail(node["category"], "category",
           "unknown category '" + rule->category + "'");
      return false;
    }
    if (rule->id.rfind(rule->provider + ".", 0) != 0) {
      Fail(node["id"], "id",
           "must start with the provider '" + rule->provider + ".'");
      return false;
    }
    if (!Str(node, "description", false, &rule->description)) return false;
    std::string confidence = ConfidenceName(rule->confidence);
    if (!Str(node, "confidence", false, &confidence)) return false;
    if (confidence == "high") {
      rule->confidence = Confidence::kHigh;
    } else if (confidence == "medium") {
      rule->confidence = Confidence::kMedium;
    } else if (confidence == "low") {
      rule->confidence = Confidence::kLow;
    } else {
      Fail(node["confidence"], "confidence", "must be high, medium or low");
      return false;
    }
    if (const YAML::Node e = node["min_entropy"]) {
      try {
        rule->min_entropy = e.as<double>();
      } catch (const YAML::Exception&) {
        Fail(e, "min_entropy", "must be a number");
        return false;
      }
      if (rule->min_entropy < 0 || rule->min_entropy > 8) {
        Fail(e, "min_entropy", "must be between 0 and 8 bits/byte");
        return false;
      }
    }
    return true;
  }

  // `token: {alphabet, length, case, prefix}`; length is N or "MIN-MAX".
  bool Shape(const YAML::Node& t, TokenShape* shape) {
    if (!t || !t.IsMap()) {
      Fail(t ? t : YAML::Node(), "token",
           "missing (a mapping: alphabet, length, optional case, prefix)");
      return false;
    }
    for (const auto& kv : t) {
      const std::string key = kv.first.Scalar();
      if (key != "alphabet" && key != "length" && key != "case" &&
          key != "prefix") {
        Fail(kv.first, "token",
             "unknown key '" + key +
                 "' (expected alphabet, length, case, prefix)");
        return false;
      }
    }
    std::string alphabet;
    if (!Str(t, "alphabet", true, &alphabet)) return false;
    if (!ParseTokenAlphabet(alphabet, &shape->alphabet)) {
      Fail(t["alphabet"], "token",
           "unknown alphabet '" + alphabet +
               "' (hex, alnum, base64, base64url, digits, uuid)");
      return false;
    }
    std::string letter_case = "any";
    if (!Str(t, "case", false, &letter_case)) return false;
    if (letter_case == "lower") {
      shape->letter_case = TokenCase::kLower;
    } else if (letter_case == "upper") {
      shape->letter_case = TokenCase::kUpper;
    } else if (letter_case != "any") {
      Fail(t["case"], "token", "case must be lower, upper or any");
      return false;
    }
    if (!Str(t, "prefix", false, &shape->prefix)) return false;
    if (shape->alphabet == TokenAlphabet::kUuid) {
      if (t["length"]) {
        Fail(t["length"], "token", "a uuid has no length (always 36)");
        return false;
      }
      shape->min_length = shape->max_length = 36;
      return true;
    }
    std::string length;
    if (!Str(t, "length", true, &length)) return false;
    unsigned lo = 0;
    unsigned hi = 0;
    char dash = 0;
    char extra = 0;
    const int n = std::sscanf(length.c_str(), "%u%c%u%c", &lo, &dash, &hi,
                              &extra);
    if (n == 1) {
      hi = lo;
    } else if (n != 3 || dash != '-') {
      Fail(t["length"], "token", "length must be N or MIN-MAX");
      return false;
    }
    if (lo < 8 || hi < lo || hi > 512) {
      Fail(t["length"], "token", "length must be within 8..512, MIN <= MAX");
      return false;
    }
    shape->min_length = lo;
    shape->max_length = hi;
    return true;
  }

  // `identifies: [rule ids]`, `within_lines: N`, `identifier_only: bool`.
  bool Identifier(const YAML::Node& node, Rule* rule) {
    if (!List(node, "identifies", false, 0, &rule->identifies)) return false;
    if (const YAML::Node w = node["within_lines"]) {
      try {
        rule->within_lines = w.as<int>();
      } catch (const YAML::Exception&) {
        return Bad(w, "within_lines", "must be an integer");
      }
      if (rule->within_lines < 0 || rule->within_lines > 100) {
        return Bad(w, "within_lines", "must be between 0 and 100");
      }
    }
    if (const YAML::Node o = node["identifier_only"]) {
      try {
        rule->identifier_only = o.as<bool>();
      } catch (const YAML::Exception&) {
        return Bad(o, "identifier_only", "must be true or false");
      }
    }
    if ((rule->identifier_only || node["within_lines"]) &&
        rule->identifies.empty()) {
      return Bad(node, "identifies",
                 "needed with identifier_only or within_lines");
    }
    return true;
  }

  // `reject: [hex-digest, uuid, version, path, words]`.
  bool Reject(const YAML::Node& node, Rule* rule) {
    std::vector<std::string> names;
    if (!List(node, "reject", false, 0, &names)) return false;
    for (const auto& n : names) {
      const uint32_t flag = RejectValueFromName(n);
      if (flag == 0) {
        Fail(node["reject"], "reject",
             "unknown value kind '" + n +
                 "' (hex-digest, uuid, version, path, words)");
        return false;
      }
      rule->reject |= flag;
    }
    return true;
  }

  bool Examples(const YAML::Node& node, std::size_t min_items, Rule* r) {
    Rule& rule = *r;
    const YAML::Node ex = node["examples"];
    if (!ex || !ex.IsSequence()) {
      return Bad(ex ? ex : node, "examples", "missing (a list of at least 2)");
    }
    for (const auto& item : ex) {
      RuleExample example;
      if (item.IsScalar()) {
        example.text = item.Scalar();
        example.secret = item.Scalar();
      } else if (item.IsMap()) {
        for (const auto& kv : item) {
          const std::string key = kv.first.Scalar();
          if (key != "text" && key != "secret") {
            return Bad(kv.first, "examples",
                        "unknown key '" + key + "' (expected text, secret)");
          }
        }
        if (!item["text"] || !item["text"].IsScalar() || !item["secret"] ||
            !item["secret"].IsScalar()) {
          return Bad(item, "examples", "needs both text and secret");
        }
        example.text = item["text"].Scalar();
        example.secret = item["secret"].Scalar();
      } else {
        return Bad(item, "examples", "an example is a string or {text, secret}");
      }
      if (example.secret.empty()) return Bad(item, "examples", "empty secret");
      if (example.text.find(example.secret) == std::string::npos) {
        return Bad(item, "examples", "secret does not occur in text");
      }
      if (!rule.prefix.empty() && example.secret.rfind(rule.prefix, 0) != 0) {
        return Bad(item, "examples",
                    "secret does not start with prefix '" + rule.prefix + "'");
      }
      rule.examples.push_back(std::move(example));
    }
    if (rule.examples.size() < min_items) {
      return Bad(ex, "examples",
                 "at least " + std::to_string(min_items) +
                     " examples are required");
    }
    return true;
  }

  bool Bad(const YAML::Node& node, const std::string& field,
           const std::string& what) {
    Fail(node, field, what);
    return false;
  }

  Error Fail(const YAML::Node& node, const std::string& field,
             const std::string& what) {
    error_ = Error{Where(origin_, node, id_, field) + what};
    return error_;
  }

  // `checksum` (a known algorithm) and `checksum_mismatch` (a boolean that
  // needs `checksum`).
  bool ChecksumFields(const YAML::Node& node, Rule* rule) {
    std::string name;
    if (!Str(node, "checksum", false, &name)) return false;
    if (!name.empty()) {
      for (Checksum c : {Checksum::kGithubCrc32, Checksum::kPypiMacaroon}) {
        if (name == ChecksumName(c)) rule->checksum = c;
      }
      if (rule->checksum == Checksum::kNone) {
        Fail(node["checksum"], "checksum",
             "unknown checksum '" + name +
                 "' (expected github-crc32 or pypi-macaroon)");
        return false;
      }
    }
    const YAML::Node m = node["checksum_mismatch"];
    if (!m) return true;
    try {
      rule->checksum_mismatch = m.as<bool>();
    } catch (const YAML::Exception&) {
      Fail(m, "checksum_mismatch", "must be true or false");
      return false;
    }
    if (rule->checksum_mismatch && rule->checksum == Checksum::kNone) {
      Fail(m, "checksum_mismatch", "needs a 'checksum' to fail");
      return false;
    }
    return true;
  }

  bool Str(const YAML::Node& parent, const char* key, bool required,
           std::string* out) {
    const YAML::Node n = parent[key];
    if (!n) {
      if (required) Fail(parent, key, "missing");
      return !required;
    }
    if (!n.IsScalar() || n.Scalar().empty()) {
      Fail(n, key, "must be a non-empty string");
      return false;
    }
    *out = n.Scalar();
    return true;
  }

  bool List(const YAML::Node& parent, const char* key, bool required,
            std::size_t min_items, std::vector<std::string>* out) {
    const YAML::Node n = parent[key];
    if (!n) {
      if (required) Fail(parent, key, "missing");
      return !required;
    }
    if (!n.IsSequence()) {
      Fail(n, key, "must be a list of strings");
      return false;
    }
    for (const auto& item : n) {
      if (!item.IsScalar()) {
        Fail(item, key, "must be a list of strings");
        return false;
      }
      out->push_back(item.Scalar());
    }
    if (out->size() < min_items) {
      Fail(n, key, "needs at least " + std::to_string(min_items) + " item(s)");
      return false;
    }
    return true;
  }

  std::string origin_;
  std::string id_;
  Error error_;
};

// Never blocks on a FIFO nor reads a device; at most kMaxRepoFileSize.
Result<std::string> ReadFile(const std::string& path) {
  auto text = ReadBoundedFile(path);
  if (!text.ok()) return text.error();
  if (!*text) return Error{EscapeForDisplay(path) + ": cannot read rule pack"};
  return std::move(**text);
}

}  // namespace

Result<std::vector<Rule>> ParseRulePack(std::string_view yaml_text,
                                        const std::string& origin) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& e) {
    return Error{origin + ":" + std::to_string(e.mark.line + 1) + ":" +
                 std::to_string(e.mark.column + 1) + ": invalid YAML: " +
                 e.msg};
  }
  try {
    if (!root.IsMap()) {
      return Error{origin + ": a rule pack is a mapping with a 'rules' list"};
    }
    for (const auto& kv : root) {
      const std::string key = kv.first.Scalar();
      if (key != "rules" && key != "detectors" && key != "provider" &&
          key != "description") {
        return Error{Where(origin, kv.first, "", key) + "unknown field"};
      }
    }
    const YAML::Node list = root["rules"];
    const YAML::Node detectors = root["detectors"];
    if ((list && !list.IsSequence()) || (!list && !detectors)) {
      return Error{origin + ": field 'rules': missing or not a list"};
    }
    if (detectors && !detectors.IsSequence()) {
      return Error{origin + ": field 'detectors': not a list"};
    }
    std::vector<Rule> rules;
    std::set<std::string> ids;
    RuleParser parser(origin);
    for (const bool compact : {false, true}) {
      const YAML::Node section = compact ? detectors : list;
      if (!section) continue;
      for (const auto& node : section) {
        Result<Rule> rule =
            compact ? parser.ParseDetector(node) : parser.Parse(node);
        if (!rule.ok()) return rule.error();
        if (!ids.insert(rule->id).second) {
          return Error{Where(origin, node, rule->id, "id") + "duplicate id"};
        }
        rules.push_back(std::move(rule).value());
      }
    }
    return rules;
  } catch (const YAML::Exception& e) {
    return Error{origin + ":" + std::to_string(e.mark.line + 1) +
                 ": invalid rule pack: " + e.msg};
  }
}

Result<std::vector<Rule>> LoadBuiltinRules() {
  std::vector<Rule> all;
  for (const EmbeddedPack& pack : BuiltinPacks()) {
    auto rules =
        ParseRulePack(pack.text, "builtin:rules/" + std::string(pack.name));
    if (!rules.ok()) return rules.error();
    Status merged = MergeRules(&all, std::move(rules).value());
    if (!merged.ok()) return merged.error();
  }
  return all;
}

namespace {

Result<std::vector<std::string>> PackFiles(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::vector<std::string> files;
  if (fs::is_directory(path, ec)) {
    for (const auto& entry : fs::directory_iterator(path, ec)) {
      const std::string ext = entry.path().extension().string();
      if (entry.is_regular_file() && (ext == ".yaml" || ext == ".yml")) {
        files.push_back(entry.path().string());
      }
    }
    if (ec) return Error{path + ": cannot list rule directory: " + ec.message()};
    std::sort(files.begin(), files.end());
    if (files.empty()) return Error{path + ": no *.yaml rule packs found"};
  } else if (fs::exists(path, ec)) {
    files.push_back(path);
  } else {
    return Error{path + ": rule pack not found"};
  }
  return files;
}

}  // namespace

Result<std::vector<PackText>> ReadRulePacks(
    const std::vector<std::string>& paths) {
  std::vector<PackText> packs;
  for (const EmbeddedPack& pack : BuiltinPacks()) {
    packs.push_back({"builtin:rules/" + std::string(pack.name),
                     std::string(pack.text)});
  }
  for (const auto& path : paths) {
    auto files = PackFiles(path);
    if (!files.ok()) return files.error();
    for (const auto& file : *files) {
      auto text = ReadFile(file);
      if (!text.ok()) return text.error();
      packs.push_back({file, std::move(text).value()});
    }
  }
  return packs;
}

Result<std::vector<Rule>> ParseRulePacks(const std::vector<PackText>& packs) {
  std::vector<Rule> all;
  for (const auto& pack : packs) {
    auto rules = ParseRulePack(pack.text, pack.origin);
    if (!rules.ok()) return rules.error();
    Status merged = MergeRules(&all, std::move(rules).value());
    if (!merged.ok()) return merged.error();
  }
  return all;
}

Result<std::vector<Rule>> LoadRulesFromPath(const std::string& path) {
  auto files = PackFiles(path);
  if (!files.ok()) return files.error();
  std::vector<PackText> packs;
  for (const auto& file : *files) {
    auto text = ReadFile(file);
    if (!text.ok()) return text.error();
    packs.push_back({file, std::move(text).value()});
  }
  return ParseRulePacks(packs);
}

Status MergeRules(std::vector<Rule>* rules, std::vector<Rule> more) {
  std::map<std::string, const Rule*> by_id;
  for (const Rule& r : *rules) by_id[r.id] = &r;
  for (const Rule& r : more) {
    auto it = by_id.find(r.id);
    if (it != by_id.end()) {
      return Error{r.origin + ":" + std::to_string(r.line) + ": rule " + r.id +
                   ": field 'id': duplicate of the rule at " +
                   it->second->origin + ":" +
                   std::to_string(it->second->line)};
    }
  }
  for (Rule& r : more) rules->push_back(std::move(r));
  return Status::Ok();
}

}  // namespace sprawl
