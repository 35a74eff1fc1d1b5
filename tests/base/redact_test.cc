// The secrets policy: a redacted preview shows at most the public prefix and
// the last 4 characters, never more than a quarter of the secret, and only
// the length of secrets shorter than 16 characters.
#include "scanner/base/redact.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "tests/test_util.h"

namespace sprawl {
namespace {

using testing::kAlnum;
using testing::SyntheticGithubToken;
using testing::SyntheticToken;

// Length of the longest prefix of `secret` that `preview` starts with.
std::size_t SharedPrefix(std::string_view preview, std::string_view secret) {
  std::size_t n = 0;
  while (n < preview.size() && n < secret.size() && preview[n] == secret[n]) {
    ++n;
  }
  return n;
}

// Length of the longest suffix of `secret` that occurs in `preview` after
// its first `head` bytes (the shown prefix, which may share characters with
// the end of the secret, as PEM dashes do).
std::size_t ShownSuffix(std::string_view preview, std::string_view secret,
                        std::size_t head) {
  preview.remove_prefix(std::min(head, preview.size()));
  std::size_t best = 0;
  for (std::size_t len = 1; len <= secret.size(); ++len) {
    if (preview.find(secret.substr(secret.size() - len)) ==
        std::string_view::npos) {
      break;
    }
    best = len;
  }
  return best;
}

struct Row {
  const char* name;
  std::string secret;
  std::string prefix;
};

std::vector<Row> Rows() {
  return {
      {"openai project key", SyntheticToken("sk-proj-", kAlnum, 156, 1),
       "sk-proj-"},
      {"github token", SyntheticGithubToken("ghp_", 2), "ghp_"},
      {"exactly 16 characters, no prefix", SyntheticToken("", kAlnum, 16, 3),
       ""},
      {"16 characters with a prefix longer than the budget",
       SyntheticToken("sk_live_", kAlnum, 8, 4), "sk_live_"},
      {"prefix that is a third of the secret",
       SyntheticToken("abcdefghij_", kAlnum, 19, 5), "abcdefghij_"},
      {"prefix the secret does not start with",
       SyntheticToken("tok_", kAlnum, 40, 6), "ghp_"},
      {"long secret without prefix", SyntheticToken("", kAlnum, 400, 7), ""},
      {"pem block", testing::SyntheticPem("EC", 4, 8), "-----BEGIN"},
  };
}

TEST_SUITE("redact") {
  TEST_CASE(
      "a preview never shows more than a quarter of the secret nor any "
      "of its middle") {
    for (const Row& row : Rows()) {
      INFO(row.name);
      const std::string& s = row.secret;
      REQUIRE(s.size() >= 16);
      const std::string preview = RedactSecret(s, row.prefix);
      CAPTURE(preview);
      const std::size_t head = SharedPrefix(preview, s);
      const std::size_t tail = ShownSuffix(preview, s, head);
      CHECK(head + tail <= s.size() / 4);
      CHECK(tail <= 4);
      // No 5-byte window that is neither inside the shown head nor the
      // shown tail may appear in the preview after the head.
      const std::string after_head = preview.substr(head);
      for (std::size_t i = 0; i + 5 <= s.size(); ++i) {
        const bool in_head = i + 5 <= head;
        const bool in_tail = i >= s.size() - tail;
        if (in_head || in_tail) continue;
        CHECK_MESSAGE(after_head.find(s.substr(i, 5)) == std::string::npos,
                      "window at " << i);
      }
      CHECK(preview.find('\n') == std::string::npos);
    }
  }

  TEST_CASE(
      "a preview shows the public prefix and the last 4 characters "
      "when the quarter budget allows them") {
    for (const Row& row : Rows()) {
      INFO(row.name);
      const std::string& s = row.secret;
      const std::string preview = RedactSecret(s, row.prefix);
      CAPTURE(preview);
      const bool printable_tail =
          s.substr(s.size() - 4).find_first_of("\r\n\t ") == std::string::npos;
      if (printable_tail) {
        CHECK(ShownSuffix(preview, s, SharedPrefix(preview, s)) == 4);
      }
      const bool prefix_applies = !row.prefix.empty() &&
                                  s.rfind(row.prefix, 0) == 0 &&
                                  row.prefix.size() + 4 <= s.size() / 4;
      if (prefix_applies) {
        CHECK(preview.rfind(row.prefix, 0) == 0);
      } else {
        CHECK(SharedPrefix(preview, s) <= s.size() / 4 - 4);
      }
      CHECK(preview.find(std::to_string(s.size())) != std::string::npos);
    }
  }

  TEST_CASE("secrets shorter than 16 characters show only their length") {
    for (std::size_t n = 1; n < 16; ++n) {
      CAPTURE(n);
      // Upper-case letters only, so neither the length's digits nor the
      // wording around it can coincide with a character of the secret.
      const std::string s =
          SyntheticToken("", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", n, 40 + n);
      for (const std::string prefix : {std::string(), s.substr(0, n / 2)}) {
        const std::string preview = RedactSecret(s, prefix);
        CAPTURE(preview);
        CHECK(preview.find(std::to_string(n)) != std::string::npos);
        CHECK(preview.find_first_of(s) == std::string::npos);
      }
    }
  }
}

}  // namespace
}  // namespace sprawl
