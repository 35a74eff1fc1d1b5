// The progress line: counts, percentages, rates and the ETA.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "scanner/base/diagnostics.h"
#include "scanner/base/status_line.h"
#include "scanner/base/scan_progress.h"
#include "tests/test_util.h"

namespace sprawl {
namespace {

TEST_SUITE("progress") {
  TEST_CASE(
      "issue 16: a warning is printed above the progress line, never over "
      "it, and the line is drawn again below it") {
    testing::TempDir dir;
    const std::string file = dir.Sub("stderr.txt");
    std::fflush(stderr);
    const int saved = ::dup(STDERR_FILENO);
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    REQUIRE(fd >= 0);
    ::dup2(fd, STDERR_FILENO);
    ::close(fd);
    StatusLine::Stderr().Show("sprawl: 1/2 blobs (50%)");
    Diagnostics d(stderr);
    d.Warn("a.yml", "malformed YAML");
    StatusLine::Stderr().Clear();
    d.Warn("b.yml", "after");
    std::fflush(stderr);
    ::dup2(saved, STDERR_FILENO);
    ::close(saved);
    CHECK(testing::ReadFile(file) ==
          "\r\x1b[Ksprawl: 1/2 blobs (50%)"
          "\r\x1b[Ksprawl: warning: a.yml: malformed YAML\n"
          "sprawl: 1/2 blobs (50%)"
          "\r\x1b[K"
          "sprawl: warning: b.yml: after\n");
  }

  TEST_CASE("an unknown total shows counts and rate, no ETA") {
    ScanProgress p;
    p.Add(1234, 3 * 1048576);
    CHECK(FormatProgress(p, 2.0) == "1,234 files, 3.0 MiB, 1.5 MiB/s");
    p.total_items = 5000;  // discovered so far, not final
    CHECK(FormatProgress(p, 2.0) == "1,234 files, 3.0 MiB, 1.5 MiB/s");
  }

  TEST_CASE("a known total gives a percentage and an ETA") {
    ScanProgress p;
    p.BeginPhase("blobs", 40000, true);
    p.Add(10000, 100 * 1048576);
    CHECK(FormatProgress(p, 10.0) ==
          "10,000/40,000 blobs (25%), 100.0 MiB, 10.0 MiB/s, ETA 0:30");
    p.Add(30000, 0);
    CHECK(FormatProgress(p, 40.0) ==
          "40,000/40,000 blobs (100%), 100.0 MiB, 2.5 MiB/s");
  }

  TEST_CASE("phases without content show no MiB; long ETAs show hours") {
    ScanProgress p;
    p.BeginPhase("commits indexed", 1000000, true);
    p.Add(100, 0);
    CHECK(FormatProgress(p, 4.0) ==
          "100/1,000,000 commits indexed (0%), ETA 11:06:36");
    const uint32_t before = p.phase.load();
    p.BeginPhase("blobs", 10, true);
    CHECK(p.phase.load() == before + 1);
    CHECK(p.items.load() == 0);
  }
}

}  // namespace
}  // namespace sprawl
