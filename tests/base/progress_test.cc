// The progress line: counts, percentages, rates and the ETA.
#include <doctest/doctest.h>

#include "scanner/base/scan_progress.h"

namespace sprawl {
namespace {

TEST_SUITE("progress") {
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
