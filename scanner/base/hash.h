// SHA-256 and HMAC-SHA256 (OpenSSL) as lowercase hex. Thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace sprawl {

std::string Sha256Hex(std::string_view data);
std::string HmacSha256Hex(std::string_view key, std::string_view data);

// Incremental SHA-256, for hashing many pieces (cache keys).
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void Update(std::string_view data);
  std::string HexDigest();  // finalizes; call once

 private:
  void* ctx_;  // EVP_MD_CTX, kept out of the header
};

}  // namespace sprawl
