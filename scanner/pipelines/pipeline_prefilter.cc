#include "scanner/pipelines/pipeline_prefilter.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <vector>

#include "scanner/base/text.h"
#include "scanner/pipelines/pipeline_files.h"
#include "scanner/pipelines/secret_names.h"

namespace sprawl {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

bool IsWordChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

char Lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c;
}

// Every name ClassifySecretName does not reject holds one of these
// (ASCII case-insensitively): PASSWORD, PASSWD, PASSPHRASE, SECRET, the
// secret suffixes (TOKEN, *KEY, CRED*), AUTH*, BEARER, _PAT.
bool MayBeSecretName(std::string_view s) {
  static constexpr std::array<std::string_view, 8> kParts = {
      "pass", "secret", "token", "key", "cred", "auth", "bearer", "pat"};
  char buf[256];
  std::string long_lower;
  std::string_view lower;
  if (s.size() <= sizeof buf) {
    for (std::size_t i = 0; i < s.size(); ++i) buf[i] = Lower(s[i]);
    lower = std::string_view(buf, s.size());
  } else {
    long_lower.resize(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) long_lower[i] = Lower(s[i]);
    lower = long_lower;
  }
  for (std::string_view p : kParts) {
    if (lower.find(p) != std::string_view::npos) return true;
  }
  return false;
}

// True when some prefix of `value` (leading blanks skipped) could be a
// literal secret under a secret-like name: the real value can end earlier
// than this reading of the line (a flow indicator, the end of a scalar).
// Values too long to try every prefix answer true.
bool SomePrefixLooksLiteral(std::string_view value) {
  std::size_t b = 0;
  while (b < value.size() && IsBlank(value[b])) ++b;
  value.remove_prefix(b);
  std::size_t run = 0;
  while (run < value.size() &&
         !std::isspace(static_cast<unsigned char>(value[run]))) {
    ++run;
  }
  if (run > 1024) return true;
  for (std::size_t n = 8; n <= run; ++n) {
    if (LooksLikeLiteralSecret(value.substr(0, n), SecretName::kYes)) {
      return true;
    }
  }
  return false;
}

// What the value after a key's ':' on this line (`rest`, comment
// included) can be.
enum class Value { kUnjudged, kMayBeLiteral, kNoLiteral };

// `literal` false: the caller needs only whether it is kUnjudged, and a
// value that is not answers kNoLiteral without the (quadratic) literal test.
Value JudgeValue(std::string_view rest, bool literal_matters) {
  std::size_t i = 0;
  while (i < rest.size() && IsBlank(rest[i])) ++i;
  if (i == rest.size() || rest[i] == '#') {
    return Value::kUnjudged;  // on later lines
  }
  const char c = rest[i];
  static constexpr std::string_view kUnjudged = "&*!|>{[?%@`";
  if (kUnjudged.find(c) != std::string_view::npos) return Value::kUnjudged;
  auto literal = [literal_matters](std::string_view v) {
    return literal_matters && SomePrefixLooksLiteral(v) ? Value::kMayBeLiteral
                                                        : Value::kNoLiteral;
  };
  if (c == '"' || c == '\'') {
    std::string inner;
    std::size_t k = i + 1;
    for (; k < rest.size(); ++k) {
      if (c == '"' && rest[k] == '\\') return Value::kUnjudged;  // escape
      if (rest[k] == c) {
        if (c == '\'' && k + 1 < rest.size() && rest[k + 1] == '\'') {
          inner.push_back('\'');
          ++k;
          continue;
        }
        break;
      }
      inner.push_back(rest[k]);
    }
    if (k >= rest.size()) return Value::kUnjudged;  // on later lines
    return literal(inner);
  }
  // A plain scalar: to the end of the line or a comment (" #"). Lines
  // that continue it add a space, which no literal holds.
  std::string_view v = rest.substr(i);
  for (std::size_t k = 1; k < v.size(); ++k) {
    if (v[k] == '#' && IsBlank(v[k - 1])) {
      v = v.substr(0, k);
      break;
    }
  }
  return literal(v);
}

// `key` (the text before a ':' since the line's start or the previous
// ':') could name a secret: it, or a part of it starting at a word
// boundary, without a closing quote and blanks, classifies as one.
constexpr std::size_t kMaxJudgedKey = 256;

