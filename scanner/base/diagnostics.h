// Diagnostics: where a scan reports problems that do not stop it (unreadable
// file, corrupt object, skipped binary). Thread-safe: workers call Report
// concurrently. Messages are written to the sink as they arrive and counted;
// they must never contain secret bytes, only paths and descriptions.
#pragma once

#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace sprawl {

enum class Severity { kNote, kWarning, kError };

class Diagnostics {
 public:
  // `sink` receives one line per diagnostic; nullptr records without printing
  // (tests). `print_notes` also prints kNote diagnostics (--verbose).
  explicit Diagnostics(std::FILE* sink = stderr, bool print_notes = false)
      : sink_(sink), print_notes_(print_notes) {}

  // `where` is a path or object name (may be empty); `what` the problem.
  void Report(Severity severity, std::string_view where, std::string_view what);
  void Warn(std::string_view where, std::string_view what) {
    Report(Severity::kWarning, where, what);
  }
  void Note(std::string_view where, std::string_view what) {
    Report(Severity::kNote, where, what);
  }

  int warnings() const;
  int errors() const;
  // Every diagnostic line recorded so far, in arrival order (tests).
  std::string Text() const;

 private:
  mutable std::mutex mu_;
  std::FILE* sink_;
  bool print_notes_;
  int warnings_ = 0;
  int errors_ = 0;
  std::string text_;
};

}  // namespace sprawl
