#include "scanner/clients/client_reader.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>

#include "scanner/base/text.h"
#include "scanner/match/placeholder.h"
#include "scanner/pipelines/secret_names.h"

namespace sprawl {
namespace {

bool IsNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' ||
         c == '.';
}

bool IsIdentStart(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}

// The leading name of `s` (name characters only).
std::string LeadingName(std::string_view s) {
  std::size_t n = 0;
  while (n < s.size() && IsNameChar(s[n])) ++n;
  return std::string(s.substr(0, n));
}

// Reads the inside of `{{ … }}`.
std::string TemplateName(std::string_view inner) {
  inner = Trim(inner);
  if (inner.starts_with("_.")) inner.remove_prefix(2);
  if (inner.starts_with("process.env.")) inner.remove_prefix(12);
  for (std::string_view fn : {"$dotenv", "$processEnv"}) {
    if (inner.starts_with(fn) && inner.size() > fn.size() &&
        (inner[fn.size()] == ' ' || inner[fn.size()] == '\t')) {
      std::string_view rest = Trim(inner.substr(fn.size()));
      if (rest.starts_with("%")) rest.remove_prefix(1);
      return LeadingName(rest);
    }
  }
  if (inner.starts_with("$") || inner.starts_with("'") ||
      inner.starts_with("\"")) {
    return "";  // a dynamic variable ({{$guid}}) or a literal expression
  }
  std::string name = LeadingName(inner);
  if (name.size() != Trim(inner).size()) {
    // `{{ _.a | filter }}`, `{{ env.X }}`: keep the leading name.
    if (name.empty()) return "";
  }
  return name;
}

constexpr std::size_t kMaxValue = 1u << 16;  // longer values are not secrets

}  // namespace

std::vector<ClientReference> FindClientReferences(std::string_view v) {
  std::vector<ClientReference> out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v.substr(i, 2) == "{{") {
      const std::size_t close = v.find("}}", i + 2);
      if (close == std::string_view::npos) break;
      std::string name = TemplateName(v.substr(i + 2, close - i - 2));
      if (!name.empty()) out.push_back({std::move(name), i});
      i = close + 1;
      continue;
    }
    if (v[i] == '$' && i + 1 < v.size()) {
      if (v[i + 1] == '{') {
        const std::size_t close = v.find('}', i + 2);
        if (close == std::string_view::npos) break;
        std::string_view inner = Trim(v.substr(i + 2, close - i - 2));
        for (std::string_view p : {"env:", "input:", "config:", "secret:"}) {
          if (inner.starts_with(p)) {
            inner.remove_prefix(p.size());
            break;
          }
        }
        std::string name = LeadingName(inner);
        if (!name.empty()) out.push_back({std::move(name), i});
        i = close;
        continue;
      }
      if (IsIdentStart(v[i + 1])) {
        std::size_t n = i + 1;
        while (
            n < v.size() &&
            (std::isalnum(static_cast<unsigned char>(v[n])) || v[n] == '_')) {
          ++n;
        }
        out.push_back({std::string(v.substr(i + 1, n - i - 1)), i});
        i = n - 1;
        continue;
      }
    }
    if (v.substr(i, 12) == "process.env.") {
      std::string name = LeadingName(v.substr(i + 12));
      while (!name.empty() && name.back() == '.') name.pop_back();
      if (!name.empty()) out.push_back({std::move(name), i});
      i += 11;
      continue;
    }
    if (v.substr(i, 12) == "process.env[") {
      std::string_view rest = v.substr(i + 12);
      if (!rest.empty() && (rest[0] == '"' || rest[0] == '\'')) {
        std::string name = LeadingName(rest.substr(1));
        if (!name.empty()) out.push_back({std::move(name), i});
      }
      i += 11;
    }
  }
  return out;
}

bool IsTemplate(std::string_view v) {
  return v.find("{{") != std::string_view::npos ||
         v.find("process.env") != std::string_view::npos ||
         !FindClientReferences(v).empty() || ContainsReference(v);
}

