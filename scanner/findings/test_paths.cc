#include "scanner/findings/test_paths.h"

#include <algorithm>
#include <array>

#include "scanner/base/text.h"

namespace sprawl {
namespace {

// "t" is the test directory of Perl distributions and of git itself.
constexpr std::array<std::string_view, 19> kTestDirectories = {
    "t",       "test",    "tests",     "testing",    "testdata", "spec",
    "specs",   "__tests__", "fixture",    "fixtures", "__fixtures__",
    "example", "examples",  "sample",     "samples",  "mock",
    "mocks",   "__mocks__", "dummyserver"};

constexpr std::array<std::string_view, 4> kTestPrefixes = {"test_", "test-",
                                                           "tests_", "tests-"};
constexpr std::array<std::string_view, 4> kTestSuffixes = {"_test", "-test",
                                                           "_tests", "-tests"};

bool IsTestDirectoryName(std::string_view name) {
  const std::string lower = AsciiLower(name);
  const std::string_view n = lower;
  if (std::find(kTestDirectories.begin(), kTestDirectories.end(), n) !=
      kTestDirectories.end()) {
    return true;
  }
  for (std::string_view p : kTestPrefixes) {
    if (n.size() > p.size() && n.substr(0, p.size()) == p) return true;
  }
  for (std::string_view s : kTestSuffixes) {
    if (n.size() > s.size() && n.substr(n.size() - s.size()) == s) return true;
  }
  return false;
}

}  // namespace

std::string TestDirectoryOf(std::string_view path) {
  std::size_t begin = 0;
  for (;;) {
    const std::size_t sep = path.find_first_of("/\\", begin);
    if (sep == std::string_view::npos) return "";  // the file name
    const std::string_view component = path.substr(begin, sep - begin);
    if (IsTestDirectoryName(component)) return std::string(component);
    begin = sep + 1;
  }
}

namespace {

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() > suffix.size() &&
         s.substr(s.size() - suffix.size()) == suffix;
}
bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.size() > prefix.size() && s.substr(0, prefix.size()) == prefix;
}

}  // namespace

bool IsTestFileName(std::string_view path) {
  const std::size_t slash = path.find_last_of("/\\");
  const std::string_view name =
      slash == std::string_view::npos ? path : path.substr(slash + 1);
  const std::size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return false;
  const std::string_view stem = name.substr(0, dot);
  const std::string ext = AsciiLower(name.substr(dot + 1));
  if (ext == "example" || ext == "sample" || ext == "template") return true;
  if (name == "conftest.py") return true;
  static constexpr std::array<std::string_view, 10> kScript = {
      "js", "jsx", "ts", "tsx", "mjs", "cjs", "mts", "cts", "vue", "svelte"};
  if (std::find(kScript.begin(), kScript.end(), ext) != kScript.end()) {
    return EndsWith(stem, ".spec") || EndsWith(stem, ".test") ||
           EndsWith(stem, ".e2e") || EndsWith(stem, "_test") ||
           EndsWith(stem, "_spec");
  }
  if (ext == "go") return EndsWith(stem, "_test");
  if (ext == "py") {
    return StartsWith(stem, "test_") || EndsWith(stem, "_test") ||
           EndsWith(stem, "_tests");
  }
  if (ext == "rb") return EndsWith(stem, "_spec") || EndsWith(stem, "_test");
  static constexpr std::array<std::string_view, 7> kClassy = {
      "java", "kt", "kts", "scala", "cs", "php", "swift"};
  if (std::find(kClassy.begin(), kClassy.end(), ext) != kClassy.end()) {
    return EndsWith(stem, "Test") || EndsWith(stem, "Tests") ||
           EndsWith(stem, "Spec") || EndsWith(stem, "IT") ||
           EndsWith(stem, "_test") || StartsWith(stem, "Test");
  }
  static constexpr std::array<std::string_view, 6> kNative = {
      "c", "cc", "cpp", "cxx", "rs", "exs"};
  if (std::find(kNative.begin(), kNative.end(), ext) != kNative.end()) {
    return EndsWith(stem, "_test") || EndsWith(stem, "_tests") ||
           StartsWith(stem, "test_");
  }
  return false;
}

std::string TestLocationOf(std::string_view path) {
  std::string dir = TestDirectoryOf(path);
  if (!dir.empty()) return dir + "/";
  if (!IsTestFileName(path)) return "";
  const std::size_t slash = path.find_last_of("/\\");
  return std::string(slash == std::string_view::npos ? path
                                                     : path.substr(slash + 1));
}

void LowerConfidenceOfTestOnlyCredentials(Report* report) {
  for (ReportedCredential& c : report->credentials) {
    if (c.confidence == "low" || c.locations.empty()) continue;
    const std::string first = TestLocationOf(c.locations.front().path);
    const bool all = std::all_of(
        c.locations.begin(), c.locations.end(),
        [](const Location& l) { return !TestLocationOf(l.path).empty(); });
    if (!all) continue;
    const bool dirs_only = std::all_of(
        c.locations.begin(), c.locations.end(),
        [](const Location& l) { return !TestDirectoryOf(l.path).empty(); });
    c.confidence_reason =
        "lowered from " + c.confidence +
        (dirs_only ? ": every location is under a test, fixture or example "
                     "directory ("
                   : ": every location is in a test, fixture or example "
                     "directory or file (") +
        EscapeForDisplay(first) + ")";
    c.confidence = "low";
  }
}

}  // namespace sprawl
