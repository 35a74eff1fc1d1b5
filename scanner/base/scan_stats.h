// ScanStats: what a scan looked at and what it skipped, so "nothing found"
// is never confused with "nothing scanned". Each worker fills its own copy;
// they are summed at the end (deterministic for any thread count).
#pragma once

#include <cstdint>

namespace sprawl {

struct ScanStats {
  uint64_t files_scanned = 0;   // files or blobs whose content was matched
  uint64_t bytes_scanned = 0;
  uint64_t skipped_binary = 0;
  uint64_t skipped_too_large = 0;
  uint64_t skipped_unreadable = 0;
  uint64_t skipped_ignored = 0;  // .gitignore / .sprawlignore / config
  uint64_t skipped_other = 0;    // symlinks, devices, FIFOs, sockets
  uint64_t timed_out = 0;        // matching stopped at --scan-timeout
  uint64_t commits = 0;          // git sources only
  bool interrupted = false;      // stopped early by a signal

  ScanStats& operator+=(const ScanStats& o) {
    files_scanned += o.files_scanned;
    bytes_scanned += o.bytes_scanned;
    skipped_binary += o.skipped_binary;
    skipped_too_large += o.skipped_too_large;
    skipped_unreadable += o.skipped_unreadable;
    skipped_ignored += o.skipped_ignored;
    skipped_other += o.skipped_other;
    timed_out += o.timed_out;
    commits += o.commits;
    interrupted = interrupted || o.interrupted;
    return *this;
  }
};

}  // namespace sprawl
