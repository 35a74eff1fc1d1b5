// ScanProgress: counters workers bump as they go, read by a progress printer
// on another thread. Relaxed atomics: approximate by design. A scan runs in
// phases (a git scan indexes commits, then reads blobs); each phase counts
// its own items, against a total when one is known.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace sprawl {

struct ScanProgress {
  std::atomic<const char*> unit{"files"};  // what items count
  std::atomic<uint64_t> items{0};          // done in this phase
  std::atomic<uint64_t> bytes{0};          // content read in this phase
  std::atomic<uint64_t> total_items{0};    // known or discovered so far
  std::atomic<bool> total_known{false};    // total_items is final
  std::atomic<uint32_t> phase{0};          // bumped by BeginPhase

  // Starts a phase counting `unit` (a string literal) against `total`
  // (0 and known = false when not known yet).
  void BeginPhase(const char* phase_unit, uint64_t total, bool known) {
    items.store(0, std::memory_order_relaxed);
    bytes.store(0, std::memory_order_relaxed);
    total_items.store(total, std::memory_order_relaxed);
    total_known.store(known, std::memory_order_relaxed);
    unit.store(phase_unit, std::memory_order_relaxed);
    phase.fetch_add(1, std::memory_order_release);
  }
  void Add(uint64_t n_items, uint64_t n_bytes) {
    items.fetch_add(n_items, std::memory_order_relaxed);
    if (n_bytes != 0) bytes.fetch_add(n_bytes, std::memory_order_relaxed);
  }
};

// One progress line (no newline) for `progress` after `seconds` in the
// current phase: "12,000/40,000 blobs (30%), 512.0 MiB, 85.3 MiB/s, ETA
// 0:42". The ETA needs a known total and some progress; MiB appear only
// when the phase reads content.
std::string FormatProgress(const ScanProgress& progress, double seconds);

}  // namespace sprawl
