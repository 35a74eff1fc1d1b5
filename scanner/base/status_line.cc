#include "scanner/base/status_line.h"

#include <cstdio>

namespace sprawl {

StatusLine& StatusLine::Stderr() {
  static StatusLine line;
  return line;
}

void StatusLine::Show(std::string_view line) {
  std::lock_guard<std::mutex> lock(mu_);
  shown_.assign(line);
  std::fputs("\r\x1b[K", stderr);
  std::fwrite(shown_.data(), 1, shown_.size(), stderr);
  std::fflush(stderr);
}

void StatusLine::Clear() {
  std::lock_guard<std::mutex> lock(mu_);
  if (shown_.empty()) return;
  std::fputs("\r\x1b[K", stderr);
  std::fflush(stderr);
  shown_.clear();
}

void StatusLine::Print(std::string_view text) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!shown_.empty()) std::fputs("\r\x1b[K", stderr);
  std::fwrite(text.data(), 1, text.size(), stderr);
  if (!shown_.empty()) std::fwrite(shown_.data(), 1, shown_.size(), stderr);
  std::fflush(stderr);
}

}  // namespace sprawl
