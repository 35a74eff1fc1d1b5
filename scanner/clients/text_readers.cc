// Readers for the line-oriented credential files: .npmrc, .pypirc, .netrc,
// AWS CLI credentials/config, .http/.rest request files and Bruno .bru
// files. They see exact byte offsets, so every literal has its position.
#include <cctype>
#include <map>
#include <set>

#include "scanner/base/text.h"
#include "scanner/clients/client_reader.h"
#include "scanner/pipelines/secret_names.h"

namespace sprawl {
namespace {

struct Line {
  std::string_view text;  // without the line break
  uint64_t offset = 0;    // of text[0] in the content
};

std::vector<Line> Lines(std::string_view content) {
  std::vector<Line> out;
  std::size_t start = 0;
  while (start <= content.size()) {
    std::size_t nl = content.find('\n', start);
    if (nl == std::string_view::npos) nl = content.size();
    std::string_view t = content.substr(start, nl - start);
    if (!t.empty() && t.back() == '\r') t.remove_suffix(1);
    out.push_back({t, start});
    if (nl == content.size()) break;
    start = nl + 1;
  }
  return out;
}

// Offset in the content of `part`, a view into `line.text`.
uint64_t At(const Line& line, std::string_view part) {
  return line.offset + static_cast<uint64_t>(part.data() - line.text.data());
}

// `part` without one pair of surrounding quotes.
std::string_view Unquote(std::string_view part) {
  if (part.size() >= 2 && (part.front() == '"' || part.front() == '\'') &&
      part.back() == part.front()) {
    return part.substr(1, part.size() - 2);
  }
  return part;
}

// An ini `key = value` (or `key: value` when `colon`) line.
bool SplitKeyValue(std::string_view text, bool colon, std::string_view* key,
                   std::string_view* value) {
  std::size_t eq = text.find('=');
  if (colon) {
    const std::size_t c = text.find(':');
    if (c != std::string_view::npos && (eq == std::string_view::npos || c < eq))
      eq = c;
  }
  if (eq == std::string_view::npos) return false;
  *key = Trim(text.substr(0, eq));
  *value = Unquote(Trim(text.substr(eq + 1)));
  return !key->empty();
}

bool IsComment(std::string_view t) {
  t = Trim(t);
  return t.empty() || t.front() == '#' || t.front() == ';';
}

}  // namespace

void ReadNpmrc(ClientReader* r) {
  std::string default_registry = "registry.npmjs.org";
  const std::vector<Line> lines = Lines(r->content());
  for (const Line& l : lines) {
    std::string_view key, value;
    if (IsComment(l.text) || !SplitKeyValue(l.text, false, &key, &value)) {
      continue;
    }
    if (key == "registry") default_registry = HostOf(value);
  }
  for (const Line& l : lines) {
    std::string_view key, value;
    if (IsComment(l.text) || !SplitKeyValue(l.text, false, &key, &value)) {
      continue;
    }
    ValueScope scope;
    std::string_view field = key;
    if (key.starts_with("//")) {
      const std::size_t colon = key.rfind(":_");
      const std::size_t colon2 = key.rfind(':');
      const std::size_t c = colon != std::string_view::npos ? colon : colon2;
      if (c == std::string_view::npos) continue;
      std::string_view host = key.substr(2, c - 2);
      while (host.ends_with("/")) host.remove_suffix(1);
      scope.endpoint = EscapeForDisplay(host);
      field = key.substr(c + 1);
    } else {
      scope.endpoint = default_registry;
    }
    const std::string kp = EscapeForDisplay(key);
    if (field == "_authToken" || field == "password" || field == "_password" ||
        field == "_auth") {
      if (r->References(value, kp, At(l, value))) continue;
    }
    if (field == "_authToken" || field == "password") {
      r->Value(value, kp, ValueKind::kPositional, field, scope, At(l, value));
    } else if (field == "_auth" || field == "_password") {
      auto decoded = DecodeBase64(value);
      if (decoded && IsValidUtf8(*decoded)) {
        std::string secret = *decoded;
        if (field == "_auth") {
          const std::size_t c = secret.find(':');
          if (c == std::string::npos) {
            secret = std::string(value);  // not user:password: keep as is
          } else {
            secret = secret.substr(c + 1);
          }
        }
        if (PlausibleSecret(secret)) r->Decoded(secret, value, kp, scope);
      } else {
        r->Value(value, kp, ValueKind::kPositional, field, scope, At(l, value));
      }
    } else if (ClassifySecretName(field) != SecretName::kNo) {
      r->Value(value, kp, ValueKind::kNamed, field, scope, At(l, value));
    }
  }
}

void ReadPypirc(ClientReader* r) {
  struct Pending {
    std::string_view value;
    uint64_t offset;
    std::string key_path;
  };
  std::string section;
  std::string repository;
  std::vector<Pending> pending;
  auto flush = [&] {
    ValueScope scope;
    if (!repository.empty()) {
      scope.endpoint = HostOf(repository);
    } else if (section == "pypi") {
      scope.endpoint = "upload.pypi.org";
    } else if (section == "testpypi") {
      scope.endpoint = "test.pypi.org";
    } else {
      scope.endpoint = EscapeForDisplay(section);
    }
    for (const Pending& p : pending) {
      r->Value(p.value, p.key_path, ValueKind::kPositional, "password", scope,
               p.offset);
    }
    pending.clear();
    repository.clear();
  };
  for (const Line& l : Lines(r->content())) {
    const std::string_view t = Trim(l.text);
    if (t.starts_with("[") && t.ends_with("]")) {
      flush();
      section = std::string(Trim(t.substr(1, t.size() - 2)));
      continue;
    }
    std::string_view key, value;
    if (IsComment(l.text) || !SplitKeyValue(l.text, true, &key, &value)) {
      continue;
    }
    if (key == "repository") repository = std::string(value);
    if (key == "password") {
      pending.push_back(
          {value, At(l, value), Child(EscapeForDisplay(section), key)});
    }
  }
  flush();
}

void ReadNetrc(ClientReader* r) {
  const std::string_view c = r->content();
  std::string machine;
  std::size_t i = 0;
  auto next = [&](std::string_view* tok) -> bool {
    for (;;) {
      while (i < c.size() && std::isspace(static_cast<unsigned char>(c[i]))) {
        ++i;
      }
      if (i >= c.size()) return false;
      if (c[i] != '#') break;
      while (i < c.size() && c[i] != '\n') ++i;  // comment to end of line
    }
    const std::size_t s = i;
    if (c[i] == '"') {
      ++i;
      while (i < c.size() && c[i] != '"') ++i;
      *tok = c.substr(s + 1, i - s - 1);
      if (i < c.size()) ++i;
      return true;
    }
    while (i < c.size() && !std::isspace(static_cast<unsigned char>(c[i]))) ++i;
    *tok = c.substr(s, i - s);
    return true;
  };
  std::string_view tok;
  while (next(&tok)) {
    if (tok == "machine") {
      if (next(&tok)) machine = EscapeForDisplay(tok);
    } else if (tok == "default") {
      machine = "default";
    } else if (tok == "password" || tok == "account") {
      const std::string key(tok);
      if (!next(&tok)) break;
      ValueScope scope;
      scope.endpoint = machine;
      const std::string kp = Child(
          machine.empty() ? std::string("?") : Child("machine", machine), key);
      if (key == "password") {
        r->Value(tok, kp, ValueKind::kPositional, key, scope,
                 static_cast<uint64_t>(tok.data() - c.data()));
      }
    } else if (tok == "login") {
      next(&tok);
    } else if (tok == "macdef") {
      const std::size_t end = c.find("\n\n", i);
      i = end == std::string_view::npos ? c.size() : end + 2;
    }
  }
}

void ReadAwsCli(ClientReader* r) {
  std::string section;
  for (const Line& l : Lines(r->content())) {
    const std::string_view t = Trim(l.text);
    if (t.starts_with("[") && t.ends_with("]")) {
      section = std::string(Trim(t.substr(1, t.size() - 2)));
      continue;
    }
    std::string_view key, value;
    if (IsComment(l.text) || !SplitKeyValue(l.text, false, &key, &value)) {
      continue;
    }
    if (key == "aws_secret_access_key" || key == "aws_session_token" ||
        key == "aws_security_token") {
      r->Value(value, Child(EscapeForDisplay(section), key),
               ValueKind::kPositional, key, ValueScope{}, At(l, value));
    }
  }
}

namespace {

bool IsMethod(std::string_view w) {
  static const std::set<std::string, std::less<>> kMethods = {
      "GET",  "POST",    "PUT",   "PATCH",   "DELETE",
      "HEAD", "OPTIONS", "TRACE", "CONNECT", "GRAPHQL"};
  return kMethods.count(w) > 0;
}

// `{{host}}/x` with `@host = https://api.example.com`: the host.
std::string ResolveHost(std::string_view url,
                        const std::map<std::string, std::string>& vars) {
  url = Trim(url);
  if (url.starts_with("{{")) {
    const std::size_t close = url.find("}}");
    if (close != std::string_view::npos) {
      const std::string name(Trim(url.substr(2, close - 2)));
      auto it = vars.find(name);
      if (it != vars.end() && it->second.find("{{") == std::string::npos) {
        return HostOf(it->second);
      }
    }
    return "";
  }
  return HostOf(url);
}

}  // namespace

void ReadHttpFile(ClientReader* r) {
  std::map<std::string, std::string> vars;
  const std::vector<Line> lines = Lines(r->content());
  for (const Line& l : lines) {
    const std::string_view t = Trim(l.text);
    if (!t.starts_with("@")) continue;
    std::string_view key, value;
    if (SplitKeyValue(t.substr(1), false, &key, &value)) {
      vars[std::string(key)] = std::string(value);
    }
  }
  bool in_headers = false;
  bool in_script = false;
  ValueScope scope;
  std::size_t request = 0;
  for (const Line& l : lines) {
    const std::string_view t = Trim(l.text);
    if (in_script) {
      if (t.find("%}") != std::string_view::npos) in_script = false;
      continue;
    }
    if (t.starts_with("> {%") || t.starts_with("< {%")) {
      in_script = t.find("%}") == std::string_view::npos;
      continue;
    }
    if (t.starts_with("###")) {
      in_headers = false;
      scope = ValueScope{};
      continue;
    }
    if (t.starts_with("#") || t.starts_with("//")) continue;
    if (t.empty()) {
      in_headers = false;
      continue;
    }
    if (t.starts_with("@")) {
      std::string_view key, value;
      if (SplitKeyValue(t.substr(1), false, &key, &value)) {
        r->Value(value, "@" + EscapeForDisplay(key), ValueKind::kNamed, key,
                 ValueScope{}, At(l, value));
      }
      continue;
    }
    const std::size_t sp = t.find(' ');
    const std::string_view first = t.substr(0, sp);
    if (IsMethod(first) || t.starts_with("http://") ||
        t.starts_with("https://") || t.starts_with("{{")) {
      std::string_view url = IsMethod(first) && sp != std::string_view::npos
                                 ? t.substr(sp + 1)
                                 : t;
      url = Trim(url.substr(0, url.find(" HTTP/")));
      scope.endpoint = ResolveHost(url, vars);
      in_headers = true;
      ++request;
      continue;
    }
    if (in_headers) {
      std::string_view key, value;
      if (SplitKeyValue(l.text, true, &key, &value)) {
        const std::string kp = "requests[" + std::to_string(request - 1) +
                               "].headers." + EscapeForDisplay(key);
        r->Value(value, kp, ValueKind::kNamed, key, scope, At(l, value));
      }
    }
  }
}

// Which block of a Bruno file (`name {` or `name [ ... ]`) a line is in;
// both passes over a .bru file walk it the same way.
struct BruBlocks {
  std::string name;   // the open block, "" between blocks
  bool list = false;  // opened with `[`
  // True for a line inside a block's body; an opening or closing line (and
  // anything between blocks) is false and updates the state.
  bool Inside(std::string_view text, std::string_view trimmed) {
    if (name.empty()) {
      if (trimmed.ends_with("{") || trimmed.ends_with("[")) {
        name = std::string(Trim(trimmed.substr(0, trimmed.size() - 1)));
        list = trimmed.ends_with("[");
      }
      return false;
    }
    if ((list && text.starts_with("]")) || (!list && text.starts_with("}"))) {
      name.clear();
      return false;
    }
    return true;
  }
};


void ReadBruno(ClientReader* r) {
  static const std::set<std::string, std::less<>> kAuthSecrets = {
      "token",         "password",     "secretAccessKey", "sessionToken",
      "client_secret", "clientSecret", "access_token",    "refresh_token",
      "accessToken",   "refreshToken", "value",           "secret"};
  const std::vector<Line> lines = Lines(r->content());
  // First pass: the names of vars:secret lists, and the request URL.
  std::set<std::string, std::less<>> secret_vars;
  ValueScope scope;
  BruBlocks blocks;
  for (const Line& l : lines) {
    const std::string_view t = Trim(l.text);
    if (!blocks.Inside(l.text, t)) continue;
    const std::string& block = blocks.name;
    const bool list = blocks.list;
    if (list && block == "vars:secret") {
      std::string_view name = t;
      if (name.ends_with(",")) name.remove_suffix(1);
      if (!name.empty()) secret_vars.insert(std::string(Trim(name)));
    }
    std::string_view key, value;
    if (!list && SplitKeyValue(t, true, &key, &value) && key == "url") {
      std::string upper = block;
      for (char& ch : upper) ch = static_cast<char>(std::toupper(ch));
      if (IsMethod(upper) && !value.starts_with("{{")) {
        scope.endpoint = HostOf(value);
      }
    }
  }
  // Second pass: the values.
  blocks = BruBlocks{};
  for (const Line& l : lines) {
    const std::string_view t = Trim(l.text);
    if (!blocks.Inside(l.text, t)) continue;
    const std::string& block = blocks.name;
    const bool list = blocks.list;
    if (list) continue;
    const bool auth = block.starts_with("auth:");
    const bool vars = block == "vars" || block.starts_with("vars:");
    const bool headers = block == "headers" || block.starts_with("params:") ||
                         block == "body:form-urlencoded";
    if (!auth && !vars && !headers) continue;  // scripts, bodies, docs
    std::string_view key, value;
    // Bruno splits at the first ':' (values may hold more).
    const std::size_t colon = l.text.find(':');
    if (colon == std::string_view::npos) continue;
    key = Trim(l.text.substr(0, colon));
    value = Trim(l.text.substr(colon + 1));
    if (key.starts_with("~")) key.remove_prefix(1);  // disabled, still there
    if (value.empty()) continue;
    const std::string kp = Child(block, key);
    if (auth && kAuthSecrets.count(key) &&
        (key != "value" || block == "auth:apikey")) {  // NOLINT(bugprone-branch-clone)
      r->Value(value, kp, ValueKind::kPositional, key, scope, At(l, value));
    } else if (vars && secret_vars.count(key)) {
      r->Value(value, kp, ValueKind::kPositional, key, scope, At(l, value));
    } else {
      r->Value(value, kp, ValueKind::kNamed, key, scope, At(l, value));
    }
  }
}

}  // namespace sprawl
