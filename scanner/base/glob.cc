#include "scanner/base/glob.h"

namespace sprawl {
namespace {

// Matches a bracket class at p[0]=='['; sets *consumed to its length.
// Returns false with *consumed=0 when the class is unterminated.
bool ClassMatch(std::string_view p, char c, std::size_t* consumed) {
  std::size_t i = 1;
  bool negate = false;
  if (i < p.size() && (p[i] == '!' || p[i] == '^')) {
    negate = true;
    ++i;
  }
  bool matched = false;
  bool first = true;
  while (i < p.size() && (p[i] != ']' || first)) {
    first = false;
    char lo = p[i];
    if (lo == '\\' && i + 1 < p.size()) lo = p[++i];
    char hi = lo;
    if (i + 2 < p.size() && p[i + 1] == '-' && p[i + 2] != ']') {
      hi = p[i + 2];
      if (hi == '\\' && i + 3 < p.size()) {
        hi = p[i + 3];
        ++i;
      }
      i += 2;
    }
    if (c >= lo && c <= hi) matched = true;
    ++i;
  }
  if (i >= p.size()) {
    *consumed = 0;
    return false;
  }
  *consumed = i + 1;
  return matched != negate;
}

bool Match(std::string_view p, std::string_view s, int depth) {
  if (depth > 64) return false;  // pathological patterns stay bounded
  while (!p.empty()) {
    if (p.substr(0, 2) == "**") {
      std::string_view rest = p.substr(2);
      if (rest.empty()) return true;
      if (rest[0] == '/') {
        rest.remove_prefix(1);
        // "**/" matches zero or more whole directories.
        for (std::size_t i = 0; i <= s.size(); ++i) {
          if ((i == 0 || s[i - 1] == '/') && Match(rest, s.substr(i), depth + 1)) {
            return true;
          }
        }
        return false;
      }
      p = p.substr(1);  // "**x" behaves like "*x"
      continue;
    }
    const char c = p[0];
    if (c == '*') {
      std::string_view rest = p.substr(1);
      for (std::size_t i = 0; i <= s.size(); ++i) {
        if (Match(rest, s.substr(i), depth + 1)) return true;
        if (i < s.size() && s[i] == '/') break;
      }
      return false;
    }
    if (s.empty()) return false;
    if (c == '?') {
      if (s[0] == '/') return false;
      p.remove_prefix(1);
      s.remove_prefix(1);
      continue;
    }
    if (c == '[') {
      std::size_t consumed = 0;
      const bool ok = ClassMatch(p, s[0], &consumed);
      if (consumed == 0) {
        // Unterminated: a literal '['.
        if (s[0] != '[') return false;
        p.remove_prefix(1);
      } else {
        if (!ok || s[0] == '/') return false;
        p.remove_prefix(consumed);
      }
      s.remove_prefix(1);
      continue;
    }
    char lit = c;
    if (c == '\\' && p.size() > 1) {
      lit = p[1];
      p.remove_prefix(1);
    }
    if (s[0] != lit) return false;
    p.remove_prefix(1);
    s.remove_prefix(1);
  }
  return s.empty();
}

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view path) {
  return Match(pattern, path, 0);
}

void IgnoreRules::AddFile(std::string_view base, std::string_view text) {
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    AddPattern(base, text.substr(pos, nl - pos));
    pos = nl + 1;
  }
}

void IgnoreRules::AddPattern(std::string_view base, std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  // Trailing spaces are dropped unless escaped.
  while (!line.empty() && line.back() == ' ' &&
         !(line.size() >= 2 && line[line.size() - 2] == '\\')) {
    line.remove_suffix(1);
  }
  if (line.empty() || line[0] == '#') return;
  Rule r;
  r.base = std::string(base);
  if (line[0] == '!') {
    r.negated = true;
    line.remove_prefix(1);
  } else if (line.size() >= 2 && line[0] == '\\' &&
             (line[1] == '!' || line[1] == '#')) {
    line.remove_prefix(1);
  }
  if (!line.empty() && line.back() == '/') {
    r.dir_only = true;
    line.remove_suffix(1);
  }
  if (line.empty()) return;
  if (line.find('/') != std::string_view::npos) r.anchored = true;
  if (line[0] == '/') line.remove_prefix(1);
  if (line.empty()) return;
  r.pattern = std::string(line);
  rules_.push_back(std::move(r));
}

IgnoreRules::Verdict IgnoreRules::Check(std::string_view rel_path,
                                        bool is_dir) const {
  for (auto it = rules_.rbegin(); it != rules_.rend(); ++it) {
    const Rule& r = *it;
    if (r.dir_only && !is_dir) continue;
    std::string_view rel = rel_path;
    if (!r.base.empty()) {
      if (rel.size() <= r.base.size() || rel.substr(0, r.base.size()) != r.base ||
          rel[r.base.size()] != '/') {
        continue;
      }
      rel.remove_prefix(r.base.size() + 1);
    }
    bool hit;
    if (r.anchored) {
      hit = GlobMatch(r.pattern, rel);
    } else {
      const std::size_t slash = rel.rfind('/');
      hit = GlobMatch(r.pattern,
                      slash == std::string_view::npos ? rel : rel.substr(slash + 1));
    }
    if (hit) return r.negated ? Verdict::kInclude : Verdict::kIgnore;
  }
  return Verdict::kNone;
}

bool IgnoreRules::ExcludesPath(std::string_view path) const {
  if (rules_.empty()) return false;
  for (std::size_t slash = path.find('/'); slash != std::string_view::npos;
       slash = path.find('/', slash + 1)) {
    if (Check(path.substr(0, slash), true) == Verdict::kIgnore) return true;
  }
  return Check(path, false) == Verdict::kIgnore;
}

bool IsCatchAllPattern(std::string_view line) {
  IgnoreRules one;
  one.AddPattern("", line);
  if (one.empty()) return false;
  static constexpr std::string_view kProbes[] = {
      "sprawl-probe-q7z3", "sprawl-probe-q7z3.k9x", ".sprawl-probe-q7z3",
      "q7z3-dir/sprawl-probe-q7z3.k9x", "q7z3-dir/q8w-dir/sprawl-probe-q7z3"};
  for (std::string_view probe : kProbes) {
    if (one.ExcludesPath(probe)) return true;
  }
  return false;
}

}  // namespace sprawl
