#include "scanner/findings/test_paths.h"

#include <algorithm>
#include <array>

#include "scanner/base/text.h"

namespace sprawl {
namespace {

constexpr std::array<std::string_view, 18> kTestDirectories = {
    "test",    "tests",     "testing",    "testdata", "spec",
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

void LowerConfidenceOfTestOnlyCredentials(Report* report) {
  for (ReportedCredential& c : report->credentials) {
    if (c.confidence == "low" || c.locations.empty()) continue;
    const std::string first = TestDirectoryOf(c.locations.front().path);
    const bool all = std::all_of(
        c.locations.begin(), c.locations.end(),
        [](const Location& l) { return !TestDirectoryOf(l.path).empty(); });
    if (!all) continue;
    c.confidence_reason = "lowered from " + c.confidence +
                          ": every location is under a test, fixture or "
                          "example directory (" +
                          EscapeForDisplay(first) + "/)";
    c.confidence = "low";
  }
}

}  // namespace sprawl
