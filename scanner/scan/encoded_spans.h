// Encoded spans: the places in a text where a secret may hide encoded
// (base64 in a Kubernetes Secret's `data:`, a docker config's `auth`, an
// `Authorization: Basic` header; percent-encoding in URLs and form bodies),
// found by context and decoded so the matcher can scan the plain bytes
// (README, "Encoded secrets"). Bounded: spans of 16..4096 encoded bytes, at
// most kMaxSpans per call, decoded output that is mostly printable text.
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sprawl {

struct EncodedSpan {
  std::size_t begin = 0;  // the encoded bytes, offsets into the text
  std::size_t end = 0;
  // Text to scan: the line up to the span (so `KEY: ` context survives),
  // then the decoded bytes. Secrets found at or after `decoded_at` are the
  // span's.
  std::string scan_text;
  std::size_t decoded_at = 0;
};

inline constexpr std::size_t kMinEncodedSpan = 16;
inline constexpr std::size_t kMaxEncodedSpan = 4096;
inline constexpr std::size_t kMaxSpans = 256;

// Decodes standard or URL-safe base64, padded or not; false on anything
// else (a character outside the alphabet, a length of 4n+1).
bool DecodeBase64(std::string_view in, std::string* out);
// Decodes %XX escapes (and '+' as space in a form body); false when there
// is no valid escape.
bool DecodePercent(std::string_view in, std::string* out);
// Whether decoded bytes look like text worth scanning: at least 90%
// printable ASCII or whitespace, no NUL.
bool LooksLikeText(std::string_view bytes);

// The encoded spans of `text`, in offset order, at most kMaxSpans.
std::vector<EncodedSpan> FindEncodedSpans(std::string_view text);

}  // namespace sprawl