bool KeyMayNameSecret(std::string_view key) {
  while (!key.empty() && IsBlank(key.back())) key.remove_suffix(1);
  if (!key.empty() && (key.back() == '"' || key.back() == '\'')) {
    key.remove_suffix(1);
  }
  if (!MayBeSecretName(key)) return false;
  // Every part is classified on its own (quadratic): a key this long may
  // name a secret, and the parse judges it.
  if (key.size() > kMaxJudgedKey) return true;
  for (std::size_t i = 0; i < key.size(); ++i) {
    if (i > 0 && IsWordChar(key[i - 1])) continue;
    // ClassifySecretName trims: the part from a blank is the part from the
    // next non-blank, itself at a word boundary.
    if (IsBlank(key[i])) continue;
    if (ClassifySecretName(key.substr(i)) != SecretName::kNo) return true;
  }
  return false;
}

// KeyMayNameSecret for a part of a key spelled across lines (a quoted
// key folds its line breaks into spaces): as if a word came before it.
bool PartMayNameSecret(std::string_view part) {
  if (!MayBeSecretName(part)) return false;
  for (std::size_t i = 0; i < part.size(); ++i) {
    if (i > 0 && IsWordChar(part[i - 1])) continue;
    const std::string_view rest = part.substr(i);
    if (ClassifySecretName(rest) != SecretName::kNo ||
        ClassifySecretName("x " + std::string(rest)) != SecretName::kNo) {
      return true;
    }
  }
  return false;
}

// `key` ends with the word `word` (a closing quote and blanks aside).
bool KeyIs(std::string_view key, std::string_view word) {
  while (!key.empty() && IsBlank(key.back())) key.remove_suffix(1);
  if (!key.empty() && (key.back() == '"' || key.back() == '\'')) {
    key.remove_suffix(1);
  }
  return key.ends_with(word) &&
         (key.size() == word.size() ||
          !IsWordChar(key[key.size() - word.size() - 1]));
}

// `name=value` anywhere (FindAssignments reads every scalar's raw text).
bool AssignmentMayBeLiteral(std::string_view text, std::size_t eq) {
  std::size_t b = eq;
  while (b > 0 && IsWordChar(text[b - 1])) --b;
  if (b == eq) return false;
  const std::string_view name = text.substr(b, eq - b);
  if (!MayBeSecretName(name) || ClassifySecretName(name) == SecretName::kNo) {
    return false;
  }
  if (eq + 1 >= text.size()) return false;
  std::size_t v = eq + 1;
  if (text[v] == '"' || text[v] == '\'') {
    const std::size_t close = text.find(text[v], v + 1);
    if (close == std::string_view::npos) return false;
    return SomePrefixLooksLiteral(text.substr(v + 1, close - v - 1));
  }
  std::size_t e = v;
  while (e < text.size() &&
         !std::isspace(static_cast<unsigned char>(text[e])) && text[e] != ';' &&
         text[e] != '&' && text[e] != '|' && text[e] != '"' &&
         text[e] != '\'' && text[e] != ')') {
    ++e;
  }
  return SomePrefixLooksLiteral(text.substr(v, e - v));
}

