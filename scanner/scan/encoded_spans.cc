#include "scanner/scan/encoded_spans.h"

#include <hs/hs.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>
#include <mutex>
#include <vector>

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

namespace {

// Appends the span [b, e) decoded into `decoded` with its line prefix.
void AddSpan(std::string_view text, std::size_t b, std::size_t e,
             const std::string& decoded, std::vector<EncodedSpan>* spans) {
  EncodedSpan s;
  s.begin = b;
  s.end = e;
  const std::size_t ls = LineStart(text, b);
  s.scan_text.assign(text.substr(ls, b - ls));
  s.decoded_at = s.scan_text.size();
  s.scan_text += decoded;
  spans->push_back(std::move(s));
}

// A base64 run starting at `i` (after optional quotes and blanks): decoded
// and added when it is 16..4096 bytes of text.
void TryBase64(std::string_view text, std::size_t i, std::string* decoded,
               std::vector<EncodedSpan>* spans) {
  while (i < text.size() &&
         (text[i] == ' ' || text[i] == '\t' || text[i] == '"' || text[i] == '\'')) {
    ++i;
  }
  std::size_t e = i;
  while (e < text.size() && IsBase64Char(text[e]) && e - i <= kMaxEncodedSpan) {
    ++e;
  }
  const std::size_t len = e - i;
  if (len < kMinEncodedSpan || len > kMaxEncodedSpan) return;
  if (e < text.size() && (text[e] == '.' || text[e] == '%' ||
                          IsBase64Char(text[e]))) {
    return;
  }
  if (DecodeBase64(text.substr(i, len), decoded) && LooksLikeText(*decoded)) {
    AddSpan(text, i, e, *decoded, spans);
  }
}

// The ends of "asic " (index 0) and "ASIC " (index 1) in a text, found in
// one Hyperscan pass (two memmem passes cost ~9% of a history scan). Null
// when Hyperscan is unavailable; callers then use memmem.
struct SchemeHits {
  std::vector<std::size_t> ends[2];
};

const hs_database_t* SchemeDatabase() {
  static hs_database_t* db = nullptr;
  static std::once_flag once;
  std::call_once(once, [] {
    const char* exprs[] = {"asic ", "ASIC "};
    const std::size_t lens[] = {5, 5};
    const unsigned flags[] = {0, 0};
    const unsigned ids[] = {0, 1};
    hs_compile_error_t* err = nullptr;
    if (hs_compile_lit_multi(exprs, flags, ids, lens, 2, HS_MODE_BLOCK,
                             nullptr, &db, &err) != HS_SUCCESS) {
      hs_free_compile_error(err);
      db = nullptr;
    }
  });
  return db;
}

int OnScheme(unsigned int id, unsigned long long /*from*/,
             unsigned long long to, unsigned int /*flags*/, void* ctx) {
  static_cast<SchemeHits*>(ctx)->ends[id].push_back(to);
  return 0;
}

// False when the fast path is unavailable (no database or scratch, or a
// text too long for one Hyperscan call).
bool FindSchemes(std::string_view text, SchemeHits* hits) {
  struct ScratchFree {
    void operator()(hs_scratch_t* s) const { hs_free_scratch(s); }
  };
  thread_local std::unique_ptr<hs_scratch_t, ScratchFree> scratch;
  const hs_database_t* db = SchemeDatabase();
  if (db == nullptr || text.size() > (1u << 30)) return false;
  if (scratch == nullptr) {
    hs_scratch_t* s = nullptr;
    if (hs_alloc_scratch(db, &s) != HS_SUCCESS) return false;
    scratch.reset(s);
  }
  return hs_scan(db, text.data(), static_cast<unsigned>(text.size()), 0,
                 scratch.get(), OnScheme, hits) == HS_SUCCESS;
}

}  // namespace

