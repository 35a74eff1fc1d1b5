// Credential identity: findings of one secret become one credential, named
// by the most specific rule, with sorted distinct locations, whatever order
// the workers produced them in; fingerprints are SHA-256 (or HMAC-SHA256
// with a key) of the exact secret bytes.
#include "scanner/findings/credential.h"

#include <doctest/doctest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <string>
#include <vector>

#include "tests/test_util.h"

namespace sprawl {
namespace {

using testing::kAlnum;
using testing::SyntheticGithubToken;
using testing::SyntheticToken;

std::string Hex(const unsigned char* p, std::size_t n) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    out += kDigits[p[i] >> 4];
    out += kDigits[p[i] & 15];
  }
  return out;
}

// Independent of scanner/base/hash: straight OpenSSL one-shot calls.
std::string OpenSslSha256(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  REQUIRE(EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(),
                     nullptr) == 1);
  return Hex(md, len);
}

std::string OpenSslHmacSha256(std::string_view key, std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  REQUIRE(HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
               reinterpret_cast<const unsigned char*>(data.data()), data.size(),
               md, &len) != nullptr);
  return Hex(md, len);
}

Rule MakeRule(const char* id, Confidence confidence, const char* prefix,
              std::vector<std::string> keywords = {}) {
  Rule r;
  r.id = id;
  r.provider = std::string(id).substr(0, std::string(id).find('.'));
  r.confidence = confidence;
  r.prefix = prefix;
  r.keywords = std::move(keywords);
  return r;
}

Finding At(uint32_t rule, const std::string& secret, const char* path,
           uint64_t line, uint64_t column) {
  Finding f;
  f.rule = rule;
  f.secret = secret;
  f.location.source = "file";
  f.location.path = path;
  f.location.line = line;
  f.location.column = column;
  return f;
}

TEST_SUITE("credential") {
  TEST_CASE(
      "one secret found by two rules in several places is one "
      "credential named by the more specific rule, in any input "
      "order") {
    const std::vector<Rule> rules = {
        MakeRule("generic.token", Confidence::kLow, ""),
        MakeRule("acme.api-key", Confidence::kHigh, "acme_"),
        MakeRule("acme.legacy-key", Confidence::kMedium, "acme_", {"acme"}),
    };
    const std::string shared = SyntheticToken("acme_", kAlnum, 32, 1);
    const std::string other = SyntheticToken("acme_", kAlnum, 32, 2);
    const std::vector<Finding> findings = {
        At(0, shared, "b/config.env", 3, 5),
        At(1, shared, "a/settings.py", 12, 15),
        At(0, shared, "a/settings.py", 12, 15),  // same place, other rule
        At(1, shared, "a/settings.py", 2, 40),
        At(2, other, "c/old.txt", 1, 1),
        At(0, other, "c/old.txt", 1, 1),
    };
    struct Order {
      const char* name;
      std::vector<int> index;
    };
    const Order orders[] = {
        {"as produced", {0, 1, 2, 3, 4, 5}},
        {"reversed", {5, 4, 3, 2, 1, 0}},
        {"interleaved", {4, 0, 5, 2, 3, 1}},
    };
    for (const Order& order : orders) {
      INFO(order.name);
      std::vector<Finding> in;
      for (int i : order.index) in.push_back(findings[i]);
      const auto creds = GroupCredentials(in, rules, Fingerprinter());
      REQUIRE(creds.size() == 2);
      CHECK(creds[0].fingerprint < creds[1].fingerprint);
      const Credential& c = creds[0].secret == shared ? creds[0] : creds[1];
      const Credential& d = creds[0].secret == shared ? creds[1] : creds[0];
      REQUIRE(c.secret == shared);
      REQUIRE(d.secret == other);
      CHECK(rules[c.rule].id == "acme.api-key");
      CHECK(c.rules == std::vector<uint32_t>{0, 1});
      REQUIRE(c.locations.size() == 3);
      CHECK(c.locations[0].path == "a/settings.py");
      CHECK(c.locations[0].line == 2);
      CHECK(c.locations[1].path == "a/settings.py");
      CHECK(c.locations[1].line == 12);
      CHECK(c.locations[2].path == "b/config.env");
      CHECK(rules[d.rule].id == "acme.legacy-key");
      CHECK(d.rules == std::vector<uint32_t>{0, 2});
      CHECK(d.locations.size() == 1);
    }
  }

  TEST_CASE(
      "a fingerprint is sha256 of the exact secret bytes, or "
      "hmac-sha256 when a key is given") {
    struct Row {
      const char* name;
      std::string secret;
      std::optional<std::string> key;
    };
    const std::vector<Row> rows = {
        {"token", SyntheticGithubToken("ghp_", 3), std::nullopt},
        {"multi-line pem", testing::SyntheticPem("RSA", 3, 4), std::nullopt},
        {"secret with a NUL byte", std::string("ab\0cd", 5) + "efgh",
         std::nullopt},
        {"keyed token", SyntheticGithubToken("ghp_", 3),
         SyntheticToken("", kAlnum, 24, 5)},
        {"keyed short secret", "hunter2", SyntheticToken("", kAlnum, 24, 6)},
    };
    for (const Row& row : rows) {
      INFO(row.name);
      const std::string fp = Fingerprinter(row.key)(row.secret);
      if (row.key) {
        CHECK(fp == "hmac-sha256:" + OpenSslHmacSha256(*row.key, row.secret));
      } else {
        CHECK(fp == "sha256:" + OpenSslSha256(row.secret));
      }
    }
  }

  TEST_CASE(
      "fingerprints agree with the published SHA-256 and HMAC-SHA256 "
      "test vectors") {
    // FIPS 180-2 appendix B.1 and RFC 4231 test case 2.
    CHECK(Fingerprinter()("abc") ==
          "sha256:"
          "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(Fingerprinter(std::string("Jefe"))("what do ya want for nothing?") ==
          "hmac-sha256:"
          "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  }

  TEST_CASE(
      "the same secret gets the same fingerprint wherever it is found "
      "and a different key changes it") {
    const std::vector<Rule> rules = {
        MakeRule("acme.api-key", Confidence::kHigh, "acme_")};
    const std::string secret = SyntheticToken("acme_", kAlnum, 32, 7);
    const auto here =
        GroupCredentials({At(0, secret, "x", 1, 1)}, rules, Fingerprinter());
    const auto there =
        GroupCredentials({At(0, secret, "y/z", 9, 4)}, rules, Fingerprinter());
    REQUIRE(here.size() == 1);
    REQUIRE(there.size() == 1);
    CHECK(here[0].fingerprint == there[0].fingerprint);
    CHECK(Fingerprinter(std::string("k1"))(secret) !=
          Fingerprinter(std::string("k2"))(secret));
  }
}

}  // namespace
}  // namespace sprawl
