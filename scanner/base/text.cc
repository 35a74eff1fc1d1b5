#include "scanner/base/text.h"

#include <array>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace sprawl {

bool IsValidUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  std::size_t n = s.size();
  std::size_t i = 0;
  while (i < n) {
    unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    int extra;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      extra = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    for (int k = 1; k <= extra; ++k) {
      if (i + k >= n || (p[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) ||
        (extra == 3 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += extra + 1;
  }
  return true;
}

namespace {

// Shared by EscapeForDisplay (`backslash`: `\` becomes `\\`, so an escape
// and the same characters typed literally stay apart) and EscapeControls.
std::string Escape(std::string_view s, bool backslash) {
  static const char kHex[] = "0123456789abcdef";
  auto hex = [](std::string* out, unsigned char c) {
    *out += "\\x";
    *out += kHex[c >> 4];
    *out += kHex[c & 15];
  };
  std::string out;
  out.reserve(s.size() + 8);
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c == '\n') {
      out += "\\n";
      ++i;
    } else if (c == '\t') {
      out += "\\t";
      ++i;
    } else if (c == '\\' && backslash) {
      out += "\\\\";
      ++i;
    } else if (c < 0x20 || c == 0x7F) {
      hex(&out, c);
      ++i;
    } else if (c < 0x80) {
      out += static_cast<char>(c);
      ++i;
    } else {
      // Copy a whole valid sequence, or escape one byte. C1 controls
      // (U+0080-U+009F: a terminal may take U+009B as CSI) are escaped.
      std::size_t len = (c & 0xE0) == 0xC0   ? 2
                        : (c & 0xF0) == 0xE0 ? 3
                        : (c & 0xF8) == 0xF0 ? 4
                                             : 0;
      const bool c1 = c == 0xC2 && i + 1 < s.size() &&
                      static_cast<unsigned char>(s[i + 1]) <= 0x9F;
      if (len != 0 && !c1 && i + len <= s.size() &&
          IsValidUtf8(s.substr(i, len))) {
        out.append(s.substr(i, len));
        i += len;
      } else if (c1) {
        hex(&out, c);
        hex(&out, static_cast<unsigned char>(s[i + 1]));
        i += 2;
      } else {
        hex(&out, c);
        ++i;
      }
    }
  }
  return out;
}

bool NeedsEscape(std::string_view s, bool backslash) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7F || (backslash && c == '\\')) return true;
    if (c == 0xC2 && i + 1 < s.size() &&
        static_cast<unsigned char>(s[i + 1]) <= 0x9F) {
      return true;
    }
  }
  return !IsValidUtf8(s);
}

}  // namespace

std::string EscapeForDisplay(std::string_view s) {
  if (!NeedsEscape(s, true)) return std::string(s);
  return Escape(s, true);
}

std::string EscapeControls(std::string_view s) {
  if (!NeedsEscape(s, false)) return std::string(s);
  return Escape(s, false);
}

double ShannonEntropy(std::string_view s) {
  if (s.empty()) return 0.0;
  std::array<uint32_t, 256> counts{};
  for (unsigned char c : s) ++counts[c];
  double h = 0.0;
  const double n = static_cast<double>(s.size());
  for (uint32_t c : counts) {
    if (c == 0) continue;
    double p = c / n;
    h -= p * std::log2(p);
  }
  return h;
}

std::size_t CountNewlines(const char* data, std::size_t n) {
  std::size_t count = 0;
  const char* end = data + n;
  while (data < end) {
    const void* hit = std::memchr(data, '\n', static_cast<std::size_t>(end - data));
    if (hit == nullptr) break;
    ++count;
    data = static_cast<const char*>(hit) + 1;
  }
  return count;
}

std::string HumanBytes(uint64_t n) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(n);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
  return buf;
}

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' ||
                        s.front() == '\r' || s.front() == '\n')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' ||
                        s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace sprawl
