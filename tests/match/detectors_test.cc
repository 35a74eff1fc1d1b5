// Issue 17: compact keyword-anchored detectors (expansion, matching in the
// typical contexts, synthetic check cases), value shapes the generic rule
// rejects, typed-out sequences in the placeholder filter, test files by name,
// and the confidence floor of the gate. Every key is generated at test time.
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "scanner/findings/credential.h"
#include "scanner/findings/pairing.h"
#include "scanner/base/redact.h"
#include "scanner/findings/test_paths.h"
#include "scanner/inventory/reconcile.h"
#include "scanner/match/placeholder.h"
#include "scanner/match/rule_checker.h"
#include "scanner/match/synthetic_cases.h"
#include "scanner/match/value_shapes.h"
#include "scanner/ruleset/rule_loader.h"
#include "scanner/scan/content_scanner.h"
#include "scanner/scan/encoded_spans.h"
#include "tests/test_util.h"

namespace sprawl {
namespace {

constexpr const char* kPack = R"(provider: acme
detectors:
  - id: wavelet.api-key
    name: Wavelet API key
    provider: wavelet
    category: ai
    keywords: [wavelet]
    hosts: [api.wavelet.test]
    token: {alphabet: hex, length: 40, case: lower}
    references: [https://docs.wavelet.test/auth]
  - id: quokka.token
    name: Quokka token
    provider: quokka
    category: saas
    confidence: low
    keywords: [quokka]
    token: {alphabet: alnum, length: 24-32, prefix: "qk-"}
    min_entropy: 3.2
    references: [https://docs.quokka.test/tokens]
  - id: lemur.secret
    name: Lemur secret
    provider: lemur
    category: saas
    hosts: [api.lemur.test]
    token: {alphabet: uuid}
    references: [https://docs.lemur.test/secrets]
)";

std::vector<Rule> LoadPack(const std::string& text) {
  auto rules = ParseRulePack(text, "test.yaml");
  REQUIRE_MESSAGE(rules.ok(), (rules.ok() ? "" : rules.error().message));
  return std::move(rules).value();
}

TEST_SUITE("compact detectors") {
  TEST_CASE("a detector expands into one ordinary rule with its shape") {
    const std::vector<Rule> rules = LoadPack(kPack);
    REQUIRE(rules.size() == 3);
    const struct {
      const char* id;
      const char* shape;  // must occur in the pattern
      const char* prefix;
      Confidence confidence;
      double min_entropy;
      std::size_t keywords;
    } rows[] = {
        {"wavelet.api-key", "([0-9a-f]{40})", "", Confidence::kMedium, 3.0, 2},
        {"quokka.token", "(qk\\-[A-Za-z0-9]{24,32})", "qk-", Confidence::kLow,
         3.2, 1},
        {"lemur.secret", "{8}-[0-9A-Fa-f]{4}-", "", Confidence::kMedium, 3.0,
         1},
    };
    for (std::size_t i = 0; i < 3; ++i) {
      CAPTURE(rows[i].id);
      const Rule& r = rules[i];
      CHECK(r.id == rows[i].id);
      CHECK(r.pattern.find(rows[i].shape) != std::string::npos);
      CHECK(r.pattern.rfind("(?i:", 0) == 0);
      CHECK(r.prefix == rows[i].prefix);
      CHECK(r.confidence == rows[i].confidence);
      CHECK(r.min_entropy == doctest::Approx(rows[i].min_entropy));
      CHECK(r.keywords.size() == rows[i].keywords);
      CHECK(r.detector.has_value());
      CHECK(r.examples.empty());
    }
  }

  TEST_CASE("a broken detector is an error naming the rule and field") {
    const struct {
      const char* token;
      const char* extra;
      const char* message;
    } rows[] = {
        {"{alphabet: hexx, length: 32}", "", "unknown alphabet"},
        {"{alphabet: hex}", "", "field 'length'"},
        {"{alphabet: hex, length: 4}", "", "within 8..512"},
        {"{alphabet: hex, length: 40-32}", "", "within 8..512"},
        {"{alphabet: hex, length: abc}", "", "N or MIN-MAX"},
        {"{alphabet: uuid, length: 36}", "", "always 36"},
        {"{alphabet: hex, length: 32, case: title}", "", "lower, upper"},
        {"{alphabet: hex, length: 32, size: 3}", "", "unknown key 'size'"},
        {"{alphabet: hex, length: 32}", "    pattern: 'x(y)'\n",
         "unknown field"},
        {"{alphabet: hex, length: 32}", "    keywords: [ab]\n",
         "shorter than 3"},
    };
    for (const auto& row : rows) {
      CAPTURE(row.token);
      std::string pack =
          "detectors:\n  - id: acme.key\n    name: Acme key\n    provider: "
          "acme\n    category: saas\n    token: " +
          std::string(row.token) + "\n    references: [https://acme.test]\n" +
          row.extra;
      if (std::string(row.extra).find("keywords") == std::string::npos) {
        pack += "    keywords: [acme]\n";
      }
      auto rules = ParseRulePack(pack, "test.yaml");
      REQUIRE_FALSE(rules.ok());
      CHECK(rules.error().message.find("rule acme.key") != std::string::npos);
      CHECK(rules.error().message.find(row.message) != std::string::npos);
    }
    auto none = ParseRulePack(
        "detectors:\n  - {id: acme.key, name: k, provider: acme, category: "
        "saas, token: {alphabet: hex, length: 32}, references: [u]}\n",
        "test.yaml");
    REQUIRE_FALSE(none.ok());
    CHECK(none.error().message.find("needs keywords or hosts") !=
          std::string::npos);
  }

  TEST_CASE("an expanded detector finds its key in the typical contexts") {
    auto matcher = testing::BuildMatcherFromYaml(kPack);
    REQUIRE_MESSAGE(matcher.ok(),
                    (matcher.ok() ? "" : matcher.error().message));
    auto scratch = (*matcher)->NewScratch();
    const std::string hex = testing::SyntheticToken("", testing::kHexLower, 40, 1701);
    const std::string qk = testing::SyntheticToken("qk-", testing::kAlnum, 28, 1702);
    const std::string uuid = "3f9c2a71-5be4-4d08-9c6e-" +
                             testing::SyntheticToken("", testing::kHexLower, 12, 1703);
    const struct {
      std::string text;
      std::string secret;  // "" = no match of any detector
    } rows[] = {
        {"WAVELET_API_KEY=" + hex, hex},
        {"wavelet_key: \"" + hex + "\"", hex},
        {"{\"waveletApiKey\": \"" + hex + "\"}", hex},
        {"wavelet.api.key=" + hex, hex},
        {"export WAVELET_TOKEN='" + hex + "'", hex},
        {"wavelet_api_key = \"" + hex + "\"", hex},
        {"const waveletKey = '" + hex + "';", hex},
        {"waveletToken := \"" + hex + "\"", hex},
        {"os.environ[\"WAVELET_API_KEY\"] = \"" + hex + "\"", hex},
        {"client = WaveletClient(\"" + hex + "\")", hex},
        {"curl https://api.wavelet.test/v1/x \\\n  -H \"Authorization: Token " +
             hex + "\"",
         hex},
        {"# Wavelet\nAPI_KEY = \"" + hex + "\"", hex},
        {"QUOKKA_TOKEN=" + qk, qk},
        {"base = 'https://api.lemur.test'\nsecret: " + uuid, uuid},
        // Near misses.
        {"WIDGET_API_KEY=" + hex, ""},
        {"WAVELET_API_KEY=" + hex + "0", ""},
        {"WAVELET_API_KEY=" + hex.substr(1), ""},
        {"WAVELET_API_KEY=" + hex.substr(0, 20) + "g" + hex.substr(21), ""},
        {"WAVELET_API_KEY=" + std::string(40, '0'), ""},
        {"WAVELET_COMMIT=" + hex, ""},
        {"QUOKKA_TOKEN=" + qk.substr(3), ""},
        {"secret: " + uuid, ""},
    };
    std::vector<Match> matches;
    for (const auto& row : rows) {
      CAPTURE(row.text);
      matches.clear();
      (*matcher)->Scan(row.text, scratch.get(), &matches);
      if (row.secret.empty()) {
        CHECK(matches.empty());
        continue;
      }
      REQUIRE(matches.size() >= 1);
      const Match& m = matches.front();
      CHECK(row.text.substr(m.secret_begin, m.secret_end - m.secret_begin) ==
            row.secret);
    }
  }

  TEST_CASE("rules check holds a detector to synthetic positives and near "
            "misses") {
    auto matcher = testing::BuildMatcherFromYaml(kPack);
    REQUIRE(matcher.ok());
    for (const Rule& r : (*matcher)->rules()) {
      CAPTURE(r.id);
      const SyntheticCases cases = MakeSyntheticCases(r);
      CHECK(cases.positives.size() >= 2);
      CHECK(cases.negatives.size() >= 3);
      std::vector<std::string> labels;
      for (const auto& c : cases.negatives) labels.push_back(c.label);
      CHECK(std::find(labels.begin(), labels.end(), "wrong alphabet") !=
            labels.end());
      CHECK(std::find(labels.begin(), labels.end(), "placeholder") !=
            labels.end());
      for (const auto& c : cases.positives) {
        CHECK(c.text.find(c.secret) != std::string::npos);
      }
      // Reproducible: the same rule gives the same cases.
      CHECK(MakeSyntheticCases(r).positives.front().secret ==
            cases.positives.front().secret);
    }
    CHECK(CheckRules(**matcher).empty());
    // A detector whose entropy floor its own keys cannot reach (40 hex
    // characters carry at most 4 bits a byte) fails the check.
    std::string loose = kPack;
    loose.replace(loose.find("case: lower}"), 12,
                  "case: lower}\n    min_entropy: 4.5");
    auto bad = testing::BuildMatcherFromYaml(loose);
    REQUIRE(bad.ok());
    const auto problems = CheckRules(**bad);
    REQUIRE_FALSE(problems.empty());
    CHECK(problems.front().rule_id == "wavelet.api-key");
  }

  TEST_CASE("the built-in packs hold at least 200 compact detectors") {
    // matcher_test runs CheckRules over every built-in rule, synthetic cases
    // included.
    std::size_t detectors = 0;
    for (const Rule& r : testing::BuiltinMatcher().rules()) {
      detectors += r.detector ? 1 : 0;
    }
    CHECK(detectors >= 200);
  }
}

TEST_SUITE("value shapes") {
  TEST_CASE("the generic rule's reject list recognises non-secrets") {
    const struct {
      std::string value;
      uint32_t shape;  // 0 = none of them
    } rows[] = {
        {testing::SyntheticToken("", testing::kHexLower, 40, 11), kRejectHexDigest},
        {testing::SyntheticToken("", testing::kHexLower, 64, 12), kRejectHexDigest},
        {testing::SyntheticToken("", testing::kHexLower, 128, 13), kRejectHexDigest},
        {testing::SyntheticToken("", testing::kHexLower, 33, 14), 0},
        {"7e4c7e31-0d5c-4b6e-8f7a-2c1d9e8b7a60", kRejectUuid},
        {"1.2.3", kRejectVersion},
        {"v2.0.1-rc.1+build5", kRejectVersion},
        {"src/app/config2.yaml", kRejectPath},
        {"./certs/server.pem", kRejectPath},
        {"access_token_v2", kRejectWords},
        {"refreshTokenName2", kRejectWords},
        {"HTTPServerConfig1", kRejectWords},
        {testing::SyntheticToken("", testing::kAlnum, 32, 15), 0},
        {testing::SyntheticToken("", testing::kBase64, 40, 16), 0},
        {"aB3/xY9+kLm2/Qr7sT1uVw", 0},
    };
    const uint32_t all = kRejectHexDigest | kRejectUuid | kRejectVersion |
                         kRejectPath | kRejectWords;
    for (const auto& row : rows) {
      CAPTURE(row.value);
      if (row.shape == 0) {
        CHECK_FALSE(IsRejectedValue(row.value, all));
      } else {
        CHECK(IsRejectedValue(row.value, row.shape));
        CHECK_FALSE(IsRejectedValue(row.value, all & ~row.shape));
      }
    }
  }

  TEST_CASE("generic.assigned-secret stays silent on digests, baselines and "
            "names but still reports a random literal") {
    const Matcher& m = testing::BuiltinMatcher();
    auto scratch = m.NewScratch();
    const std::string sha1 = testing::SyntheticToken("", testing::kHexLower, 40, 21);
    const std::string real = testing::SyntheticToken("", testing::kAlnum, 32, 22);
    const struct {
      std::string text;
      bool generic;
    } rows[] = {
        {"      \"hashed_secret\": \"" + sha1 + "\",", false},
        {"password_sha1 = \"" + sha1 + "\"", false},
        {"api_key = \"7e4c7e31-0d5c-4b6e-8f7a-2c1d9e8b7a60\"", false},
        {"token_version = \"v3.12.0-beta2\"", false},
        {"secret_path = \"deploy/secrets/prod2.yaml\"", false},
        {"webhook_secret = \"" + real + "\"", true},
    };
    std::vector<Match> matches;
    for (const auto& row : rows) {
      CAPTURE(row.text);
      matches.clear();
      m.Scan(row.text, scratch.get(), &matches);
      bool generic = false;
      for (const Match& x : matches) {
        generic = generic || m.rules()[x.rule].id == "generic.assigned-secret";
      }
      CHECK(generic == row.generic);
    }
  }

  TEST_CASE("typed-out sequences drop a value only when they are most of it") {
    std::string random = testing::SyntheticToken("", testing::kAlnum, 32, 31);
    const struct {
      std::string secret;
      bool placeholder;
    } rows[] = {
        {"1234567890abcdefghijklmnopqrstuv", true},
        {"abcdefghijklmnop", true},
        {random.substr(0, 12) + "12345678" + random.substr(12, 12), false},
        {random.substr(0, 14) + "abcdefgh" + random.substr(14, 10), false},
        {random, false},
    };
    for (const auto& row : rows) {
      CAPTURE(row.secret);
      CHECK(LooksLikePlaceholder(row.secret, "") == row.placeholder);
    }
  }
}

TEST_SUITE("test file names") {
  TEST_CASE("test files are recognised by name across languages") {
    const struct {
      const char* path;
      bool test;
    } rows[] = {
        {"pkg/auth/token_test.go", true},
        {"pkg/auth/token.go", false},
        {"app/test_settings.py", true},
        {"app/settings_test.py", true},
        {"app/conftest.py", true},
        {"app/contest.py", false},
        {"web/src/api.spec.ts", true},
        {"web/src/api.test.tsx", true},
        {"web/src/api.test.js", true},
        {"web/src/api.ts", false},
        {"src/main/java/com/acme/ClientTest.java", true},
        {"src/main/java/com/acme/Client.java", false},
        {"spec_helper/client_spec.rb", true},
        {"lib/client.rb", false},
        {"config/.env.example", true},
        {"config/settings.yaml.sample", true},
        {"config/.env", false},
        {"latest.py", false},
    };
    for (const auto& row : rows) {
      CAPTURE(row.path);
      CHECK(IsTestFileName(row.path) == row.test);
    }
    CHECK(TestLocationOf("src/__tests__/api.js") == "__tests__/");
    CHECK(TestLocationOf("pkg/x_test.go") == "x_test.go");
    CHECK(TestLocationOf("pkg/x.go").empty());
  }
}

TEST_SUITE("min confidence") {
  ReportedCredential At(const char* confidence, const char* path) {
    ReportedCredential c;
    c.fingerprint = "sha256:" + std::string(64, 'b');
    c.rule = "acme.token";
    c.confidence = confidence;
    Location l;
    l.source = "file";
    l.path = path;
    l.line = 1;
    l.column = 1;
    c.locations.push_back(l);
    return c;
  }

  TEST_CASE("a credential fails the gate only at or above the floor") {
    const struct {
      const char* confidence;
      const char* path;
      Confidence floor;
      bool fails;
      const char* reported;  // confidence after test-location lowering
    } rows[] = {
        {"low", "app/.env", Confidence::kMedium, false, "low"},
        {"medium", "app/.env", Confidence::kMedium, true, "medium"},
        {"high", "app/.env", Confidence::kMedium, true, "high"},
        {"low", "app/.env", Confidence::kLow, true, "low"},
        {"medium", "app/.env", Confidence::kHigh, false, "medium"},
        {"high", "pkg/auth_test.go", Confidence::kMedium, false, "low"},
        {"high", "pkg/auth_test.go", Confidence::kLow, true, "low"},
    };
    for (const auto& row : rows) {
      CAPTURE(row.confidence);
      CAPTURE(row.path);
      Report report;
      report.credentials.push_back(At(row.confidence, row.path));
      ReconcileOptions options;
      options.fail_on = {"unregistered"};
      options.min_confidence = row.floor;
      Reconcile(Inventory{}, options, &report);
      const ReportedCredential& c = report.credentials.front();
      CHECK(c.status == "unregistered");
      CHECK(c.confidence == row.reported);
      CHECK(c.fails == row.fails);
    }
    CHECK(ParseMinConfidence("medium", "x").ok());
    CHECK_FALSE(ParseMinConfidence("mid", "--min-confidence").ok());
  }
}

// Scans `files` (path -> text) with the built-in rules, groups and pairs.
std::vector<Credential> ScanAndPair(
    const std::vector<std::pair<std::string, std::string>>& files) {
  const Matcher& m = testing::BuiltinMatcher();
  ContentScanner scanner(m);
  std::vector<Finding> findings;
  for (const auto& [path, text] : files) {
    std::vector<Hit> hits;
    scanner.ScanBuffer(text, &hits);
    for (Hit& h : hits) {
      Finding f;
      f.rule = h.rule;
      f.secret = h.secret;
      f.location.source = "file";
      f.location.path = path;
      f.location.line = h.line;
      f.location.column = h.column;
      findings.push_back(std::move(f));
    }
  }
  auto creds = GroupCredentials(std::move(findings), m.rules(), Fingerprinter());
  PairCredentials(m.rules(), &creds);
  return creds;
}

TEST_SUITE("multi-part credentials") {
  TEST_CASE("an identifier near its secret joins it as one credential") {
    const std::string akid = testing::SyntheticToken("AKIA", testing::kUpperDigits, 16, 41);
    const std::string aws_secret = testing::SyntheticToken("", testing::kBase64, 40, 42);
    const std::string az_key = testing::SyntheticToken("", testing::kHexLower, 32, 43);
    const std::string sid = "AC" + testing::SyntheticToken("", testing::kHexLower, 32, 44);
    const std::string tw_token = testing::SyntheticToken("", testing::kHexLower, 32, 45);
    const std::string pg_pass = testing::SyntheticToken("", testing::kAlnum, 20, 46);
    const struct {
      const char* name;
      std::string text;
      std::string secret;       // the credential that must carry...
      std::string identifier;   // ...this identifier ("" = none)
      std::string rule;         // and be named by this rule
      std::size_t credentials;  // credentials reported in all
    } rows[] = {
        {"aws key id and secret",
         "[default]\naws_access_key_id = " + akid +
             "\naws_secret_access_key = " + aws_secret + "\n",
         aws_secret, RedactSecret(akid, "A"), "aws.secret-access-key", 1},
        {"aws key id alone stays a credential",
         "aws_access_key_id = " + akid + "\n", akid, "", "aws.access-key-id", 1},
        {"aws key id far from the secret stays a credential",
         "aws_access_key_id = " + akid + "\n" + std::string(20, '\n') +
             "aws_secret_access_key = " + aws_secret + "\n",
         aws_secret, "", "aws.secret-access-key", 2},
        {"azure openai key on the line after the endpoint, no keyword",
         "endpoint: https://acme-prod.openai.azure.com/\napi_key: " + az_key +
             "\n",
         az_key, "acme-prod.openai.azure.com", "azure-openai.api-key", 1},
        {"twilio sid and auth token",
         "TWILIO_ACCOUNT_SID=" + sid + "\nTWILIO_AUTH_TOKEN=" + tw_token + "\n",
         tw_token, sid, "twilio.auth-token", 1},
        {"database host and password",
         "DATABASE_URL=postgres://app:" + pg_pass + "@db-7.acme.internal:5432/app\n",
         pg_pass, "db-7.acme.internal", "postgres.connection-url-password", 1},
        {"an endpoint alone is never a credential",
         "AZURE_OPENAI_ENDPOINT=https://acme-prod.openai.azure.com/\n", "", "",
         "", 0},
    };
    const Matcher& m = testing::BuiltinMatcher();
    for (const auto& row : rows) {
      CAPTURE(row.name);
      const auto creds = ScanAndPair({{"app/config", row.text}});
      CHECK(creds.size() == row.credentials);
      if (row.secret.empty()) continue;
      bool found = false;
      for (const Credential& c : creds) {
        if (c.secret != row.secret) continue;
        found = true;
        CHECK(c.identifier == row.identifier);
        CHECK(m.rules()[c.rule].id == row.rule);
        CHECK(c.fingerprint == Fingerprinter()(row.secret));
      }
      CHECK(found);
    }
  }

  TEST_CASE("an identifier in another file does not pair") {
    const std::string akid = testing::SyntheticToken("AKIA", testing::kUpperDigits, 16, 51);
    const std::string secret = testing::SyntheticToken("", testing::kBase64, 40, 52);
    const auto creds = ScanAndPair(
        {{"a.ini", "aws_access_key_id = " + akid + "\n"},
         {"b.ini", "aws_secret_access_key = " + secret + "\n"}});
    REQUIRE(creds.size() == 2);
    for (const Credential& c : creds) CHECK(c.identifier.empty());
  }
}

std::string Base64(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : in) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(acc >> bits) & 63]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(acc << (6 - bits)) & 63]);
  while (out.size() % 4 != 0) out.push_back('=');
  return out;
}

