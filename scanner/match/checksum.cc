#include "scanner/match/checksum.h"

#include <zlib.h>

#include <optional>
#include <utility>
#include <vector>

namespace sprawl {
namespace {

constexpr std::string_view kBase62Digits =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
constexpr std::size_t kGithubChecksumLength = 6;

// github-crc32: the public prefix ends at the first '_' (ghp_, npm_); of
// what follows, the last 6 characters are the checksum of the rest.
bool GithubCrc32Verifies(std::string_view secret) {
  const std::size_t underscore = secret.find('_');
  if (underscore == std::string_view::npos) return false;
  const std::string_view body = secret.substr(underscore + 1);
  if (body.size() <= kGithubChecksumLength) return false;
  const std::size_t split = body.size() - kGithubChecksumLength;
  return GithubChecksum(body.substr(0, split)) == body.substr(split);
}

int Base64UrlValue(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

// Unpadded base64url; nullopt on a foreign character or an impossible length.
std::optional<std::string> DecodeBase64Url(std::string_view s) {
  if (s.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(s.size() * 3 / 4);
  uint32_t bits = 0;
  int count = 0;
  for (char c : s) {
    const int v = Base64UrlValue(c);
    if (v < 0) return std::nullopt;
    bits = (bits << 6) | static_cast<uint32_t>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(static_cast<char>((bits >> count) & 0xFF));
      bits &= (1u << count) - 1;
    }
  }
  return out;
}

// Field types of the macaroon v2 binary format.
constexpr uint64_t kEos = 0;
constexpr uint64_t kLocation = 1;
constexpr uint64_t kIdentifier = 2;
constexpr uint64_t kVid = 4;
constexpr uint64_t kSignature = 6;
constexpr std::size_t kSignatureBytes = 32;

struct Field {
  uint64_t type = kEos;
  std::string_view content;
};

// Reads `<type varint> [<length varint> <content>]` fields off a buffer;
// every read fails cleanly on truncation.
class FieldReader {
 public:
  explicit FieldReader(std::string_view bytes) : bytes_(bytes) {}

  bool Next(Field* field) {
    if (!Varint(&field->type)) return false;
    field->content = {};
    if (field->type == kEos) return true;
    uint64_t length = 0;
    if (!Varint(&length) || length > bytes_.size() - pos_) return false;
    field->content = bytes_.substr(pos_, length);
    pos_ += length;
    return true;
  }

  // The fields up to the next EOS, which must come in increasing type order.
  bool Section(std::vector<Field>* fields) {
    fields->clear();
    Field f;
    while (Next(&f)) {
      if (f.type == kEos) return true;
      if (!fields->empty() && f.type <= fields->back().type) return false;
      fields->push_back(f);
    }
    return false;
  }

  bool AtEnd() const { return pos_ == bytes_.size(); }

 private:
  bool Varint(uint64_t* value) {
    *value = 0;
    for (int shift = 0; shift < 64 && pos_ < bytes_.size(); shift += 7) {
      const auto byte = static_cast<unsigned char>(bytes_[pos_++]);
      *value |= static_cast<uint64_t>(byte & 0x7F) << shift;
      if (byte < 0x80) return true;
    }
    return false;
  }

  std::string_view bytes_;
  std::size_t pos_ = 0;
};

// Header: LOCATION (a PyPI host) then IDENTIFIER.
bool PypiHeader(const std::vector<Field>& f) {
  return f.size() == 2 && f[0].type == kLocation &&
         (f[0].content == "pypi.org" || f[0].content == "test.pypi.org") &&
         f[1].type == kIdentifier && !f[1].content.empty();
}

// Caveat: [LOCATION] IDENTIFIER [VID]; Section() already ordered the types.
bool Caveat(const std::vector<Field>& f) {
  bool identifier = false;
  for (const Field& field : f) {
    if (field.type != kLocation && field.type != kIdentifier &&
        field.type != kVid) {
      return false;
    }
    identifier = identifier || field.type == kIdentifier;
  }
  return identifier;
}

}  // namespace

std::string GithubChecksum(std::string_view payload) {
  uLong crc = crc32_z(0L, Z_NULL, 0);
  crc = crc32_z(crc, reinterpret_cast<const Bytef*>(payload.data()),
                payload.size());
  std::string out(kGithubChecksumLength, '0');
  auto value = static_cast<uint64_t>(crc);
  for (std::size_t i = kGithubChecksumLength; i > 0 && value > 0; --i) {
    out[i - 1] = kBase62Digits[value % 62];
    value /= 62;
  }
  return out;
}

bool IsPypiMacaroon(std::string_view body) {
  const std::optional<std::string> bytes = DecodeBase64Url(body);
  if (!bytes || bytes->empty() || (*bytes)[0] != 2) return false;  // version
  FieldReader reader(std::string_view(*bytes).substr(1));
  std::vector<Field> section;
  if (!reader.Section(&section) || !PypiHeader(section)) return false;
  // Caveats until an empty section (the EOS that closes the list).
  for (;;) {
    if (!reader.Section(&section)) return false;
    if (section.empty()) break;
    if (!Caveat(section)) return false;
  }
  Field signature;
  return reader.Next(&signature) && signature.type == kSignature &&
         signature.content.size() == kSignatureBytes && reader.AtEnd();
}

bool ChecksumVerifies(Checksum kind, std::string_view secret) {
  switch (kind) {
    case Checksum::kNone:
      return true;
    case Checksum::kGithubCrc32:
      return GithubCrc32Verifies(secret);
    case Checksum::kPypiMacaroon: {
      const std::size_t dash = secret.find('-');
      return dash != std::string_view::npos &&
             IsPypiMacaroon(secret.substr(dash + 1));
    }
  }
  return false;
}

}  // namespace sprawl