// One line (no line break): its keys and assignments.
bool LineMayHold(std::string_view line, std::string_view text,
                 std::size_t line_begin) {
  // Assignments anywhere, comments included: a '#' line inside a block
  // scalar is the scalar's text, which FindAssignments reads.
  for (std::size_t i = line.find('='); i != std::string_view::npos;
       i = line.find('=', i + 1)) {
    if (AssignmentMayBeLiteral(text, line_begin + i)) return true;
  }
  std::size_t indent = 0;
  while (indent < line.size() &&
         (IsBlank(line[indent]) || line[indent] == '-')) {
    ++indent;
  }
  if (indent == line.size() || line[indent] == '#') return false;  // comment
  // An explicit (complex) key: "? " where a key can start.
  for (std::size_t q = line.find('?'); q != std::string_view::npos;
       q = line.find('?', q + 1)) {
    if (q + 1 < line.size() && !IsBlank(line[q + 1])) continue;
    std::size_t p = q;
    while (p > 0 && IsBlank(line[p - 1])) --p;
    if (p == 0 || line[p - 1] == '-' || line[p - 1] == '{' ||
        line[p - 1] == ',') {
      return true;
    }
  }
  if (line.find(':') == std::string_view::npos) return false;
  // Keys end before a comment; a '#' after a quote may be inside it.
  std::string_view keys = line;
  for (std::size_t i = indent; i < line.size(); ++i) {
    if (line[i] == '"' || line[i] == '\'') break;
    if (line[i] == '#' && IsBlank(line[i - 1])) {
      keys = line.substr(0, i);
      break;
    }
  }
  // The last line of a quoted key begun on an earlier line.
  if (const std::size_t colon = keys.find(':');
      colon != std::string_view::npos) {
    std::string_view first = keys.substr(indent, colon - indent);
    while (!first.empty() && IsBlank(first.back())) first.remove_suffix(1);
    if (!first.empty() && (first.back() == '"' || first.back() == '\'') &&
        first.front() != first.back() &&
        std::count(first.begin(), first.end(), first.back()) % 2 == 1 &&
        PartMayNameSecret(first.substr(0, first.size() - 1))) {
      return true;
    }
  }
  // Every ':' may end a key, and a key may hold ':' (one not followed by a
  // blank does not end it): the key judged is all of the line before it.
  // A ':' followed by a blank (or ending the keys) ends a key, and that key
  // runs back over any ':' without a blank after it (`A:x: v` has the key
  // `A:x`, a fuzz find); every other ':' is judged by the part since the
  // previous ':', as a flow key (`{"A":"v"}`) would be. Each byte is in at
  // most two judged keys: a line with thousands of ':' stays linear.
  std::size_t seg = 0;       // after the previous ':'
  std::size_t key_from = 0;  // after the previous ':' that ends a key
  for (std::size_t i = keys.find(':'); i != std::string_view::npos;
       i = keys.find(':', i + 1)) {
    const bool ends = i + 1 >= keys.size() || IsBlank(keys[i + 1]);
    const std::size_t from = ends ? key_from : seg;
    std::string_view key = keys.substr(from, i - from);
    seg = i + 1;
    if (ends) key_from = i + 1;
    while (!key.empty() && IsBlank(key.back())) key.remove_suffix(1);
    if (key.ends_with('"') && key.find('\\') != std::string_view::npos) {
      return true;  // a double-quoted key with escapes
    }
    // `value` takes the name of a sibling `name` or of its parent key;
    // `uses` names the action a login finding needs, which the whole-text
    // test covers unless it is spelled in a way only a parse reads.
    // A key can be both (`x_secret:uses`, fuzz find): a literal counts
    // when it names a secret or is a `value`.
    const bool named = KeyIs(key, "value") || KeyMayNameSecret(key);
    if (named || KeyIs(key, "uses")) {
      const Value v = JudgeValue(line.substr(i + 1), named);
      if (v != Value::kNoLiteral) return true;
    }
  }
  return false;
}

// The quote character when `line` opens, at a place a key can start
// (after indentation and "- ", '{', ',' or '?'), a quoted scalar it does
// not close; else 0.
char OpensQuotedKey(std::string_view line) {
  char prev = '{';  // the line start counts as a place a key can start
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (IsBlank(c)) continue;
    if ((c == '"' || c == '\'') &&
        (prev == '{' || prev == ',' || prev == '?' || prev == '-')) {
      // Find its end on this line ('' and \" do not end it).
      std::size_t k = i + 1;
      for (; k < line.size(); ++k) {
        if (c == '"' && line[k] == '\\') {
          ++k;
        } else if (line[k] == c) {
          if (c == '\'' && k + 1 < line.size() && line[k + 1] == '\'') {
            ++k;
          } else {
            break;
          }
        }
      }
      if (k >= line.size()) return c;
      i = k;
      prev = c;
      continue;
    }
    if (c == '#' && (i == 0 || IsBlank(line[i - 1]))) return 0;  // comment
    prev = c;
  }
  return 0;
}

