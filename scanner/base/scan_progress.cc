#include "scanner/base/scan_progress.h"

#include <cmath>
#include <cstdio>

namespace sprawl {
namespace {

// 1234567 -> "1,234,567".
std::string Grouped(uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i != 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

// Seconds as m:ss, or h:mm:ss from an hour.
std::string Clock(double seconds) {
  const auto s = static_cast<uint64_t>(std::llround(std::max(0.0, seconds)));
  char buf[32];
  if (s >= 3600) {
    std::snprintf(buf, sizeof buf, "%llu:%02llu:%02llu",
                  static_cast<unsigned long long>(s / 3600),
                  static_cast<unsigned long long>(s / 60 % 60),
                  static_cast<unsigned long long>(s % 60));
  } else {
    std::snprintf(buf, sizeof buf, "%llu:%02llu",
                  static_cast<unsigned long long>(s / 60),
                  static_cast<unsigned long long>(s % 60));
  }
  return buf;
}

}  // namespace

std::string FormatProgress(const ScanProgress& progress, double seconds) {
  const uint64_t items = progress.items.load(std::memory_order_relaxed);
  const uint64_t total = progress.total_items.load(std::memory_order_relaxed);
  const bool known = progress.total_known.load(std::memory_order_relaxed);
  const uint64_t bytes = progress.bytes.load(std::memory_order_relaxed);
  std::string line = Grouped(items);
  if (known && total > 0) {
    const double fraction =
        std::min(1.0, static_cast<double>(items) / static_cast<double>(total));
    char pct[16];
    std::snprintf(pct, sizeof pct, " (%.0f%%)", fraction * 100.0);
    line.append("/").append(Grouped(total)).append(" ");
    line.append(progress.unit.load(std::memory_order_relaxed)).append(pct);
  } else {
    line.append(" ").append(progress.unit.load(std::memory_order_relaxed));
  }
  if (bytes > 0) {
    const double mib = static_cast<double>(bytes) / 1048576.0;
    char buf[64];
    std::snprintf(buf, sizeof buf, ", %.1f MiB, %.1f MiB/s", mib,
                  seconds > 0 ? mib / seconds : 0.0);
    line += buf;
  }
  if (known && total > 0 && items > 0 && items < total && seconds > 0) {
    const double rate = static_cast<double>(items) / seconds;
    line.append(", ETA ").append(
        Clock(static_cast<double>(total - items) / rate));
  }
  return line;
}

}  // namespace sprawl
