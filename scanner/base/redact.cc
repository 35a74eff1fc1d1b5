#include "scanner/base/redact.h"

#include <algorithm>

#include "scanner/base/text.h"

namespace sprawl {

std::string RedactSecret(std::string_view secret, std::string_view prefix) {
  const std::size_t n = secret.size();
  if (n < 16) return "[" + std::to_string(n) + " chars]";
  // Multi-line secrets (PEM blocks) show their first line only as prefix.
  if (prefix.empty() || secret.substr(0, prefix.size()) != prefix) {
    prefix = {};
  }
  const std::size_t budget = n / 4;
  const std::size_t tail = std::min<std::size_t>(4, budget);
  const std::size_t head = std::min(prefix.size(), budget - tail);
  std::string out(secret.substr(0, head));
  out += "\xE2\x80\xA6";  // U+2026 HORIZONTAL ELLIPSIS
  std::string_view last = secret.substr(n - tail);
  // A tail crossing a line break or a non-printable byte is not shown.
  bool printable = std::all_of(last.begin(), last.end(), [](char c) {
    return c > 0x20 && c < 0x7F;
  });
  if (printable) {
    out += last;
  }
  out += " (" + std::to_string(n) + " chars)";
  return EscapeForDisplay(out);
}

}  // namespace sprawl
