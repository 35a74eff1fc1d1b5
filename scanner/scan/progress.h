// ScanProgress: counters workers bump as they go, read by a progress printer
// on another thread. Relaxed atomics: approximate by design.
#pragma once

#include <atomic>
#include <cstdint>

namespace sprawl {

struct ScanProgress {
  std::atomic<uint64_t> items{0};  // files or blobs done
  std::atomic<uint64_t> bytes{0};
  std::atomic<uint64_t> total_items{0};  // 0 when unknown
};

}  // namespace sprawl
