// Checksums (issue 4): GitHub/npm CRC-32 tails and PyPI macaroons are
// verified against independently computed answers; a valid token is reported
// once, by its high-confidence rule, and a look-alike by the low companion;
// the loader and the rules cache handle the `checksum` fields.
#include "scanner/match/checksum.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "scanner/findings/credential.h"
#include "scanner/ruleset/rule_cache.h"
#include "scanner/ruleset/rule_loader.h"
#include "tests/test_util.h"

namespace sprawl {
namespace {

using testing::SyntheticGithubToken;

// Unpadded base64url, written here independently of the scanner's decoder.
std::string Base64Url(const std::string& bytes) {
  static constexpr std::string_view kDigits =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  uint32_t bits = 0;
  int count = 0;
  for (unsigned char c : bytes) {
    bits = (bits << 8) | c;
    count += 8;
    while (count >= 6) {
      count -= 6;
      out += kDigits[(bits >> count) & 63];
    }
  }
  if (count > 0) out += kDigits[(bits << (6 - count)) & 63];
  return out;
}

// One macaroon v2 field: type, length (both < 128 here), content.
std::string Field(char type, const std::string& content) {
  return std::string(1, type) + static_cast<char>(content.size()) + content;
}

struct Macaroon {
  std::string location = "pypi.org";
  std::string identifier = "4f1c2d3e-8a9b-4c7d-9e0f-1a2b3c4d5e6f";
  std::vector<std::string> caveats = {
      R"({"version": 1, "permissions": "user"})"};
  std::size_t signature_bytes = 32;
};

// The token body (after "pypi-") of a synthetic macaroon; never a real one:
// the signature bytes are a fixed pattern, not an HMAC under PyPI's key.
std::string PypiBody(const Macaroon& m) {
  std::string b(1, '\x02');
  if (!m.location.empty()) b += Field(1, m.location);
  b += Field(2, m.identifier) + '\0';
  for (const auto& c : m.caveats) b += Field(2, c) + '\0';
  b += '\0';
  std::string signature;
  for (std::size_t i = 0; i < m.signature_bytes; ++i) {
    signature += static_cast<char>(0x5A ^ (i * 37));
  }
  return Base64Url(b + Field(6, signature));
}

// The ids of the rules that report `secret` in `text`.
std::vector<std::string> RulesFor(const std::string& text,
                                  const std::string& secret) {
  const Matcher& matcher = testing::BuiltinMatcher();
  auto scratch = matcher.NewScratch();
  std::vector<Match> matches;
  matcher.Scan(text, scratch.get(), &matches);
  std::vector<std::string> ids;
  for (const Match& m : matches) {
    if (text.substr(m.secret_begin, m.secret_end - m.secret_begin) == secret) {
      ids.push_back(matcher.rules()[m.rule].id);
    }
  }
  return ids;
}

// `token` with the character at `at` replaced by another base-62 digit.
std::string Flip(std::string token, std::size_t at) {
  token[at] = token[at] == 'Q' ? 'R' : 'Q';
  return token;
}

TEST_SUITE("checksum") {
  TEST_CASE(
      "the GitHub checksum equals CRC-32 values computed independently, in "
      "base 62 with zero padding") {
    // Expected values: Python's zlib.crc32, then base 62 (0-9A-Za-z) by hand;
    // 0xCBF43926 is the published CRC-32 check value of "123456789".
    const struct {
      std::string payload, checksum;
    } rows[] = {
        {"123456789", "3jZRME"},
        {"", "000000"},
        {"a", "4GEHKN"},
        {"Z9y8X7w6V5u4T3s2R1q0PpOoNnMmLl", "3mmtQ7"},
        {"paddingCase0000000000000000201", "009j4e"},  // CRC-32 0x235f8c
    };
    for (const auto& row : rows) {
      INFO(row.payload);
      CHECK(GithubChecksum(row.payload) == row.checksum);
      CHECK(ChecksumVerifies(Checksum::kGithubCrc32,
                             "ghp_" + row.payload + row.checksum) ==
            !row.payload.empty());
    }
  }

  TEST_CASE("every single-character change breaks a GitHub-format checksum") {
    for (const char* prefix :
         {"ghp_", "gho_", "ghu_", "ghs_", "ghr_", "npm_"}) {
      const std::string token = SyntheticGithubToken(prefix, 77);
      INFO(token);
      REQUIRE(ChecksumVerifies(Checksum::kGithubCrc32, token));
      for (std::size_t at = 4; at < token.size(); ++at) {
        CAPTURE(at);
        CHECK_FALSE(ChecksumVerifies(Checksum::kGithubCrc32, Flip(token, at)));
      }
    }
    CHECK_FALSE(ChecksumVerifies(Checksum::kGithubCrc32, "ghp3jZRME"));
    CHECK_FALSE(ChecksumVerifies(Checksum::kGithubCrc32, "ghp_3jZRM"));
  }

  TEST_CASE(
      "a valid token is reported once by its high rule; one flipped "
      "character moves it to the low unverified-checksum rule") {
    const struct {
      const char* prefix;
      const char* high;
      const char* low;
    } rows[] = {
        {"ghp_", "github.personal-access-token",
         "github.token-unverified-checksum"},
        {"gho_", "github.oauth-token", "github.token-unverified-checksum"},
        {"ghu_", "github.user-to-server-token",
         "github.token-unverified-checksum"},
        {"ghs_", "github.server-to-server-token",
         "github.token-unverified-checksum"},
        {"ghr_", "github.refresh-token", "github.token-unverified-checksum"},
        {"npm_", "npm.access-token", "npm.token-unverified-checksum"},
    };
    const auto& rules = testing::BuiltinMatcher().rules();
    for (const auto& row : rows) {
      for (uint64_t seed = 1; seed <= 3; ++seed) {
        const std::string valid = SyntheticGithubToken(row.prefix, seed);
        const std::string bad = Flip(valid, 9);
        INFO(valid);
        const std::string text = "A=" + valid + "\nB=\"" + bad + "\"\n";
        CHECK(RulesFor(text, valid) == std::vector<std::string>{row.high});
        CHECK(RulesFor(text, bad) == std::vector<std::string>{row.low});
        // Grouped, the valid token is one credential under the high rule only.
        std::vector<Finding> findings;
        const Matcher& matcher = testing::BuiltinMatcher();
        auto scratch = matcher.NewScratch();
        std::vector<Match> matches;
        matcher.Scan(text, scratch.get(), &matches);
        for (const Match& m : matches) {
          Finding f;
          f.rule = m.rule;
          f.secret = text.substr(m.secret_begin, m.secret_end - m.secret_begin);
          f.location.source = "file";
          f.location.path = "a.env";
          f.location.line = 1;
          f.location.column = m.secret_begin + 1;
          findings.push_back(std::move(f));
        }
        const auto creds =
            GroupCredentials(std::move(findings), rules, Fingerprinter());
        REQUIRE(creds.size() == 2);
        for (const Credential& c : creds) {
          CHECK(c.rules.size() == 1);
          CHECK(rules[c.rule].id == (c.secret == valid ? row.high : row.low));
          CHECK(rules[c.rule].confidence ==
                (c.secret == valid ? Confidence::kHigh : Confidence::kLow));
        }
      }
    }
  }

  TEST_CASE("a PyPI token is verified by parsing its macaroon") {
    const Macaroon good;
    Macaroon test_pypi;
    test_pypi.location = "test.pypi.org";
    Macaroon no_caveats;
    no_caveats.caveats.clear();
    Macaroon short_signature;
    short_signature.signature_bytes = 31;
    Macaroon other_host;
    other_host.location = "pypi.org.evil";
    Macaroon no_location;
    no_location.location.clear();
    Macaroon empty_identifier;
    empty_identifier.identifier.clear();
    const struct {
      const char* name;
      std::string body;
      bool valid;
    } rows[] = {
        {"pypi.org", PypiBody(good), true},
        {"test.pypi.org", PypiBody(test_pypi), true},
        {"no caveats", PypiBody(no_caveats), true},
        {"31-byte signature", PypiBody(short_signature), false},
        {"another location", PypiBody(other_host), false},
        {"no location", PypiBody(no_location), false},
        {"empty identifier", PypiBody(empty_identifier), false},
        {"truncated", PypiBody(good).substr(0, PypiBody(good).size() - 4),
         false},
        {"trailing bytes", PypiBody(good) + "AAAA", false},
        {"not base64url", PypiBody(good) + "+", false},
        {"impossible length", PypiBody(good).substr(0, 1), false},
        {"empty", "", false},
    };
    for (const auto& row : rows) {
      INFO(row.name);
      CHECK(IsPypiMacaroon(row.body) == row.valid);
      CHECK(ChecksumVerifies(Checksum::kPypiMacaroon, "pypi-" + row.body) ==
            row.valid);
    }
    const std::string valid = "pypi-" + PypiBody(good);
    const std::string cut = valid.substr(0, valid.size() - 4);
    const std::string text = "password = " + valid + "\nold = " + cut + "\n";
    CHECK(RulesFor(text, valid) == std::vector<std::string>{"pypi.api-token"});
    CHECK(RulesFor(text, cut) ==
          std::vector<std::string>{"pypi.token-unverified-checksum"});
  }

  TEST_CASE(
      "checksum fields are validated by the loader, naming file, line and "
      "field") {
    const struct {
      const char* fields;
      const char* error;  // "" = loads
    } rows[] = {
        {"    checksum: github-crc32\n", ""},
        {"    checksum: pypi-macaroon\n    checksum_mismatch: true\n", ""},
        {"    checksum: crc32\n",
         "test.yaml:7:15: rule acme.token: field 'checksum': unknown checksum "
         "'crc32'"},
        {"    checksum_mismatch: true\n",
         "test.yaml:7:24: rule acme.token: field 'checksum_mismatch': needs a "
         "'checksum'"},
        {"    checksum: github-crc32\n    checksum_mismatch: sometimes\n",
         "test.yaml:8:24: rule acme.token: field 'checksum_mismatch': must be "
         "true or false"},
    };
    for (const auto& row : rows) {
      INFO(row.fields);
      const std::string yaml =
          "rules:\n" +
          testing::RuleYaml("acme.token", R"(\b(acme_\w+)\b)", row.fields);
      auto rules = ParseRulePack(yaml, "test.yaml");
      if (*row.error == '\0') {
        CHECK(rules.ok());
      } else {
        REQUIRE_FALSE(rules.ok());
        CHECK(rules.error().message.rfind(row.error, 0) == 0);
      }
    }
  }

  TEST_CASE(
      "the rules cache keeps checksum fields, and an entry written without "
      "them is a miss") {
    auto builtin = LoadBuiltinRules();
    REQUIRE(builtin.ok());
    testing::TempDir dir;
    StoreCachedRules(dir.path(), "k", *builtin);
    auto cached = LoadCachedRules(dir.path(), "k");
    REQUIRE(cached.has_value());
    REQUIRE(cached->size() == builtin->size());
    int checksummed = 0;
    for (std::size_t i = 0; i < builtin->size(); ++i) {
      INFO((*builtin)[i].id);
      CHECK((*cached)[i].checksum == (*builtin)[i].checksum);
      CHECK((*cached)[i].checksum_mismatch == (*builtin)[i].checksum_mismatch);
      checksummed += (*builtin)[i].checksum != Checksum::kNone ? 1 : 0;
    }
    CHECK(checksummed == 10);  // 5 GitHub + npm + PyPI, 3 companions
    // An entry written before the fields existed is a miss, not a rule
    // without its checksum.
    testing::WriteFile(dir.Sub("rules-old.json"),
                       R"j({"rules":[{"id":"a.b","name":"n","provider":"a",)j"
                       R"j("category":"generic","pattern":"(x)","prefix":"",)j"
                       R"j("confidence":2,"keywords":[],"min_entropy":0,)j"
                       R"j("references":[],"origin":"o","line":1}]})j");
    CHECK_FALSE(LoadCachedRules(dir.path(), "old").has_value());
  }
}

}  // namespace
}  // namespace sprawl
