#include "scanner/scan/utf16_text.h"

#include <algorithm>
#include <cstdint>

namespace sprawl {
namespace {

constexpr std::size_t kSniff = 8000;  // like the binary probe
constexpr std::size_t kMinPairs = 4;  // "ab" alone proves nothing

void AppendUtf8(uint32_t c, std::string* out) {
  if (c < 0x80) {
    out->push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out->push_back(static_cast<char>(0xc0 | (c >> 6)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3f)));
  } else if (c < 0x10000) {
    out->push_back(static_cast<char>(0xe0 | (c >> 12)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3f)));
  } else {
    out->push_back(static_cast<char>(0xf0 | (c >> 18)));
    out->push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3f)));
  }
}

}  // namespace

Utf16Kind SniffUtf16(std::string_view head) {
  if (head.size() >= 2) {
    const auto b0 = static_cast<unsigned char>(head[0]);
    const auto b1 = static_cast<unsigned char>(head[1]);
    if (b0 == 0xff && b1 == 0xfe) return Utf16Kind::kLittleEndian;
    if (b0 == 0xfe && b1 == 0xff) return Utf16Kind::kBigEndian;
  }
  const std::size_t pairs = std::min(head.size(), kSniff) / 2;
  if (pairs < kMinPairs) return Utf16Kind::kNone;
  std::size_t odd_nul = 0, even_nul = 0;
  for (std::size_t i = 0; i < pairs; ++i) {
    even_nul += head[2 * i] == '\0';
    odd_nul += head[2 * i + 1] == '\0';
  }
  // ASCII-range UTF-16LE: the high byte of nearly every unit is zero, the
  // low byte (a character) nearly never.
  if (odd_nul * 10 >= pairs * 7 && even_nul * 50 <= pairs) {
    return Utf16Kind::kLittleEndian;
  }
  return Utf16Kind::kNone;
}

std::string DecodeUtf16(std::string_view data, Utf16Kind kind) {
  const bool le = kind != Utf16Kind::kBigEndian;
  std::size_t i = 0;
  if (data.size() >= 2) {
    const auto b0 = static_cast<unsigned char>(data[0]);
    const auto b1 = static_cast<unsigned char>(data[1]);
    if ((le && b0 == 0xff && b1 == 0xfe) || (!le && b0 == 0xfe && b1 == 0xff)) {
      i = 2;
    }
  }
  auto unit = [&data, le](std::size_t at) -> uint32_t {
    const auto a = static_cast<unsigned char>(data[at]);
    const auto b = static_cast<unsigned char>(data[at + 1]);
    return le ? (uint32_t{b} << 8 | a) : (uint32_t{a} << 8 | b);
  };
  std::string out;
  out.reserve(data.size() / 2 + 16);
  for (; i + 1 < data.size(); i += 2) {
    const uint32_t u = unit(i);
    if (u >= 0xd800 && u < 0xdc00 && i + 3 < data.size()) {
      const uint32_t v = unit(i + 2);
      if (v >= 0xdc00 && v < 0xe000) {
        AppendUtf8(0x10000 + ((u - 0xd800) << 10) + (v - 0xdc00), &out);
        i += 2;
        continue;
      }
    }
    if (u >= 0xd800 && u < 0xe000) {
      AppendUtf8(0xfffd, &out);
    } else {
      AppendUtf8(u, &out);
    }
  }
  return out;
}

}  // namespace sprawl
