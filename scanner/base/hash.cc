#include "scanner/base/hash.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "scanner/base/check.h"

namespace sprawl {
namespace {

std::string Hex(const unsigned char* p, unsigned n) {
  static const char kHex[] = "0123456789abcdef";
  std::string out(static_cast<std::size_t>(n) * 2, '0');
  for (unsigned i = 0; i < n; ++i) {
    out[2 * std::size_t{i}] = kHex[p[i] >> 4];
    out[2 * std::size_t{i} + 1] = kHex[p[i] & 15];
  }
  return out;
}

}  // namespace

std::string Sha256Hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned n = 0;
  SPRAWL_CHECK(EVP_Digest(data.data(), data.size(), md, &n, EVP_sha256(),
                          nullptr) == 1);
  return Hex(md, n);
}

std::string HmacSha256Hex(std::string_view key, std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned n = 0;
  SPRAWL_CHECK(HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
                    reinterpret_cast<const unsigned char*>(data.data()),
                    data.size(), md, &n) != nullptr);
  return Hex(md, n);
}

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  SPRAWL_CHECK(ctx_ != nullptr);
  SPRAWL_CHECK(EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), EVP_sha256(),
                                 nullptr) == 1);
}

Sha256::~Sha256() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }

void Sha256::Update(std::string_view data) {
  SPRAWL_CHECK(EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), data.data(),
                                data.size()) == 1);
}

std::string Sha256::HexDigest() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned n = 0;
  SPRAWL_CHECK(EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), md, &n) == 1);
  return Hex(md, n);
}

}  // namespace sprawl
