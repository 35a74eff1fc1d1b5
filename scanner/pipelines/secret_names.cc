#include "scanner/pipelines/secret_names.h"

#include <array>
#include <cctype>

#include "scanner/base/text.h"
#include "scanner/match/placeholder.h"
#include "scanner/pipelines/pipeline_files.h"

namespace sprawl {
namespace {

bool Contains(std::string_view s, std::string_view part) {
  return s.find(part) != std::string_view::npos;
}

bool IsIdentStart(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}

bool IsIdent(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

// UPPER_SNAKE form of a name: camelCase humps, '-', '.', ' ' become '_'.
std::string Normalize(std::string_view name) {
  std::string out;
  out.reserve(name.size() + 4);
  for (std::size_t i = 0; i < name.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(name[i]);
    if (std::isupper(c) && i > 0 &&
        (std::islower(static_cast<unsigned char>(name[i - 1])) ||
         std::isdigit(static_cast<unsigned char>(name[i - 1])))) {
      out.push_back('_');
    }
    if (c == '-' || c == '.' || c == ' ') {
      out.push_back('_');
    } else {
      out.push_back(static_cast<char>(std::toupper(c)));
    }
  }
  return out;
}

// Suffixes naming metadata about a secret rather than the secret itself.
constexpr std::array<std::string_view, 40> kMetaSuffixes = {
    "_ID",       "_IDS",      "_NAME",     "_NAMES",    "_USER",
    "_USERNAME", "_URL",      "_URI",      "_PATH",     "_FILE",
    "_DIR",      "_ENV",      "_VAR",      "_HEADER",   "_TYPE",
    "_LENGTH",   "_POLICY",   "_EXPIRY",   "_EXPIRES",  "_EXPIRATION",
    "_TTL",      "_ENABLED",  "_REF",      "_ARN",      "_REGION",
    "_VERSION",  "_HOST",     "_PORT",     "_FORMAT",   "_ALGORITHM",
    "_SCOPE",    "_SCOPES",   "_ENDPOINT", "_PROVIDER", "_STORE",
    "_MANAGER",  "_REQUIRED", "_PREFIX",   "_SOURCE",   "_KIND"};

// Words before _KEY that make it a lookup key, not a credential.
constexpr std::array<std::string_view, 14> kKeyNotSecret = {
    "CACHE",  "PRIMARY", "SORT",   "PARTITION", "FOREIGN", "RESTORE", "S3",
    "OBJECT", "BUCKET",  "PUBLIC", "PUB",       "LOOKUP",  "HASH",    "RANGE"};

constexpr std::array<std::string_view, 14> kSecretSuffixes = {
    "TOKEN",       "APIKEY",          "API_KEY",     "ACCESS_KEY",
    "PRIVATE_KEY", "SECRET_KEY",      "AUTH_KEY",    "SIGNING_KEY",
    "MASTER_KEY",  "ENCRYPTION_KEY",  "LICENSE_KEY", "CREDENTIALS",
    "CREDS",       "CREDENTIALS_JSON"};

bool IsNumberLike(std::string_view v) {
  bool digit = false;
  for (char c : v) {
    if (std::isdigit(static_cast<unsigned char>(c))) {
      digit = true;
    } else if (c != '.' && c != '-' && c != '+' && c != '_' && c != ':' &&
               c != 'e' && c != 'E' && c != 'x') {
      return false;
    }
  }
  return digit;
}

bool IsUpperIdentifier(std::string_view v) {
  if (v.find('_') == std::string_view::npos) return false;
  for (char c : v) {
    if (!(std::isupper(static_cast<unsigned char>(c)) ||
          std::isdigit(static_cast<unsigned char>(c)) || c == '_')) {
      return false;
    }
  }
  return true;
}

bool IsPathLike(std::string_view v) {
  if (v.starts_with("/") || v.starts_with("./") || v.starts_with("../") ||
      v.starts_with("~/")) {
    return true;
  }
  static constexpr std::array<std::string_view, 9> kExt = {
      ".json", ".pem", ".key", ".txt", ".yml", ".yaml", ".p12", ".crt", ".env"};
  if (v.find('/') == std::string_view::npos) return false;
  for (std::string_view e : kExt) {
    if (v.ends_with(e)) return true;
  }
  return false;
}

}  // namespace

SecretName ClassifySecretName(std::string_view name) {
  const std::string n = Normalize(Trim(name));
  if (n.empty() || n == "PWD" || n == "PASS") return SecretName::kNo;
  for (std::string_view s : kMetaSuffixes) {
    if (n.ends_with(s)) return SecretName::kNo;
  }
  if (Contains(n, "PASSWORD") || Contains(n, "PASSWD") ||
      Contains(n, "PASSPHRASE") || Contains(n, "SECRET")) {
    return SecretName::kYes;
  }
  for (std::string_view s : kSecretSuffixes) {
    if (n.ends_with(s)) return SecretName::kYes;
  }
  if (n == "AUTHORIZATION" || n == "BEARER" || n == "AUTH" ||
      n.ends_with("_AUTH") || n.ends_with("_PAT")) {
    return SecretName::kYes;
  }
  if (n.ends_with("_KEY")) {
    if (Contains(n, "PUBLIC")) return SecretName::kNo;
    const std::string_view head(n.data(), n.size() - 4);
    for (std::string_view w : kKeyNotSecret) {
      if (head == w || head.ends_with(std::string("_") + std::string(w))) {
        return SecretName::kNo;
      }
    }
    return SecretName::kStrict;
  }
  return SecretName::kNo;
}

bool ContainsReference(std::string_view v) {
  for (std::size_t i = 0; i + 1 < v.size(); ++i) {
    if (v[i] != '$') continue;
    const char c = v[i + 1];
    if (c == '{' || c == '(' || c == '[' || IsIdentStart(c)) return true;
  }
  static constexpr std::array<std::string_view, 12> kMarkers = {
      "{{",
      "<<",
      "%{",
      "#{",
      "vault:",
      "ENC[",
      "sm://",
      "secret://",
      "op://",
      "ref+",
      "arn:aws:secretsmanager",
      "akv://"};
  for (std::string_view m : kMarkers) {
    if (Contains(v, m)) return true;
  }
  return false;
}

bool LooksLikeLiteralSecret(std::string_view value, SecretName kind) {
  if (kind == SecretName::kNo) return false;
  const std::string_view v = Trim(value);
  if (v.size() < 8) return false;
  for (char c : v) {
    if (std::isspace(static_cast<unsigned char>(c))) return false;
  }
  if (ContainsReference(v) || LooksLikePlaceholder(v, "")) return false;
  const std::string lower = AsciiLower(v);
  static constexpr std::array<std::string_view, 10> kWords = {
      "required", "optional", "disabled", "enabled",  "undefined",
      "inherit",  "password", "secret",   "changeit", "masked"};
  for (std::string_view w : kWords) {
    if (lower == w) return false;
  }
  if (IsNumberLike(v) || IsUpperIdentifier(v) || IsPathLike(v) ||
      lower.starts_with("http://") || lower.starts_with("https://")) {
    return false;
  }
  if (kind == SecretName::kStrict) {
    bool alpha = false;
    bool digit = false;
    for (char c : v) {
      alpha = alpha || std::isalpha(static_cast<unsigned char>(c));
      digit = digit || std::isdigit(static_cast<unsigned char>(c));
    }
    return v.size() >= 16 && alpha && digit;
  }
  return true;
}

bool IsPredefinedVariable(std::string_view name) {
  static constexpr std::array<std::string_view, 12> kPrefixes = {
      "CI_",     "GITLAB_", "CIRCLE_", "BITBUCKET_", "DRONE_", "BUILDKITE_",
      "TRAVIS_", "GITHUB_", "RUNNER_", "SYSTEM_",    "BUILD_", "AGENT_"};
  for (std::string_view p : kPrefixes) {
    if (name.starts_with(p)) return true;
  }
  return false;
}

bool IsPlatformToken(std::string_view system, std::string_view name) {
  if (system != kGithubActions) return IsPredefinedVariable(name);
  // GitHub secret names are case-insensitive.
  std::string upper(name);
  for (char& c : upper) c = static_cast<char>(std::toupper(c));
  return upper == "GITHUB_TOKEN";
}

namespace {

// `secrets.X`, `secrets['X']` in a GitHub expression body. `vars.X`
// (configuration variables) are not secrets, and `secrets.GITHUB_TOKEN` is
// the token GitHub mints for every run: neither is a reference.
void FindGithubLookups(std::string_view text, std::size_t base,
                       std::vector<ReferenceMatch>* out) {
  for (std::string_view store : {"secrets"}) {
    std::size_t at = 0;
    while ((at = text.find(store, at)) != std::string_view::npos) {
      const std::size_t start = at;
      at += store.size();
      if (start > 0 && (IsIdent(text[start - 1]) || text[start - 1] == '.')) {
        continue;
      }
      std::string name;
      if (at < text.size() && text[at] == '.') {
        std::size_t e = at + 1;
        while (e < text.size() && (IsIdent(text[e]) || text[e] == '-')) ++e;
        name = std::string(text.substr(at + 1, e - at - 1));
      } else if (at + 1 < text.size() && text[at] == '[' &&
                 (text[at + 1] == '\'' || text[at + 1] == '"')) {
        const std::size_t close = text.find(text[at + 1], at + 2);
        if (close != std::string_view::npos) {
          name = std::string(text.substr(at + 2, close - at - 2));
        }
      }
      if (!name.empty() && !IsPlatformToken(kGithubActions, name)) {
        out->push_back({name, base + start, true});
      }
    }
  }
}

void FindGithub(std::string_view text, bool expression_only,
                std::vector<ReferenceMatch>* out) {
  if (expression_only) {
    FindGithubLookups(text, 0, out);
    return;
  }
  std::size_t at = 0;
  while ((at = text.find("${{", at)) != std::string_view::npos) {
    std::size_t close = text.find("}}", at + 3);
    if (close == std::string_view::npos) close = text.size();
    FindGithubLookups(text.substr(at + 3, close - at - 3), at + 3, out);
    at = close;
  }
}

void FindAzure(std::string_view text, std::vector<ReferenceMatch>* out) {
  for (std::size_t i = 0; i + 2 < text.size(); ++i) {
    if (text[i] == '$' && text[i + 1] == '(') {
      std::size_t e = i + 2;
      while (e < text.size() &&
             (IsIdent(text[e]) || text[e] == '.' || text[e] == '-')) {
        ++e;
      }
      if (e < text.size() && text[e] == ')' && e > i + 2) {
        out->push_back({std::string(text.substr(i + 2, e - i - 2)), i, true});
      }
    }
  }
  for (std::string_view lead : {"variables.", "variables['", "variables[\""}) {
    std::size_t at = 0;
    while ((at = text.find(lead, at)) != std::string_view::npos) {
      const std::size_t start = at;
      at += lead.size();
      std::size_t e = at;
      while (e < text.size() &&
             (IsIdent(text[e]) || text[e] == '.' || text[e] == '-')) {
        ++e;
      }
      if (e > at) {
        out->push_back({std::string(text.substr(at, e - at)), start, true});
      }
    }
  }
}

void FindShell(std::string_view text, std::vector<ReferenceMatch>* out) {
  for (std::size_t i = 0; i + 1 < text.size(); ++i) {
    if (text[i] != '$') continue;
    if (text[i + 1] == '$') {  // `$$` escapes a dollar
      ++i;
      continue;
    }
    std::size_t b = i + 1;
    const bool braced = text[b] == '{';
    if (braced) ++b;
    if (b >= text.size() || !IsIdentStart(text[b])) continue;
    std::size_t e = b;
    while (e < text.size() && IsIdent(text[e])) ++e;
    if (braced && (e >= text.size() ||
                   (text[e] != '}' && text[e] != ':' && text[e] != '-'))) {
      continue;
    }
    out->push_back({std::string(text.substr(b, e - b)), i, false});
  }
}

}  // namespace

std::vector<ReferenceMatch> FindReferences(std::string_view system,
                                           std::string_view text,
                                           bool expression_only) {
  std::vector<ReferenceMatch> out;
  if (system == kGithubActions) {
    FindGithub(text, expression_only, &out);
  } else if (system == kAzurePipelines) {
    FindAzure(text, &out);
  } else if (!expression_only) {
    FindShell(text, &out);
  }
  return out;
}

std::vector<Assignment> FindAssignments(std::string_view text) {
  std::vector<Assignment> out;
  for (std::size_t eq = text.find('='); eq != std::string_view::npos;
       eq = text.find('=', eq + 1)) {
    if (eq == 0 || eq + 1 >= text.size()) continue;
    if (text[eq + 1] == '=' || text[eq - 1] == '=' || text[eq - 1] == '!' ||
        text[eq - 1] == '<' || text[eq - 1] == '>') {
      continue;
    }
    std::size_t b = eq;
    while (b > 0 && IsIdent(text[b - 1])) --b;
    if (b == eq || !IsIdentStart(text[b])) continue;
    if (b > 0 &&
        !(std::isspace(static_cast<unsigned char>(text[b - 1])) ||
          text[b - 1] == ';' || text[b - 1] == '&' || text[b - 1] == '"' ||
          text[b - 1] == '\'' || text[b - 1] == '(' || text[b - 1] == '|')) {
      continue;
    }
    std::size_t v = eq + 1;
    std::size_t e = v;
    if (text[v] == '"' || text[v] == '\'') {
      const std::size_t close = text.find(text[v], v + 1);
      if (close == std::string_view::npos) continue;
      ++v;
      e = close;
    } else {
      while (e < text.size() &&
             !std::isspace(static_cast<unsigned char>(text[e])) &&
             text[e] != ';' && text[e] != '&' && text[e] != '|' &&
             text[e] != '"' && text[e] != '\'' && text[e] != ')') {
        ++e;
      }
    }
    out.push_back({std::string(text.substr(b, eq - b)),
                   std::string(text.substr(v, e - v)), v});
  }
  return out;
}

}  // namespace sprawl