// The (lower-cased) byte pairs a mark or a login action below can start
// with: most bytes of a file are passed over on one table lookup.
const std::array<uint8_t, 65536>& MarkStarts() {
  static const std::array<uint8_t, 65536> table = [] {
    std::array<uint8_t, 65536> t{};
    for (std::string_view w : {"pa", "se", "to", "ke", "co", "cr", "az", "au",
                               "go", "be", "us", "va"}) {
      t[static_cast<unsigned char>(w[0]) << 8 |
        static_cast<unsigned char>(w[1])] = 1;
    }
    for (unsigned next = 0; next < 256; ++next) {
      t['?' << 8 | next] = 1;
      t['\\' << 8 | next] = 1;
    }
    return t;
  }();
  return table;
}

}  // namespace

bool MayHoldPipelineSecret(std::string_view content, std::string_view system) {
  if (system == kJenkins) return true;  // its own line scanner, cheap
  if (content.find('\0') != std::string_view::npos) return true;
  if (content.starts_with("\xef\xbb\xbf")) content.remove_prefix(3);
  // Line breaks this reading does not split on, and non-UTF-8 encodings.
  for (std::string_view odd :
       {"\xc2\x85", "\xe2\x80\xa8", "\xe2\x80\xa9", "\xfe\xff", "\xff\xfe"}) {
    if (content.find(odd) != std::string_view::npos) return true;
  }
  // One pass over the text: the login actions a pipeline finding needs
  // (anywhere), and where the marks are that every way LineMayHold or
  // PartMayNameSecret can answer true needs in the line: a part of a
  // secret-like name, a `uses` or `value` key, an explicit key's '?', an
  // escape. Lines without a mark (most of them) cost a lookup.
  // Where marks start, ascending.
  std::vector<std::size_t> marks;
  auto at = [&](std::size_t i, std::string_view word) {
    if (content.size() - i < word.size()) return false;
    for (std::size_t k = 0; k < word.size(); ++k) {
      if (Lower(content[i + k]) != word[k]) return false;
    }
    return true;
  };
  const std::array<uint8_t, 65536>& may_start = MarkStarts();
  for (std::size_t i = 0; i < content.size(); ++i) {
    const unsigned next =
        i + 1 < content.size()
            ? static_cast<unsigned char>(Lower(content[i + 1]))
            : 0;
    if (may_start[static_cast<unsigned char>(Lower(content[i])) << 8 | next] ==
        0) {
      continue;
    }
    bool mark = false;
    switch (Lower(content[i])) {
      case 'p':
        mark = at(i, "pass") || at(i, "pat");
        break;
      case 's':
        mark = at(i, "secret");
        break;
      case 't':
        mark = at(i, "token");
        break;
      case 'k':
        mark = at(i, "key");
        break;
      case 'c':
        if (at(i, "configure-aws-credentials")) return true;
        mark = at(i, "cred");
        break;
      case 'a':
        if (at(i, "azure/login")) return true;
        mark = at(i, "auth");
        break;
      case 'g':
        if (at(i, "google-github-actions/auth")) return true;
        break;
      case 'b':
        mark = at(i, "bearer");
        break;
      case 'u':
        mark = at(i, "uses");
        break;
      case 'v':
        mark = at(i, "value");
        break;
      case '?':
      case '\\':
        mark = true;
        break;
      default:
        break;
    }
    if (mark) marks.push_back(i);
  }
  std::size_t next_mark = 0;  // the first mark at or after `begin`
  std::size_t begin = 0;
  char open_key = 0;  // the quote of a key going on to the next line
  while (begin < content.size()) {
    std::size_t end = content.find('\n', begin);
    if (end == std::string_view::npos) end = content.size();
    std::string_view line = content.substr(begin, end - begin);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find('\r') != std::string_view::npos) return true;  // CR breaks
    while (next_mark < marks.size() && marks[next_mark] < begin) ++next_mark;
    const bool marked = next_mark < marks.size() && marks[next_mark] < end;
    if (open_key != 0) {
      // Inside a quoted key (or a scalar where one could be) still open.
      if (marked && PartMayNameSecret(line)) return true;
      if (line.find(open_key) != std::string_view::npos) open_key = 0;
    } else if (line.find('"') != std::string_view::npos ||
               line.find('\'') != std::string_view::npos) {
      open_key = OpensQuotedKey(line);
    }
    if (marked && LineMayHold(line, content, begin)) return true;
    begin = end + 1;
  }
  return false;
}

}  // namespace sprawl
