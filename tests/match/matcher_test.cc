// Matcher: the built-in rules find synthetic tokens of the core providers in
// every common file context with the exact secret, stay silent on decoys,
// and rule packs that one engine rejects behave as documented.
#include "scanner/match/matcher.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "scanner/match/rule_checker.h"
#include "scanner/ruleset/rule_loader.h"
#include "tests/test_util.h"

namespace sprawl {
namespace {

using testing::kAlnum;
using testing::kBase64;
using testing::kDigits;
using testing::kHexLower;
using testing::kLetters;
using testing::kUpperDigits;
using testing::kUrlSafe;
using testing::SyntheticToken;

std::vector<Match> ScanAll(const Matcher& matcher, std::string_view text) {
  auto scratch = matcher.NewScratch();
  std::vector<Match> out;
  matcher.Scan(text, scratch.get(), &out);
  return out;
}

std::string Replace(std::string_view tmpl, std::string_view token) {
  std::string out(tmpl);
  const std::size_t at = out.find("@T@");
  REQUIRE(at != std::string::npos);
  out.replace(at, 3, token);
  return out;
}

struct ProviderCase {
  const char* name;
  const char* rule_id;
  std::string token;
};

std::vector<ProviderCase> CoreProviders() {
  return {
      {"openai project key", "openai.project-key",
       SyntheticToken("sk-proj-", kUrlSafe, 156, 1)},
      {"openai legacy key", "openai.legacy-key",
       SyntheticToken("sk-", kAlnum, 20, 2) + "T3BlbkFJ" +
           SyntheticToken("", kAlnum, 20, 3)},
      {"openai service account key", "openai.service-account-key",
       SyntheticToken("sk-svcacct-", kUrlSafe, 120, 4)},
      {"anthropic api key", "anthropic.api-key",
       SyntheticToken("sk-ant-api03-", kUrlSafe, 95, 5)},
      {"github classic token", "github.personal-access-token",
       testing::SyntheticGithubToken("ghp_", 6)},
      {"github token with a wrong checksum", "github.token-unverified-checksum",
       SyntheticToken("ghp_", kAlnum, 36, 6)},
      {"github fine-grained token", "github.fine-grained-token",
       SyntheticToken("github_pat_", kAlnum, 22, 7) + "_" +
           SyntheticToken("", kAlnum, 59, 8)},
      {"gitlab personal access token", "gitlab.personal-access-token",
       SyntheticToken("glpat-", kUrlSafe, 20, 9)},
      {"slack bot token", "slack.bot-token",
       "xoxb-" + SyntheticToken("", kDigits, 12, 10) + "-" +
           SyntheticToken("", kDigits, 13, 11) + "-" +
           SyntheticToken("", kAlnum, 24, 12)},
      {"stripe live secret key", "stripe.live-secret-key",
       SyntheticToken("sk_live_", kAlnum, 99, 13)},
      {"aws access key id", "aws.access-key-id",
       SyntheticToken("AKIA", kUpperDigits, 16, 14)},
      {"google api key", "google.api-key",
       SyntheticToken("AIza", kUrlSafe, 35, 15)},
      {"huggingface user token", "huggingface.user-token",
       SyntheticToken("hf_", kLetters, 34, 16)},
      {"groq api key", "groq.api-key", SyntheticToken("gsk_", kAlnum, 52, 17)},
      {"pem private key", "pem.private-key",
       testing::SyntheticPem("RSA", 8, 18)},
  };
}

struct Context {
  const char* name;
  const char* text;  // @T@ marks the token
};

constexpr Context kContexts[] = {
    {"python assignment", "import os\napi_key = \"@T@\"\nprint(api_key)\n"},
    {".env line", "DEBUG=1\nAPI_KEY=@T@\nPORT=8080\n"},
    {"JSON value", "{\n  \"name\": \"svc\",\n  \"api_key\": \"@T@\"\n}\n"},
    {"YAML value",
     "service:\n  credentials:\n    api_key: @T@\n  port: 8080\n"},
    {"shell export", "#!/bin/sh\nexport API_KEY='@T@'\nexec ./run\n"},
    {"inside single quotes", "headers = {'Authorization': '@T@'}"},
    {"start of buffer", "@T@\nthe token above\n"},
    {"end of buffer", "the token is at the end: @T@"},
};

TEST_SUITE("matcher") {
  TEST_CASE(
      "built-in rules find each core provider's token in every file "
      "context with the exact secret and the right rule") {
    const Matcher& matcher = testing::BuiltinMatcher();
    const auto& rules = matcher.rules();
    for (const ProviderCase& p : CoreProviders()) {
      for (const Context& ctx : kContexts) {
        const std::string text = Replace(ctx.text, p.token);
        INFO(p.name);
        INFO(ctx.name);
        const auto matches = ScanAll(matcher, text);
        int of_rule = 0;
        for (const Match& m : matches) {
          const std::string secret =
              text.substr(m.secret_begin, m.secret_end - m.secret_begin);
          CHECK_MESSAGE(secret == p.token, "rule " << rules[m.rule].id
                                                   << " captured a different "
                                                      "span at offset "
                                                   << m.secret_begin);
          if (rules[m.rule].id == p.rule_id) ++of_rule;
        }
        CHECK(of_rule == 1);
      }
    }
  }

  TEST_CASE("decoys that look like secrets produce no match") {
    struct Decoy {
      const char* name;
      std::string text;
    };
    const std::vector<Decoy> decoys = {
        {"openai placeholder of x's",
         "OPENAI_API_KEY=sk-proj-" + std::string(48, 'x') + "\n"},
        {"environment variable reference",
         "OPENAI_API_KEY=${OPENAI_API_KEY}\n"},
        {"github actions secret reference",
         "env:\n  OPENAI_API_KEY: ${{ secrets.OPENAI_API_KEY }}\n"},
        {"lock-file sha512 integrity hash",
         "\"integrity\": \"sha512-" + SyntheticToken("", kBase64, 86, 100) +
             "==\",\n"},
        {"UUID", "request_id = \"" + SyntheticToken("", kHexLower, 8, 101) +
                     "-" + SyntheticToken("", kHexLower, 4, 102) + "-4" +
                     SyntheticToken("", kHexLower, 3, 103) + "-a" +
                     SyntheticToken("", kHexLower, 3, 104) + "-" +
                     SyntheticToken("", kHexLower, 12, 105) + "\"\n"},
        {"git commit SHA",
         "commit " + SyntheticToken("", kHexLower, 40, 106) + "\n"},
        {"stripe test-mode key",
         "STRIPE_SECRET_KEY=" + SyntheticToken("sk_test_", kAlnum, 24, 107) +
             "\n"},
        {"AWS documentation example key pair",
         "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"
         "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"},
        {"github token too short",
         "token = " + SyntheticToken("ghp_", kAlnum, 20, 108) + "\n"},
        {"github token glued inside a longer identifier",
         "id = x" + SyntheticToken("ghp_", kAlnum, 36, 109) + "\n"},
        {"openai key with the body elided", "OPENAI_API_KEY=sk-proj-...\n"},
    };
    const Matcher& matcher = testing::BuiltinMatcher();
    for (const Decoy& d : decoys) {
      INFO(d.name);
      const auto matches = ScanAll(matcher, d.text);
      for (const Match& m : matches) {
        FAIL_CHECK("rule " << matcher.rules()[m.rule].id << " matched "
                           << (m.secret_end - m.secret_begin) << " bytes at "
                           << m.secret_begin);
      }
      CHECK(matches.empty());
    }
  }

  TEST_CASE(
      "every built-in rule passes its own positive and negative "
      "examples") {
    const auto problems = CheckRules(testing::BuiltinMatcher());
    for (const RuleProblem& p : problems) {
      FAIL_CHECK(p.where << ": rule " << p.rule_id << ": " << p.problem);
    }
    CHECK(problems.empty());
  }

  TEST_CASE(
      "a rule Hyperscan rejects falls back with a warning and still "
      "matches through RE2") {
    struct Row {
      const char* why;
      const char* pattern;
    };
    const Row rows[] = {
        {"(?U) ungreedy flag", R"((?U)\b(tok_[a-z0-9]{12,40})\b)"},
        {"alternative matching the empty string",
         R"(\b(tok_[a-z0-9]{16})\b|(?:))"},
    };
    for (const Row& row : rows) {
      INFO(row.why);
      const std::string yaml =
          "rules:\n" + testing::RuleYaml("test.fallback", row.pattern);
      Diagnostics diagnostics(nullptr);
      auto matcher = testing::BuildMatcherFromYaml(yaml, &diagnostics);
      REQUIRE_MESSAGE(matcher.ok(), matcher.error().message);
      CHECK((*matcher)->engine(0) != RuleEngine::kHyperscan);
      CHECK(diagnostics.warnings() >= 1);
      CHECK(diagnostics.Text().find("test.fallback") != std::string::npos);

      const std::string token =
          SyntheticToken("tok_", "abcdefghijkmnpqrstuvwz23456789", 16, 200);
      const std::string text = "key = " + token + "\n";
      std::vector<std::string> secrets;
      for (const Match& m : ScanAll(**matcher, text)) {
        secrets.push_back(
            text.substr(m.secret_begin, m.secret_end - m.secret_begin));
      }
      CHECK(secrets == std::vector<std::string>{token});
    }
  }

  TEST_CASE(
      "a pattern RE2 rejects or one without a capture group fails the "
      "build with an error naming the pack and the rule") {
    struct Row {
      const char* why;
      const char* id;
      const char* pattern;
      const char* message_part;
    };
    const Row rows[] = {
        {"lookahead", "test.lookahead", R"(\b(tok_[a-z]{12})(?=\s))", "RE2"},
        {"backreference", "test.backref", R"(\b(tok_[a-z])\1)", "RE2"},
        {"counted repetition over 1000", "test.huge-repeat",
         R"(\b(tok_[a-z]{1,2000}))", "RE2"},
        {"no capture group", "test.no-capture", R"(\btok_[a-z]{12}\b)",
         "capture"},
    };
    for (const Row& row : rows) {
      INFO(row.why);
      const std::string yaml =
          "rules:\n" + testing::RuleYaml("test.fine", R"(\b(ok_[a-z]{12})\b)") +
          testing::RuleYaml(row.id, row.pattern);
      auto matcher = testing::BuildMatcherFromYaml(yaml);
      REQUIRE_FALSE(matcher.ok());
      const std::string& msg = matcher.error().message;
      CAPTURE(msg);
      CHECK(msg.find("test.yaml") != std::string::npos);
      CHECK(msg.find(row.id) != std::string::npos);
      CHECK(msg.find(row.message_part) != std::string::npos);
      CHECK(msg.find("test.fine") == std::string::npos);
    }
  }
}

}  // namespace
}  // namespace sprawl