bool PlausibleSecret(std::string_view value) {
  const std::string_view v = Trim(value);
  if (v.size() < 6 || v.size() > kMaxValue) return false;
  if (IsTemplate(v) || LooksLikePlaceholder(v, "")) return false;
  const std::string lower = AsciiLower(v);
  for (std::string_view w : {"password", "changeme", "secret", "token",
                             "undefined", "null", "none", "redacted"}) {
    if (lower == w) return false;
  }
  return true;
}

std::string_view StripScheme(std::string_view value, std::string* scheme) {
  std::string_view v = Trim(value);
  scheme->clear();
  const std::size_t sp = v.find(' ');
  if (sp == std::string_view::npos) return v;
  const std::string first = AsciiLower(v.substr(0, sp));
  for (std::string_view s : {"bearer", "token", "basic", "apikey", "api-key",
                             "key", "digest", "sso-key", "pat"}) {
    if (first == s) {
      *scheme = first;
      return Trim(v.substr(sp + 1));
    }
  }
  return v;
}

std::optional<std::string> DecodeBase64(std::string_view text) {
  std::string_view t = Trim(text);
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  std::size_t pad = 0;
  for (char c : t) {
    int v;
    if (c >= 'A' && c <= 'Z') {
      v = c - 'A';
    } else if (c >= 'a' && c <= 'z') {
      v = c - 'a' + 26;
    } else if (c >= '0' && c <= '9') {
      v = c - '0' + 52;
    } else if (c == '+' || c == '-') {
      v = 62;
    } else if (c == '/' || c == '_') {
      v = 63;
    } else if (c == '=') {
      ++pad;
      continue;
    } else {
      return std::nullopt;
    }
    if (pad > 0) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  if (t.empty() || pad > 2) return std::nullopt;
  return out;
}

std::string HostOf(std::string_view url) {
  std::string_view u = Trim(url);
  const std::size_t scheme = u.find("://");
  if (scheme != std::string_view::npos) u.remove_prefix(scheme + 3);
  while (u.starts_with("/")) u.remove_prefix(1);
  const std::size_t end = u.find_first_of("/?#");
  if (end != std::string_view::npos) u = u.substr(0, end);
  const std::size_t at = u.rfind('@');
  if (at != std::string_view::npos) u.remove_prefix(at + 1);
  return EscapeForDisplay(u);
}

std::string Child(const std::string& parent, std::string_view key) {
  bool plain = !key.empty();
  for (char c : key) {
    plain = plain && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' ||
                      c == '-');
  }
  std::string k =
      plain ? std::string(key) : "\"" + EscapeForDisplay(key) + "\"";
  return parent.empty() ? k : parent + "." + k;
}

std::string Index(const std::string& parent, std::size_t i) {
  return parent + "[" + std::to_string(i) + "]";
}

std::string StringOr(const OrderedJson& obj, std::string_view key,
                     std::string fallback) {
  if (!obj.is_object()) return fallback;
  auto it = obj.find(std::string(key));
  if (it == obj.end() || !it->is_string()) return fallback;
  return it->get<std::string>();
}

ClientReader::ClientReader(std::string_view path, std::string_view content,
                           ClientAnalysis* out)
    : path_(path),
      content_(content),
      out_(out),
      line_starts_(LineStarts(content)) {}

uint64_t ClientReader::LineOf(uint64_t offset) const {
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  return static_cast<uint64_t>(it - line_starts_.begin());
}

void ClientReader::Diagnose(std::string message) {
  out_->diagnostics.push_back(std::move(message));
}

std::optional<uint64_t> ClientReader::LocateText(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::string escaped =
      OrderedJson(std::string(text))
          .dump(-1, ' ', false, OrderedJson::error_handler_t::replace);
  escaped = escaped.substr(1, escaped.size() - 2);
  for (const std::string& needle : {escaped, std::string(text)}) {
    auto cur = cursor_.find(needle);
    uint64_t from = cur == cursor_.end() ? 0 : cur->second;
    std::size_t at = content_.find(needle, from);
    if (at == std::string_view::npos && from > 0) at = content_.find(needle);
    if (at != std::string_view::npos) {
      cursor_[needle] = at + needle.size();
      return at;
    }
  }
  return std::nullopt;
}

