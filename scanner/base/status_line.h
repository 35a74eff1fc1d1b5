// StatusLine: the one transient line (the progress line) at the bottom of
// stderr, and the lock every diagnostic written to stderr goes through, so a
// warning is never printed over the progress line: the line is erased, the
// warning written, and the line drawn again below it. One per process (the
// terminal is one); thread-safe.
#pragma once

#include <mutex>
#include <string>
#include <string_view>

namespace sprawl {

class StatusLine {
 public:
  // The status line of stderr.
  static StatusLine& Stderr();

  // Draws `line` as the status line (replacing the one shown).
  void Show(std::string_view line);
  // Erases the status line, if one is shown.
  void Clear();
  // Writes `text` (whole lines) to stderr above the status line.
  void Print(std::string_view text);

 private:
  StatusLine() = default;
  std::mutex mu_;
  std::string shown_;  // "" = none shown
};

}  // namespace sprawl
