// Gitignore-style globs: `*` and `?` stop at '/', `**` crosses directories,
// `[a-z]`/`[!x]` classes, `\` escapes. IgnoreRules evaluates a stack of
// .gitignore-format files (last match wins, `!` re-includes, trailing `/`
// matches directories only, a '/' elsewhere anchors to the file's directory).
// Immutable after loading; thread-safe to query.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sprawl {

// Whole-string match of `path` against `pattern`.
bool GlobMatch(std::string_view pattern, std::string_view path);

// True when the gitignore-style `line` would exclude any file anywhere
// (`*`, `**`, `/`, `*.*`, `**/*`...): judged on probe paths no real tree
// names on purpose. Repository-supplied exclusions of this kind switch a
// gate off, so they are dropped (docs/gate.md).
bool IsCatchAllPattern(std::string_view line);

class IgnoreRules {
 public:
  // Adds the lines of a .gitignore-format file located in directory `base`
  // (relative to the scan root, "" for the root itself).
  void AddFile(std::string_view base, std::string_view text);
  // Adds one pattern, as if it were a line of a file in `base`.
  void AddPattern(std::string_view base, std::string_view line);

  // kNone: no rule matched; kIgnore / kInclude: the last matching rule.
  enum class Verdict { kNone, kIgnore, kInclude };
  Verdict Check(std::string_view rel_path, bool is_dir) const;
  // True when `path` (a file path relative to the root, as a history or the
  // index names it) is excluded the way a directory walk would exclude it:
  // an ignored ancestor directory excludes everything below it (as in git,
  // nothing below can be re-included), else the file's own verdict.
  bool ExcludesPath(std::string_view path) const;
  bool empty() const { return rules_.empty(); }

 private:
  struct Rule {
    std::string base;     // directory of the defining file, "" = root
    std::string pattern;  // without '!', leading '/', trailing '/'
    bool negated = false;
    bool dir_only = false;
    bool anchored = false;  // matched against the path relative to base
  };
  std::vector<Rule> rules_;
};

}  // namespace sprawl
