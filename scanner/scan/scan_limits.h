// ScanLimits: the resource limits a scan applies to each file or blob besides
// its size limit (--scan-timeout, --max-yaml-size, limits: in the config).
// Hitting one is a diagnostic and a counted skip, never a silent one.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace sprawl {

struct ScanLimits {
  // Seconds one file or blob may take to match; the scan of it stops there
  // and keeps what it found. 0 = no limit.
  double scan_timeout = 60.0;
  // Pipeline files larger than this are scanned as text but not parsed.
  uint64_t max_yaml_size = 5u << 20;
};

// The diagnostic for content whose matching stopped at the time limit.
inline std::string ScanTimeoutMessage(double seconds) {
  char limit[32];
  std::snprintf(limit, sizeof limit, "%g", seconds);
  return std::string("matching stopped at the scan time limit of ") + limit +
         " s (--scan-timeout); findings before that point are reported, "
         "the rest of this content was not matched";
}

}  // namespace sprawl