bool ClientReader::References(std::string_view value,
                              const std::string& key_path,
                              std::optional<uint64_t> offset,
                              bool secret_names_only) {
  const auto refs = FindClientReferences(value);
  if (refs.empty()) return false;
  if (!offset) offset = LocateText(value);
  for (const auto& r : refs) {
    if (secret_names_only && ClassifySecretName(r.name) == SecretName::kNo) {
      continue;
    }
    PipelineReference ref;
    ref.system = out_->client;
    ref.path = path_;
    ref.key_path = key_path;
    ref.name = EscapeForDisplay(r.name);
    ref.line = offset ? LineOf(*offset + r.offset) : 1;
    out_->references.push_back(std::move(ref));
  }
  return true;
}

bool ClientReader::Value(std::string_view value, const std::string& key_path,
                         ValueKind kind, std::string_view name,
                         const ValueScope& scope,
                         std::optional<uint64_t> offset) {
  if (value.size() > kMaxValue) return false;
  if (References(value, key_path, offset,
                 kind == ValueKind::kNamed &&
                     ClassifySecretName(name) == SecretName::kNo)) {
    return false;
  }
  if (IsTemplate(value)) return false;
  std::string scheme;
  std::string_view v = StripScheme(value, &scheme);
  const std::size_t lead = v.empty() ? 0 : value.find(v);
  bool literal = false;
  if (kind == ValueKind::kPositional) {
    literal = PlausibleSecret(v);
  } else {
    const SecretName k = ClassifySecretName(name);
    literal = LooksLikeLiteralSecret(v, k) ||
              (k == SecretName::kYes && !scheme.empty() && PlausibleSecret(v));
  }
  if (!literal) return false;
  if (!offset) {
    offset = LocateText(value);
    if (offset) {
      // The escaped form can differ in length; find the stripped part.
      const std::size_t at = content_.find(v, *offset);
      offset = at != std::string_view::npos && at < *offset + value.size() + 64
                   ? at
                   : *offset;
    }
  } else {
    *offset += lead;
  }
  if (scheme == "basic") {
    if (auto decoded = DecodeBase64(v)) {
      const std::size_t colon = decoded->find(':');
      std::string password =
          colon == std::string::npos ? *decoded : decoded->substr(colon + 1);
      if (PlausibleSecret(password) && IsValidUtf8(password)) {
        AddLiteral(std::move(password), key_path, scope, offset, v.size(),
                   true);
        return true;
      }
    }
  }
  AddLiteral(std::string(Trim(v)), key_path, scope, offset, Trim(v).size(),
             false);
  return true;
}

void ClientReader::Decoded(std::string value, std::string_view encoded,
                           const std::string& key_path,
                           const ValueScope& scope) {
  const auto offset = LocateText(encoded);
  AddLiteral(std::move(value), key_path, scope, offset, encoded.size(), true);
}

void ClientReader::AddLiteral(std::string value, const std::string& key_path,
                              const ValueScope& scope,
                              std::optional<uint64_t> offset, uint64_t length,
                              bool decoded) {
  ClientLiteral l;
  l.value = std::move(value);
  l.key_path = key_path;
  l.endpoint = scope.endpoint;
  l.server = EscapeForDisplay(scope.server);
  l.decoded = decoded;
  if (offset && *offset < content_.size()) {
    l.offset = *offset;
    l.length = length;
    l.line = LineOf(*offset);
    l.column = *offset - line_starts_[l.line - 1] + 1;
  }
  out_->literals.push_back(std::move(l));
}

