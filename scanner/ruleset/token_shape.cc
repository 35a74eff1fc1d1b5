#include "scanner/ruleset/token_shape.h"

#include <algorithm>

namespace sprawl {

bool ParseTokenAlphabet(std::string_view name, TokenAlphabet* out) {
  static constexpr struct {
    std::string_view name;
    TokenAlphabet alphabet;
  } kNames[] = {{"hex", TokenAlphabet::kHex},
                {"alnum", TokenAlphabet::kAlnum},
                {"base64", TokenAlphabet::kBase64},
                {"base64url", TokenAlphabet::kBase64Url},
                {"digits", TokenAlphabet::kDigits},
                {"uuid", TokenAlphabet::kUuid}};
  for (const auto& n : kNames) {
    if (n.name == name) {
      *out = n.alphabet;
      return true;
    }
  }
  return false;
}

const char* TokenAlphabetName(TokenAlphabet a) {
  switch (a) {
    case TokenAlphabet::kHex: return "hex";
    case TokenAlphabet::kAlnum: return "alnum";
    case TokenAlphabet::kBase64: return "base64";
    case TokenAlphabet::kBase64Url: return "base64url";
    case TokenAlphabet::kDigits: return "digits";
    case TokenAlphabet::kUuid: return "uuid";
  }
  return "?";
}

namespace {

std::string Letters(TokenCase c, char last_lower) {
  std::string lo = std::string("a-") + last_lower;
  std::string up = std::string("A-") + static_cast<char>(last_lower - 32);
  switch (c) {
    case TokenCase::kLower: return lo;
    case TokenCase::kUpper: return up;
    case TokenCase::kAny: return up + lo;
  }
  return up + lo;
}

std::string Expand(std::string_view cls) {
  std::string out;
  for (std::size_t i = 0; i < cls.size(); ++i) {
    if (i + 2 < cls.size() && cls[i + 1] == '-') {
      for (char c = cls[i]; c <= cls[i + 2]; ++c) out.push_back(c);
      i += 2;
    } else if (cls[i] != '\\') {
      out.push_back(cls[i]);
    }
  }
  return out;
}

}  // namespace

std::string ShapeClass(const TokenShape& s) {
  switch (s.alphabet) {
    case TokenAlphabet::kHex:
    case TokenAlphabet::kUuid:
      return "0-9" + Letters(s.letter_case, 'f');
    case TokenAlphabet::kAlnum: return Letters(s.letter_case, 'z') + "0-9";
    case TokenAlphabet::kBase64: return Letters(s.letter_case, 'z') + "0-9+/";
    case TokenAlphabet::kBase64Url:
      return Letters(s.letter_case, 'z') + "0-9_\\-";
    case TokenAlphabet::kDigits: return "0-9";
  }
  return "0-9";
}

std::string ShapeCharacters(const TokenShape& s) {
  return Expand(ShapeClass(s));
}

std::string EscapeRegexLiteral(std::string_view text) {
  std::string out;
  for (char c : text) {
    const bool word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                      (c >= '0' && c <= '9') || c == '_';
    if (!word) out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

std::string ShapeRegex(const TokenShape& s) {
  const std::string cls = "[" + ShapeClass(s) + "]";
  std::string out = EscapeRegexLiteral(s.prefix);
  if (s.alphabet == TokenAlphabet::kUuid) {
    return out + cls + "{8}-" + cls + "{4}-" + cls + "{4}-" + cls + "{4}-" +
           cls + "{12}";
  }
  out += cls + "{" + std::to_string(s.min_length);
  if (s.max_length != s.min_length) {
    out += "," + std::to_string(s.max_length);
  }
  out += "}";
  if (s.alphabet == TokenAlphabet::kBase64) out += "={0,2}";
  return out;
}

double DefaultMinEntropy(const TokenShape& s) {
  switch (s.alphabet) {
    case TokenAlphabet::kHex:
    case TokenAlphabet::kUuid:
      return 3.0;
    case TokenAlphabet::kDigits:
      return 2.5;
    default:
      return s.min_length < 24 ? 3.0 : 3.5;
  }
}

namespace {

// Alternation of literals. In a loose keyword an underscore stands for any
// separator or none, so `segment_write` also matches `SEGMENT-WRITE`,
// `segment.write` and `segmentWrite`.
std::string Alternation(const std::vector<std::string>& words,
                        bool loose_separators) {
  std::string out = "(?:";
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (i) out += "|";
    if (!loose_separators || !LooseKeyword(words[i])) {
      out += EscapeRegexLiteral(words[i]);
      continue;
    }
    for (char c : words[i]) {
      out += c == '_' ? std::string("[_.-]?")
                      : EscapeRegexLiteral(std::string_view(&c, 1));
    }
  }
  return out + ")";
}

}  // namespace

bool LooseKeyword(std::string_view keyword) {
  const std::size_t sep = keyword.find('_');
  return sep != std::string_view::npos && sep >= 5;
}

namespace {

// Words that make a variable name hold a credential.
constexpr std::string_view kSecretWord =
    "(?:key|token|secret|auth|bearer|pass|pwd|credential|cred)";
// An assignment in code, config or a header: `=`, `:`, `:=`, `=>`, a
// comma between arguments, or plain whitespace (flags, prose), with
// optional quotes and a closing bracket, then an optional auth scheme.
constexpr std::string_view kAssign =
    "[\"'`]?\\]?\\s{0,4}(?:=>|:=|[:=,]|\\s)\\s{0,4}[\"'`]?"
    "(?:(?:token|bearer|basic|key)\\s{1,4})?";
// The widest text the patterns above and the gaps around them can take
// between the end of an anchor and the start of the token: the 256-byte gap,
// the longest secret word (10), 16 name characters and the assignment (23);
// the constructor form is shorter. DetectorReach adds slack on top.
constexpr uint32_t kContextReach = 256 + 10 + 16 + 23;

std::string Anchors(const DetectorInfo& info) {
  std::string anchors = Alternation(info.names, true);
  if (!info.hosts.empty()) {
    anchors = info.names.empty() ? Alternation(info.hosts, false)
                                 : "(?:" + anchors + "|" +
                                       Alternation(info.hosts, false) + ")";
  }
  return anchors;
}

}  // namespace

std::string DetectorAnchor(const DetectorInfo& info) {
  return "(?i:" + Anchors(info) + ")";
}

uint32_t DetectorReach(const DetectorInfo& info) {
  const TokenShape& s = info.shape;
  const uint32_t token = static_cast<uint32_t>(s.prefix.size()) +
                         std::max<uint32_t>(s.max_length, 36) + 2;
  return kContextReach + token + 1 + 32;
}

std::string DetectorPattern(const DetectorInfo& info) {
  // A keyword or host, then within a few lines a credential-named
  // assignment or auth header: `DEEPGRAM_API_KEY=`, `"deepgramApiKey": "`,
  // `https://api.x.com … Authorization: Token `.
  const std::string anchors = Anchors(info);
  std::string ctx = anchors + "[\\s\\S]{0,256}?" +
                    std::string(kSecretWord) + "[a-z0-9_-]{0,16}" +
                    std::string(kAssign);
  if (!info.names.empty()) {
    const std::string kw = Alternation(info.names, true);
    // A client constructor given the key: `Client("…")`, `(api_key="…")`.
    ctx += "|" + kw + "[a-z0-9_.]{0,24}\\(\\s{0,4}(?:[a-z_]{1,20}\\s{0,2}=" +
           "\\s{0,2})?[\"'`]";
  }
  return "(?i:" + ctx + ")(" + ShapeRegex(info.shape) + ")" +
         std::string(kTokenTerminator);
}

}  // namespace sprawl
