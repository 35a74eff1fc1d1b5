#include "scanner/match/placeholder.h"

#include <array>
#include <string>

#include "scanner/base/text.h"

namespace sprawl {

bool LooksLikePlaceholder(std::string_view secret, std::string_view prefix) {
  std::string_view body = secret;
  if (!prefix.empty() && body.substr(0, prefix.size()) == prefix) {
    body.remove_prefix(prefix.size());
  }
  if (body.empty()) return true;
  const std::string lower = AsciiLower(body);
  static constexpr std::array<std::string_view, 16> kMarkers = {
      "example", "your",   "placeholder", "dummy", "xxxx",       "changeme",
      "redacted", "<",     ">",           "${",    "{{",         "...",
      "***",     "insert", "replace_me",  "notreal"};
  for (std::string_view m : kMarkers) {
    if (lower.find(m) != std::string::npos) return true;
  }
  // Typed-out sequences (0123456789, abcdefgh…) mark a made-up value only
  // when they are most of it: a random key may hold a short run by chance,
  // and a real key is never dropped for one.
  std::size_t sequential = 0;
  for (std::size_t i = 0; i < lower.size();) {
    std::size_t j = i + 1;
    while (j < lower.size() && lower[j] == lower[j - 1] + 1) ++j;
    if (j - i >= 4) sequential += j - i;
    i = j;
  }
  if (lower.size() >= 8 && sequential * 2 >= lower.size()) return true;
  // Obvious filler: a long run of one character, or very few distinct ones.
  // Long blobs (PEM bodies) legitimately contain runs of 'A', so only short
  // tokens are judged by runs.
  if (body.size() <= 128) {
    std::size_t run = 1;
    for (std::size_t i = 1; i < body.size(); ++i) {
      run = body[i] == body[i - 1] ? run + 1 : 1;
      if (run >= 6) return true;
    }
  }
  if (body.size() >= 12) {
    std::array<bool, 256> seen{};
    int distinct = 0;
    for (unsigned char c : body) {
      if (!seen[c]) {
        seen[c] = true;
        ++distinct;
      }
    }
    if (distinct <= 4) return true;
  }
  return false;
}

}  // namespace sprawl