std::vector<EncodedSpan> FindEncodedSpans(std::string_view text) {
  std::vector<EncodedSpan> spans;
  // Whether the text is a Kubernetes Secret, looked up once and only when a
  // ':' is followed by a base64 run long enough to matter: two passes of
  // memmem over every file cost 8% of a scan of /usr/include.
  int k8s_secret = -1;
  auto is_k8s_secret = [&] {
    if (k8s_secret < 0) {
      k8s_secret = text.find("kind: Secret") != std::string_view::npos ||
                   text.find("\"kind\": \"Secret\"") != std::string_view::npos;
    }
    return k8s_secret == 1;
  };
  // A base64 run of at least kMinEncodedSpan characters starts after the
  // ':' at `at` (past blanks and quotes, as TryBase64 skips them).
  auto long_run_after = [&](std::size_t at) {
    std::size_t b = at + 1;
    while (b < text.size() && (text[b] == ' ' || text[b] == '\t' ||
                               text[b] == '"' || text[b] == '\'')) {
      ++b;
    }
    std::size_t e = b;
    while (e < text.size() && e - b < kMinEncodedSpan &&
           IsBase64Char(text[e])) {
      ++e;
    }
    return e - b >= kMinEncodedSpan;
  };
  std::string decoded;
  // Candidates are found with memchr on ':' and '%' and a search for
  // "basic", so text without them costs one pass of memchr.
  const char* data = text.data();
  const std::size_t n = text.size();
  // The next ':' and '%' at or after i (n = none), each found again only
  // once passed, so the two searches stay linear together.
  auto find = [&](char c, std::size_t from) {
    const void* p = from < n ? std::memchr(data + from, c, n - from) : nullptr;
    return p == nullptr ? n
                        : static_cast<std::size_t>(static_cast<const char*>(p) -
                                                   data);
  };
  std::size_t next_colon = find(':', 0);
  std::size_t next_pct = find('%', 0);
  for (std::size_t i = 0; i < n && spans.size() < kMaxSpans;) {
    if (next_colon < i) next_colon = find(':', i);
    if (next_pct < i) next_pct = find('%', i);
    const std::size_t at = std::min(next_colon, next_pct);
    if (at >= n) break;
    const char* next = data + at;
    i = at + 1;
    if (*next == ':') {
      // `auth: <base64>` (docker) or any value of a Kubernetes Secret.
      std::size_t k = at;
      while (k > 0 && (text[k - 1] == '"' || text[k - 1] == '\'' ||
                       text[k - 1] == ' ')) {
        --k;
      }
      if (EndsWithNoCase(text, k, "auth") ||
          (long_run_after(at) && is_k8s_secret())) {
        const std::size_t before = spans.size();
        TryBase64(text, at + 1, &decoded, &spans);
        if (spans.size() > before) i = spans.back().end;
      }
      continue;
    }
    // Percent-encoding: a run of URL characters holding escapes.
    if (at + 2 >= n || HexValue(text[at + 1]) < 0 || HexValue(text[at + 2]) < 0) {
      continue;
    }
    std::size_t b = at;
    while (b > 0 && at - b < kMaxEncodedSpan && text[b - 1] > ' ' &&
           text[b - 1] != '"' && text[b - 1] != '\'' && text[b - 1] != '&' &&
           text[b - 1] != '?' && text[b - 1] != '<' && text[b - 1] != '=') {
      --b;
    }
    std::size_t e = at;
    while (e < n && e - b < kMaxEncodedSpan && text[e] > ' ' &&
           text[e] != '"' && text[e] != '\'' && text[e] != '&' &&
           text[e] != '<') {
      ++e;
    }
    i = e;
    if (e - b >= kMinEncodedSpan &&
        DecodePercent(text.substr(b, e - b), &decoded) &&
        LooksLikeText(decoded)) {
      AddSpan(text, b, e, decoded, &spans);
    }
  }
  // `Authorization: Basic <base64>`, as the scheme is usually written
  // ("Basic", "basic", "BASIC"): every "asic ", then every "ASIC ", found
  // in one Hyperscan pass (or two of memmem).
  SchemeHits schemes;
  const bool fast = FindSchemes(text, &schemes);
  const std::string_view tails[] = {"asic ", "ASIC "};
  for (int t = 0; t < 2; ++t) {
    const std::string_view tail = tails[t];
    std::size_t next_hit = 0;
    for (std::size_t i = 1; i < n && spans.size() < kMaxSpans;) {
      std::size_t at = n;
      if (fast) {
        const auto& ends = schemes.ends[t];
        while (next_hit < ends.size() && ends[next_hit] - tail.size() < i) {
          ++next_hit;
        }
        if (next_hit == ends.size()) break;
        at = ends[next_hit] - tail.size();
      } else {
        const void* p = memmem(data + i, n - i, tail.data(), tail.size());
        if (p == nullptr) break;
        at = static_cast<std::size_t>(static_cast<const char*>(p) - data);
      }
      i = at + tail.size();
      const char b = data[at - 1];
      if (b == 'B' || (b == 'b' && tail[0] == 'a')) {
        TryBase64(text, i, &decoded, &spans);
      }
    }
  }
  std::sort(spans.begin(), spans.end(),
            [](const EncodedSpan& a, const EncodedSpan& b) {
              return a.begin < b.begin;
            });
  // A basic header's value may also follow a ':' in a Secret: keep one.
  spans.erase(std::unique(spans.begin(), spans.end(),
                          [](const EncodedSpan& a, const EncodedSpan& b) {
                            return a.begin == b.begin;
                          }),
              spans.end());
  if (spans.size() > kMaxSpans) spans.resize(kMaxSpans);
  return spans;
}

}  // namespace sprawl