std::optional<OrderedJson> ParseJsonFile(std::string_view content,
                                         ClientReader* reader) {
  std::string_view body = content;
  if (body.starts_with("\xEF\xBB\xBF")) body.remove_prefix(3);
  try {
    return OrderedJson::parse(body.begin(), body.end(), nullptr, true,
                              /*ignore_comments=*/true);
  } catch (const OrderedJson::parse_error& e) {
    reader->Diagnose(std::string("malformed JSON: ") + e.what() +
                     " (scanned as plain text)");
  } catch (const std::exception& e) {
    reader->Diagnose(std::string("JSON parser failed: ") + e.what() +
                     " (scanned as plain text)");
  }
  return std::nullopt;
}

namespace {

// YAML -> JSON with a cap on visited nodes (aliases are visited again at
// every use, so an alias bomb stops here) and on depth.
class YamlToJson {
 public:
  explicit YamlToJson(const PipelineLimits& limits) : limits_(limits) {}

  bool Convert(const YAML::Node& n, OrderedJson* out, int depth) {
    if (++visits_ > limits_.max_nodes) {
      problem_ = "over " + std::to_string(limits_.max_nodes) +
                 " YAML nodes once aliases are expanded (an alias bomb?)";
      return false;
    }
    if (depth > limits_.max_depth) {
      problem_ =
          "nested over " + std::to_string(limits_.max_depth) + " levels deep";
      return false;
    }
    switch (n.Type()) {
      case YAML::NodeType::Scalar:
        *out = n.Scalar();
        return true;
      case YAML::NodeType::Sequence: {
        *out = OrderedJson::array();
        for (const auto& item : n) {
          OrderedJson j;
          if (!Convert(item, &j, depth + 1)) return false;
          out->push_back(std::move(j));
        }
        return true;
      }
      case YAML::NodeType::Map: {
        *out = OrderedJson::object();
        for (const auto& kv : n) {
          if (!kv.first.IsScalar()) continue;
          OrderedJson j;
          if (!Convert(kv.second, &j, depth + 1)) return false;
          (*out)[kv.first.Scalar()] = std::move(j);
        }
        return true;
      }
      default:
        *out = nullptr;
        return true;
    }
  }

  const std::string& problem() const { return problem_; }

 private:
  const PipelineLimits& limits_;
  uint64_t visits_ = 0;
  std::string problem_;
};

}  // namespace

std::optional<OrderedJson> ParseYamlFile(std::string_view content,
                                         const PipelineLimits& limits,
                                         ClientReader* reader) {
  const uint64_t estimate =
      static_cast<uint64_t>(std::count(content.begin(), content.end(), '\n')) +
      static_cast<uint64_t>(std::count(content.begin(), content.end(), ',')) +
      static_cast<uint64_t>(std::count(content.begin(), content.end(), ':'));
  if (estimate > limits.max_nodes) {
    reader->Diagnose("not parsed: about " + std::to_string(estimate) +
                     " YAML nodes, over the limit of " +
                     std::to_string(limits.max_nodes) +
                     " (scanned as plain text)");
    return std::nullopt;
  }
  try {
    const std::string text(content);
    CheckYamlDocumentsAdvance(text);
    const std::vector<YAML::Node> docs = YAML::LoadAll(text);
    if (docs.empty()) return OrderedJson::object();
    YamlToJson convert(limits);
    OrderedJson out;
    if (!convert.Convert(docs.front(), &out, 0)) {
      reader->Diagnose("not parsed: " + convert.problem() +
                       " (scanned as plain text)");
      return std::nullopt;
    }
    return out;
  } catch (const YAML::Exception& e) {
    reader->Diagnose("malformed YAML at line " +
                     std::to_string(e.mark.line + 1) + ": " + e.msg +
                     " (scanned as plain text)");
  } catch (const std::exception& e) {
    reader->Diagnose(std::string("YAML parser failed: ") + e.what() +
                     " (scanned as plain text)");
  }
  return std::nullopt;
}

const ClientLiteral* ClientAnalysis::LiteralAt(uint64_t offset) const {
  for (const ClientLiteral& l : literals) {
    if (l.length > 0 && offset >= l.offset && offset < l.offset + l.length) {
      return &l;
    }
  }
  return nullptr;
}

}  // namespace sprawl
