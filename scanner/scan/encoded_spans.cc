#include "scanner/scan/encoded_spans.h"

#include <algorithm>
#include <array>

namespace sprawl {
namespace {

int Base64Value(unsigned char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

bool IsBase64Char(char c) {
  return Base64Value(static_cast<unsigned char>(c)) >= 0 || c == '=';
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Case-insensitive: does `text` have `word` ending at `pos`?
bool EndsWithNoCase(std::string_view text, std::size_t pos,
                    std::string_view word) {
  if (pos < word.size()) return false;
  for (std::size_t i = 0; i < word.size(); ++i) {
    char a = text[pos - word.size() + i];
    if (a >= 'A' && a <= 'Z') a = static_cast<char>(a - 'A' + 'a');
    if (a != word[i]) return false;
  }
  return true;
}

std::size_t LineStart(std::string_view text, std::size_t pos) {
  const std::size_t nl = text.rfind('\n', pos == 0 ? 0 : pos - 1);
  return nl == std::string_view::npos || pos == 0 ? 0 : nl + 1;
}

// The context that makes a base64 run at `pos` (the first encoded byte)
// worth decoding: a Basic scheme, a docker `auth` value, or a mapping value
// in a document that declares a Kubernetes Secret.
bool Base64Context(std::string_view text, std::size_t pos, bool k8s_secret) {
  std::size_t p = pos;
  while (p > 0 && (text[p - 1] == '"' || text[p - 1] == '\'')) --p;
  while (p > 0 && (text[p - 1] == ' ' || text[p - 1] == '\t')) --p;
  if (EndsWithNoCase(text, p, "basic")) return true;
  if (p == 0 || text[p - 1] != ':') return false;
  std::size_t k = p - 1;
  while (k > 0 && (text[k - 1] == '"' || text[k - 1] == '\'' ||
                   text[k - 1] == ' ')) {
    --k;
  }
  if (EndsWithNoCase(text, k, "auth")) return true;  // docker config.json
  return k8s_secret;
}

}  // namespace

bool DecodeBase64(std::string_view in, std::string* out) {
  out->clear();
  while (!in.empty() && in.back() == '=') in.remove_suffix(1);
  if (in.size() % 4 == 1) return false;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    const int v = Base64Value(static_cast<unsigned char>(c));
    if (v < 0) return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return !out->empty();
}

bool DecodePercent(std::string_view in, std::string* out) {
  out->clear();
  bool any = false;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%' && i + 2 < in.size()) {
      const int hi = HexValue(in[i + 1]);
      const int lo = HexValue(in[i + 2]);
      if (hi >= 0 && lo >= 0) {
        const int v = hi * 16 + lo;
        // A control character is not URL-encoded text (printf's %08x).
        if (v < 0x20 || v == 0x7F) return false;
        out->push_back(static_cast<char>(v));
        i += 2;
        any = true;
        continue;
      }
    }
    out->push_back(in[i]);
  }
  return any;
}

bool LooksLikeText(std::string_view bytes) {
  if (bytes.empty()) return false;
  std::size_t printable = 0;
  for (unsigned char c : bytes) {
    if (c == 0) return false;
    if ((c >= 0x20 && c < 0x7F) || c == '\n' || c == '\r' || c == '\t') {
      ++printable;
    }
  }
  return printable * 10 >= bytes.size() * 9;
}

std::vector<EncodedSpan> FindEncodedSpans(std::string_view text) {
  std::vector<EncodedSpan> spans;
  const bool k8s_secret = text.find("kind: Secret") != std::string_view::npos ||
                          text.find("\"kind\": \"Secret\"") !=
                              std::string_view::npos;
  std::string decoded;
  std::size_t i = 0;
  while (i < text.size() && spans.size() < kMaxSpans) {
    const char c = text[i];
    // Percent-encoding: a run of URL characters holding escapes.
    if (c == '%' && i + 2 < text.size() && HexValue(text[i + 1]) >= 0 &&
        HexValue(text[i + 2]) >= 0) {
      std::size_t b = i;
      while (b > 0 && b > i - std::min<std::size_t>(i, kMaxEncodedSpan) &&
             text[b - 1] > ' ' && text[b - 1] != '"' && text[b - 1] != '\'' &&
             text[b - 1] != '&' && text[b - 1] != '?' && text[b - 1] != '<' &&
             text[b - 1] != '=') {
        --b;
      }
      std::size_t e = i;
      while (e < text.size() && e - b < kMaxEncodedSpan && text[e] > ' ' &&
             text[e] != '"' && text[e] != '\'' && text[e] != '&' &&
             text[e] != '<') {
        ++e;
      }
      if (e - b >= kMinEncodedSpan && DecodePercent(text.substr(b, e - b),
                                                    &decoded) &&
          LooksLikeText(decoded)) {
        EncodedSpan s;
        s.begin = b;
        s.end = e;
        const std::size_t ls = LineStart(text, b);
        s.scan_text.assign(text.substr(ls, b - ls));
        s.decoded_at = s.scan_text.size();
        s.scan_text += decoded;
        spans.push_back(std::move(s));
      }
      i = std::max(e, i + 1);
      continue;
    }
    if (!IsBase64Char(c) || c == '=' ||
        (i > 0 && (IsBase64Char(text[i - 1]) || text[i - 1] == '.'))) {
      ++i;
      continue;
    }
    std::size_t e = i;
    while (e < text.size() && IsBase64Char(text[e]) && e - i <= kMaxEncodedSpan) {
      ++e;
    }
    const std::size_t len = e - i;
    if (len >= kMinEncodedSpan && len <= kMaxEncodedSpan &&
        (e == text.size() || !(text[e] == '.' || text[e] == '%')) &&
        Base64Context(text, i, k8s_secret) &&
        DecodeBase64(text.substr(i, len), &decoded) && LooksLikeText(decoded)) {
      EncodedSpan s;
      s.begin = i;
      s.end = e;
      const std::size_t ls = LineStart(text, i);
      s.scan_text.assign(text.substr(ls, i - ls));
      s.decoded_at = s.scan_text.size();
      s.scan_text += decoded;
      spans.push_back(std::move(s));
    }
    i = e;
  }
  return spans;
}

}  // namespace sprawl
