// Terminal escapes from a scanned repository never reach a terminal (issue
// 20 item 4) and a real newline and a typed `\n` in a file name print
// differently (issue 20 item 17): EscapeForDisplay / EscapeControls as a
// table, then the built binary on a repository whose author email carries
// OSC 52, OSC 8, CSI and C1 sequences, in every human format.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "scanner/base/text.h"
#include "tests/test_util.h"

namespace sprawl {
namespace {

using testing::CommandResult;

// The first control byte (C0 but newline, tab and CR; DEL; ESC; a C1 code
// point in UTF-8) in `s`, or -1.
long FirstControl(const std::string& s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if ((c < 0x20 && c != '\n' && c != '\t' && c != '\r') || c == 0x7F) {
      return static_cast<long>(i);
    }
    if (c == 0xC2 && i + 1 < s.size() &&
        static_cast<unsigned char>(s[i + 1]) <= 0x9F) {
      return static_cast<long>(i);
    }
  }
  return -1;
}

// OSC 52 (clipboard write), OSC 8 (hidden link), CSI erase and cursor
// moves, a C1 CSI.
const std::string kHostile =
    "x\x1b]52;c;ZWNobyBwd24K\x07"
    "\x1b]8;;https://evil.test\x1b\\click\x1b]8;;\x1b\\"
    "\x1b[2K\x1b[1A\xc2\x9b"
    "31m@corp.test";

TEST_SUITE("display escape") {
  TEST_CASE("escapes keep control bytes out and tell escapes from text") {
    struct Row {
      std::string in, display, controls;
    };
    const std::vector<Row> rows = {
        {"plain/path.env", "plain/path.env", "plain/path.env"},
        {"a\nb", "a\\nb", "a\\nb"},
        {"a\\nb", "a\\\\nb", "a\\nb"},
        {"\x1b[2K", "\\x1b[2K", "\\x1b[2K"},
        {"\xc2\x9b" "1m", "\\xc2\\x9b1m", "\\xc2\\x9b1m"},
        {"caf\xc3\xa9", "caf\xc3\xa9", "caf\xc3\xa9"},
        {"\xff", "\\xff", "\\xff"},
    };
    for (const Row& r : rows) {
      CAPTURE(r.in);
      CHECK(EscapeForDisplay(r.in) == r.display);
      CHECK(EscapeControls(r.in) == r.controls);
      // Idempotent, so text escaped once may pass through it again.
      CHECK(EscapeControls(r.controls) == r.controls);
    }
    CHECK(EscapeForDisplay("a\nb") != EscapeForDisplay("a\\nb"));
  }

  TEST_CASE(
      "issue 20: an author email with OSC 52, OSC 8 and CSI sequences "
      "reaches no human format and no diagnostic raw") {
    testing::TempDir dir, cache;
    const std::string repo = dir.Sub("repo");
    std::filesystem::create_directories(repo);
    testing::RunGit(repo, {"init", "-q", "."});
    testing::WriteFile(
        repo + "/deploy.env",
        "TOKEN=" + testing::SyntheticGithubToken("ghp_", 2020) +
            "\n");
    // A real newline and a typed backslash-n in two file names.
    testing::WriteFile(repo + "/a\nb.env",
                       "K=" + testing::SyntheticGithubToken("ghp_", 2021) +
                           "\n");
    testing::WriteFile(repo + "/a\\nb.env",
                       "K=" + testing::SyntheticGithubToken("ghp_", 2021) +
                           "\n");
    testing::RunGit(repo, {"add", "-A"});
    testing::RunGit(repo, {"commit", "-q", "-m", "add\x1b[31m"},
                    {{"GIT_AUTHOR_NAME", "Mal\x1b]8;;x\x07lory"},
                     {"GIT_AUTHOR_EMAIL", kHostile}});
    for (const char* format : {"text", "markdown", "github", "junit", "csv"}) {
      CAPTURE(format);
      testing::CommandOptions o;
      o.env = {{"SPRAWL_CACHE_DIR", cache.path()}};
      CommandResult r = testing::RunCommand(
          {SPRAWL_BINARY, "git", repo, "--format", format, "--now",
           "2026-06-01", "--color", "always"},
          o);
      REQUIRE_MESSAGE(r.exit_code == 1, r.err);
      // --color always: the text report's own SGR codes are the only ESC.
      std::string out = r.out;
      for (const char* sgr :
           {"\x1b[0m", "\x1b[1m", "\x1b[31m", "\x1b[33m", "\x1b[32m",
            "\x1b[2m"}) {
        for (std::size_t at = out.find(sgr); at != std::string::npos;
             at = out.find(sgr)) {
          out.erase(at, std::string(sgr).size());
        }
      }
      CHECK_MESSAGE(FirstControl(out) == -1, out);
      CHECK(FirstControl(r.err) == -1);
      if (std::string(format) == "text" || std::string(format) == "markdown") {
        CHECK(r.out.find("52;c;") != std::string::npos);  // shown, defused
      }
    }
    testing::CommandOptions o;
    o.env = {{"SPRAWL_CACHE_DIR", cache.path()}};
    CommandResult j = testing::RunCommand(
        {SPRAWL_BINARY, "git", repo, "--format", "json"}, o);
    const auto report = nlohmann::json::parse(j.out);
    std::vector<std::string> paths;
    for (const auto& c : report.at("credentials")) {
      for (const auto& l : c.at("locations")) paths.push_back(l.at("path"));
    }
    CHECK(std::find(paths.begin(), paths.end(), "a\\nb.env") != paths.end());
    CHECK(std::find(paths.begin(), paths.end(), "a\\\\nb.env") !=
          paths.end());
    for (const char* format : {"text", "csv"}) {
      CommandResult t = testing::RunCommand(
          {SPRAWL_BINARY, "git", repo, "--format", format}, o);
      CHECK(t.out.find("a\\nb.env") != std::string::npos);
      CHECK(t.out.find("a\\\\nb.env") != std::string::npos);
    }
  }
}

}  // namespace
}  // namespace sprawl
