// Gitignore-style globs and ignore files: the patterns users write in
// .gitignore, .sprawlignore, --exclude and allowed_paths behave as git does.
#include "scanner/base/glob.h"

#include <doctest/doctest.h>

#include <string>

namespace sprawl {
namespace {

using Verdict = IgnoreRules::Verdict;

const char* Name(Verdict v) {
  switch (v) {
    case Verdict::kNone:
      return "none";
    case Verdict::kIgnore:
      return "ignore";
    case Verdict::kInclude:
      return "include";
  }
  return "?";
}

TEST_SUITE("glob") {
  TEST_CASE(
      "GlobMatch matches whole paths with *, ?, **, classes and "
      "escapes") {
    struct Row {
      const char* pattern;
      const char* path;
      bool match;
    };
    const Row rows[] = {
        {"*.log", "app.log", true},
        {"*.log", "app.log.1", false},
        {"*.log", "logs/app.log", false},  // '*' stops at '/'
        {"?.txt", "a.txt", true},
        {"?.txt", "ab.txt", false},
        {"?", "/", false},
        {"docs/**/*.md", "docs/a.md", true},
        {"docs/**/*.md", "docs/x/y/a.md", true},
        {"docs/**/*.md", "docs/x/a.txt", false},
        {"docs/**/*.md", "other/docs/a.md", false},
        {"**/foo", "foo", true},
        {"**/foo", "a/b/foo", true},
        {"**/foo", "a/b/foox", false},
        {"a/**/b", "a/b", true},
        {"a/**/b", "a/x/y/b", true},
        {"a/**/b", "a/xb", false},
        {"a/**", "a/x/y", true},
        {"[a-c]at", "bat", true},
        {"[a-c]at", "dat", false},
        {"[!a-c]at", "dat", true},
        {"[!a-c]at", "cat", false},
        {"foo\\*", "foo*", true},
        {"foo\\*", "foobar", false},
        {"\\#notes", "#notes", true},
        {"\\?x", "?x", true},
        {"\\?x", "ax", false},
        {"tests/fixtures/**", "tests/fixtures/keys/a.env", true},
        {"tests/fixtures/**", "tests/fixture/a.env", false},
    };
    for (const Row& row : rows) {
      INFO(row.pattern);
      INFO(row.path);
      CHECK(GlobMatch(row.pattern, row.path) == row.match);
    }
  }

  TEST_CASE(
      "ignore files give the last matching rule's verdict, with "
      "negation, anchoring and directory-only patterns") {
    struct Row {
      const char* name;
      const char* file;  // .gitignore text at the root
      const char* path;
      bool is_dir;
      Verdict expected;
    };
    const Row rows[] = {
        {"extension at the root", "*.log\n", "debug.log", false,
         Verdict::kIgnore},
        {"extension at any depth", "*.log\n", "a/b/debug.log", false,
         Verdict::kIgnore},
        {"other extension", "*.log\n", "debug.txt", false, Verdict::kNone},
        {"leading slash anchors to the root", "/build\n", "build", true,
         Verdict::kIgnore},
        {"leading slash does not match deeper", "/build\n", "src/build", true,
         Verdict::kNone},
        {"bare name matches at any depth", "build\n", "src/build", true,
         Verdict::kIgnore},
        {"middle slash anchors", "docs/**/*.md\n", "docs/a/b.md", false,
         Verdict::kIgnore},
        {"middle slash does not float", "docs/**/*.md\n", "x/docs/b.md", false,
         Verdict::kNone},
        {"negation re-includes", "*.log\n!keep.log\n", "keep.log", false,
         Verdict::kInclude},
        {"negation leaves others ignored", "*.log\n!keep.log\n", "drop.log",
         false, Verdict::kIgnore},
        {"last rule wins", "!keep.log\n*.log\n", "keep.log", false,
         Verdict::kIgnore},
        {"trailing slash matches a directory", "dir/\n", "dir", true,
         Verdict::kIgnore},
        {"trailing slash skips a file", "dir/\n", "dir", false, Verdict::kNone},
        {"double star prefix", "**/foo\n", "a/b/foo", false, Verdict::kIgnore},
        {"double star in the middle", "a/**/b\n", "a/x/y/b", false,
         Verdict::kIgnore},
        {"comment lines are ignored", "# *.log\n", "debug.log", false,
         Verdict::kNone},
        {"escaped hash is a literal", "\\#secret\n", "#secret", false,
         Verdict::kIgnore},
        {"escaped bang is a literal", "\\!important\n", "!important", false,
         Verdict::kIgnore},
        {"blank lines are ignored", "\n\n*.tmp\n\n", "a.tmp", false,
         Verdict::kIgnore},
        {"CRLF line endings", "*.log\r\n", "debug.log", false,
         Verdict::kIgnore},
    };
    for (const Row& row : rows) {
      INFO(row.name);
      IgnoreRules rules;
      rules.AddFile("", row.file);
      const Verdict got = rules.Check(row.path, row.is_dir);
      CHECK_MESSAGE(got == row.expected,
                    "got " << Name(got) << ", expected " << Name(row.expected));
    }
  }

  TEST_CASE("an ignore file in a subdirectory applies only below it") {
    struct Row {
      const char* path;
      bool is_dir;
      Verdict expected;
    };
    const Row rows[] = {
        {"sub/out", true, Verdict::kIgnore},
        {"out", true, Verdict::kNone},
        {"other/out", true, Verdict::kNone},
        {"sub/a.key", false, Verdict::kIgnore},
        {"sub/deep/a.key", false, Verdict::kIgnore},
        {"a.key", false, Verdict::kNone},
    };
    IgnoreRules rules;
    rules.AddFile("sub", "/out\n*.key\n");
    for (const Row& row : rows) {
      INFO(row.path);
      const Verdict got = rules.Check(row.path, row.is_dir);
      CHECK_MESSAGE(got == row.expected,
                    "got " << Name(got) << ", expected " << Name(row.expected));
    }
  }
}

}  // namespace
}  // namespace sprawl