std::string Percent(std::string_view in) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : in) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.') {
      out.push_back(static_cast<char>(c));
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

TEST_SUITE("encoded secrets") {
  TEST_CASE("base64 and percent-encoding decode, and only text is kept") {
    const std::string plain = "user:" + testing::SyntheticToken("", testing::kAlnum, 20, 61);
    std::string out;
    CHECK(DecodeBase64(Base64(plain), &out));
    CHECK(out == plain);
    std::string url_safe = Base64(plain);
    for (char& c : url_safe) c = c == '+' ? '-' : c == '/' ? '_' : c;
    while (!url_safe.empty() && url_safe.back() == '=') url_safe.pop_back();
    CHECK(DecodeBase64(url_safe, &out));
    CHECK(out == plain);
    CHECK_FALSE(DecodeBase64("abc!def", &out));
    CHECK(DecodePercent("key%3Dv%2Fw", &out));
    CHECK(out == "key=v/w");
    CHECK_FALSE(DecodePercent("no escapes", &out));
    CHECK_FALSE(DecodePercent("printf %08x", &out));
    CHECK(LooksLikeText("hello: world\n"));
    CHECK_FALSE(LooksLikeText(std::string("\x01\x02\x03\xff\xfe", 5)));
  }

  TEST_CASE("a secret inside an encoding is found at the encoded text") {
    const std::string openai =
        testing::SyntheticToken("sk-proj-", testing::kUrlSafe, 56, 62);
    const std::string gh = testing::SyntheticGithubToken("ghp_", 63);
    const std::string deepgram =
        testing::SyntheticToken("", testing::kHexLower, 40, 64);
    const std::string k8s = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\n"
                            "data:\n  OPENAI_API_KEY: " + Base64(openai) + "\n";
    const std::string docker = "{\"auths\": {\"ghcr.io\": {\"auth\": \"" +
                               Base64("octo:" + gh) + "\"}}}";
    const std::string basic = "curl -H \"Authorization: Basic " +
                              Base64("x-access-token:" + gh) + "\" https://x";
    const std::string twice = "apiVersion: v1\nkind: Secret\ndata:\n  token: " +
                              Base64("Authorization: Basic " +
                                     Base64("x:" + gh)) + "\n";
    const std::string url = "https://hooks.acme.test/cb?cfg=" +
                            Percent("DEEPGRAM_API_KEY=" + deepgram) + " end";
    const struct {
      const char* name;
      std::string text;
      std::string secret;
      std::string encoded_start;  // the hit's offset is where this begins
    } rows[] = {
        {"kubernetes secret data", k8s, openai, Base64(openai)},
        {"docker auths", docker, gh, Base64("octo:" + gh)},
        {"basic auth header", basic, gh, Base64("x-access-token:" + gh)},
        {"two encodings deep", twice, gh, twice.substr(twice.rfind("token: ") + 7)},
        {"percent-encoded", url, deepgram, url.substr(url.find("cfg=") + 4)},
    };
    ContentScanner scanner(testing::BuiltinMatcher());
    for (const auto& row : rows) {
      CAPTURE(row.name);
      std::vector<Hit> hits;
      scanner.ScanBuffer(row.text, &hits);
      const Hit* hit = nullptr;
      for (const Hit& h : hits) {
        if (h.secret == row.secret) hit = &h;
      }
      REQUIRE(hit != nullptr);
      const std::size_t at = row.text.find(row.encoded_start);
      REQUIRE(at != std::string::npos);
      CHECK(hit->offset == at);
      CHECK(hit->line == testing::LineAt(row.text, at));
      CHECK(hit->column == testing::ColumnAt(row.text, at));
    }
    // Plain base64 without a context is not decoded.
    std::vector<Hit> hits;
    scanner.ScanBuffer("blob = " + Base64(openai) + "\n", &hits);
    for (const Hit& h : hits) CHECK(h.secret != openai);
  }

  TEST_CASE("hits from encoded spans and plain hits come out in one offset order") {
    // The encoded secret comes first in the text, a plain one after it: the
    // scanner finds the plain one in its first pass and the encoded one in
    // its second, and must still hand them over in offset order (callers
    // count lines incrementally and the fuzz target asserts it).
    const std::string gh = testing::SyntheticGithubToken("ghp_", 71);
    const std::string openai =
        testing::SyntheticToken("sk-proj-", testing::kUrlSafe, 56, 72);
    const std::string text = "curl -H \"Authorization: Basic " +
                             Base64("x-access-token:" + gh) +
                             "\" https://x\nOPENAI_API_KEY=" + openai + "\n";
    ContentScanner scanner(testing::BuiltinMatcher());
    std::vector<Hit> hits;
    scanner.ScanBuffer(text, &hits);
    bool saw_gh = false;
    bool saw_openai = false;
    for (std::size_t i = 0; i < hits.size(); ++i) {
      if (i > 0) CHECK(hits[i - 1].offset <= hits[i].offset);
      saw_gh = saw_gh || hits[i].secret == gh;
      saw_openai = saw_openai || hits[i].secret == openai;
    }
    CHECK(saw_gh);
    CHECK(saw_openai);
  }

  TEST_CASE("encoded spans are bounded in number and size") {
    std::string many = "kind: Secret\ndata:\n";
    for (int i = 0; i < 400; ++i) {
      many += "  k" + std::to_string(i) + ": " +
              Base64("value-" + std::to_string(i) + "-padding-text") + "\n";
    }
    CHECK(FindEncodedSpans(many).size() == kMaxSpans);
    const std::string huge = "kind: Secret\ndata:\n  k: " +
                             Base64(std::string(kMaxEncodedSpan, 'a')) + "\n";
    CHECK(FindEncodedSpans(huge).empty());
  }
}

}  // namespace
}  // namespace sprawl
