// Developer-client files (scanner/clients): every format's reader finds its
// credentials by place, with and without provider prefixes, keeps
// references out of the literals, survives malformed files with one
// diagnostic each, and gives the same results in dir, git history (full
// and --range) and --staged. Fixtures are generated here with synthetic
// values; nothing is read from disk but what the tests write.
#include <doctest/doctest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>

#include "scanner/clients/client_analysis.h"
#include "scanner/clients/client_files.h"
#include "scanner/clients/client_scan.h"
#include "scanner/pipelines/pipeline_scan.h"
#include "scanner/ruleset/rule_loader.h"
#include "scanner/scan/dir_scan.h"
#include "scanner/scan/git_scan.h"
#include "tests/test_util.h"

namespace sprawl {
namespace {

using testing::TempDir;
using testing::WriteFile;

std::string P(uint64_t n) {  // no provider prefix
  return testing::SyntheticToken("", testing::kAlnum, 28, 7000 + n);
}
std::string G(uint64_t n) {  // GitHub's checksummed format
  return testing::SyntheticGithubToken("ghp_", 7100 + n);
}
std::string B64(std::string_view s) {
  static const char* k =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : s) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(k[(acc >> bits) & 63]);
    }
  }
  if (bits > 0) out.push_back(k[(acc << (6 - bits)) & 63]);
  while (out.size() % 4) out.push_back('=');
  return out;
}

struct Fixture {
  std::string path;
  std::string content;
  std::string client;
  std::vector<std::string> literals;  // must be found, client set
  std::vector<std::string> refs;      // must be references, never literals
};

std::vector<Fixture> Fixtures() {
  std::vector<Fixture> f;
  f.push_back(
      {"api/orders.postman_collection.json",
       R"({"info":{"name":"Orders","schema":"https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
 "auth":{"type":"bearer","bearer":[{"key":"token","value":")" +
           P(1) + R"(","type":"string"}]},
 "item":[{"name":"list","request":{"method":"GET",
   "url":{"raw":"https://api.orders.test/v1/orders","host":["api","orders","test"]},
   "header":[{"key":"X-API-Key","value":")" +
           P(2) + R"("},
             {"key":"Authorization","value":"Bearer {{accessToken}}"}],
   "auth":{"type":"apikey","apikey":[{"key":"value","value":"{{apiKey}}"},{"key":"key","value":"X-Key"}]}}}],
 "variable":[{"key":"githubToken","value":")" +
           G(1) + R"("},{"key":"baseUrl","value":"https://api.orders.test"}]}
)",
       "postman",
       {P(1), P(2), G(1)},
       {"accessToken", "apiKey"}});
  f.push_back({"env/prod.postman_environment.json",
               R"({"name":"prod","values":[
 {"key":"svc_key","value":")" +
                   P(3) + R"(","type":"secret","enabled":true},
 {"key":"host","value":"api.test","type":"default"},
 {"key":"token","value":"{{vaultToken}}","type":"secret"}],
 "_postman_variable_scope":"environment"}
)",
               "postman",
               {P(3)},
               {"vaultToken"}});
  f.push_back(
      {"exports/orders-v2.json",
       R"({"info":{"schema":"https://schema.getpostman.com/json/collection/v2.0.0/collection.json"},
 "auth":{"type":"bearer","bearer":{"token":")" +
           P(4) + R"("}}}
)",
       "postman",
       {P(4)},
       {}});
  f.push_back({"insomnia-export.json",
               R"({"_type":"export","__export_format":4,"resources":[
 {"_type":"request","url":"https://billing.test/charge",
  "authentication":{"type":"bearer","token":")" +
                   P(5) + R"("},
  "headers":[{"name":"X-Api-Key","value":"{{ _.billingKey }}"}]},
 {"_type":"environment","data":{"stripe_secret":")" +
                   P(6) + R"(","base":"https://x.test"}}]}
)",
               "insomnia",
               {P(5), P(6)},
               {"billingKey"}});
  f.push_back(
      {"bruno/charge.bru",
       "meta {\n  name: charge\n}\n\npost {\n  url: https://pay.test/charge\n"
       "  auth: bearer\n}\n\nheaders {\n  X-Api-Key: " +
           P(7) + "\n  X-Trace: {{traceId}}\n}\n\nauth:bearer {\n  token: " +
           G(2) + "\n}\n\nvars:pre-request {\n  session: {{sessionToken}}\n}\n",
       "bruno",
       {P(7), G(2)},
       {"sessionToken"}});
  f.push_back({"bruno/environments/prod.bru",
               "vars {\n  host: https://pay.test\n  signing: " + P(8) +
                   "\n}\nvars:secret [\n  signing\n]\n",
               "bruno",
               {P(8)},
               {}});
  f.push_back(
      {"requests/api.http",
       "@token = " + P(9) +
           "\n@dotenvKey = {{$dotenv API_KEY}}\n@host = https://svc.test\n\n"
           "### list\nGET {{host}}/items HTTP/1.1\nAuthorization: Bearer " +
           G(3) +
           "\nX-Session-Token: {{process.env.SESSION_TOKEN}}\n\n"
           "### other\nPOST https://svc.test/other\n"
           "Authorization: {{$processEnv SERVICE_TOKEN}}\n",
       "http-file",
       {P(9), G(3)},
       {"API_KEY", "SESSION_TOKEN", "SERVICE_TOKEN"}});
  f.push_back({".npmrc",
               "registry=https://registry.npmjs.org/\n"
               "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n"
               "//npm.pkg.github.com/:_authToken=" +
                   G(4) +
                   "\n"
                   "//nexus.corp.test/repository/npm/:_auth=" +
                   B64("ci:" + P(10)) +
                   "\n//nexus2.corp.test/:_password=" + B64(P(11)) + "\n",
               "npm",
               {G(4), P(10), P(11)},
               {"NPM_TOKEN"}});
  f.push_back({".pypirc",
               "[distutils]\nindex-servers =\n  pypi\n  private\n\n[pypi]\n"
               "username = __token__\npassword = " +
                   P(12) +
                   "\n\n[private]\nrepository = https://pypi.corp.test/simple\n"
                   "username = deploy\npassword = " +
                   P(13) + "\n",
               "pypi",
               {P(12), P(13)},
               {}});
  f.push_back({".netrc",
               "machine api.corp.test login bot password " + P(14) +
                   "\nmachine github.com\n  login x\n  password " + G(5) + "\n",
               "netrc",
               {P(14), G(5)},
               {}});
  f.push_back({"home/.docker/config.json",
               R"({"auths":{"ghcr.io":{"auth":")" + B64("user:" + G(6)) +
                   R"("},"registry.corp.test":{"auth":")" +
                   B64("deploy:" + P(15)) +
                   R"("},"quay.test":{"identitytoken":")" + P(16) +
                   R"("}},"credsStore":"desktop"}
)",
               "docker",
               {G(6), P(15), P(16)},
               {}});
  const std::string key_data =
      testing::SyntheticToken("", testing::kAlnum, 64, 7218);
  f.push_back(
      {"home/.kube/config",
       "apiVersion: v1\nkind: Config\nclusters:\n- name: prod\n  cluster:\n"
       "    server: https://k8s.corp.test:6443\ncontexts:\n- name: prod\n"
       "  context:\n    cluster: prod\n    user: admin\nusers:\n"
       "- name: admin\n  user:\n    token: " +
           P(17) + "\n- name: cert\n  user:\n    client-key-data: " + key_data +
           "\n- name: basic\n  user:\n    username: admin\n    password: " +
           P(19) + "\n",
       "kubeconfig",
       {P(17), key_data, P(19)},
       {}});
  f.push_back({"home/.aws/credentials",
               "[default]\naws_access_key_id = AKIAIOSFODNN7TESTKEY\n"
               "aws_secret_access_key = " +
                   P(20) + "\n\n[dev]\naws_session_token = " + P(21) + "\n",
               "aws-cli",
               {P(20), P(21)},
               {}});
  f.push_back(
      {"gcloud/application_default_credentials.json",
       R"({"type":"authorized_user","client_id":"x.apps.googleusercontent.com","client_secret":")" +
           P(22) + R"(","refresh_token":"1//)" + P(23) + R"("}
)",
       "gcloud",
       {P(22), "1//" + P(23)},
       {}});
  f.push_back(
      {"home/.azure/msal_token_cache.json",
       R"({"AccessToken":{"k1":{"credential_type":"AccessToken","secret":")" +
           P(24) + R"(","environment":"login.microsoftonline.com"}},
 "RefreshToken":{"k2":{"secret":")" +
           P(25) + R"(","environment":"login.microsoftonline.com"}}}
)",
       "azure-cli",
       {P(24), P(25)},
       {}});
  f.push_back({"home/.azure/service_principal_entries.json",
               R"([{"client_id":"id","tenant":"t","client_secret":")" + P(26) +
                   R"("}])",
               "azure-cli",
               {P(26)},
               {}});
  f.push_back({".cursor/mcp.json",
               R"({"mcpServers":{
 "github":{"command":"npx","args":["-y","server-github"],"env":{"GITHUB_PERSONAL_ACCESS_TOKEN":")" +
                   G(7) + R"(","LOG_LEVEL":"debug"}},
 "remote":{"url":"https://mcp.corp.test/sse","headers":{"Authorization":"Bearer )" +
                   P(27) + R"("}},
 "ref":{"command":"x","env":{"OPENAI_API_KEY":"${env:OPENAI_KEY}"}}}}
)",
               "mcp",
               {G(7), P(27)},
               {"OPENAI_KEY"}});
  f.push_back(
      {".vscode/mcp.json",
       R"({"inputs":[{"type":"promptString","id":"api-key","password":true}],
 "servers":{"search":{"type":"stdio","command":"x",
   "env":{"SEARCH_API_KEY":"${input:api-key}","SEARCH_TOKEN":")" +
           P(28) + R"("}}}}
)",
       "mcp",
       {P(28)},
       {"api-key"}});
  f.push_back({"claude_desktop_config.json",
               R"({"mcpServers":{"db":{"command":"x","args":["--api-key",")" +
                   P(29) + R"("],"env":{"DB_PASSWORD":"${DB_PASSWORD}"}}}})",
               "mcp",
               {P(29)},
               {"DB_PASSWORD"}});
  f.push_back(
      {".mcp.json",
       R"({"mcpServers":{"h":{"type":"http","url":"https://h.test/mcp","headers":{"X-API-Key":")" +
           P(30) + R"("}}}})",
       "mcp",
       {P(30)},
       {}});
  return f;
}

const Matcher& FullMatcher() {
  static const std::unique_ptr<Matcher> matcher = [] {
    auto rules = LoadBuiltinRules();
    REQUIRE_MESSAGE(rules.ok(), rules.error().message);
    rules->push_back(PipelineLiteralSecretRule());
    for (Rule& r : ClientSecretRules()) rules->push_back(std::move(r));
    Diagnostics quiet(nullptr);
    auto m = Matcher::Build(std::move(rules).value(), MatcherOptions{}, &quiet);
    REQUIRE_MESSAGE(m.ok(), m.error().message);
    return std::move(m).value();
  }();
  return *matcher;
}

// (path, secret, client) of every finding in a client file.
using Seen = std::set<std::tuple<std::string, std::string, std::string>>;

Seen Collect(const std::vector<Finding>& findings) {
  Seen seen;
  for (const Finding& f : findings) {
    if (f.location.client) {
      seen.emplace(f.location.path, f.secret, f.location.client->client);
    }
  }
  return seen;
}

void WriteAll(const TempDir& dir, const std::vector<Fixture>& fixtures) {
  for (const Fixture& f : fixtures) WriteFile(dir.Sub(f.path), f.content);
}

void CheckFixtures(const std::vector<Finding>& findings,
                   const std::vector<PipelineReference>& refs,
                   const std::vector<Fixture>& fixtures) {
  const Seen seen = Collect(findings);
  for (const Fixture& f : fixtures) {
    for (const std::string& lit : f.literals) {
      CHECK_MESSAGE(seen.count({f.path, lit, f.client}) == 1,
                    f.path << ": literal not found as " << f.client);
    }
    for (const std::string& name : f.refs) {
      bool found = false;
      for (const auto& r : refs) {
        found = found ||
                (r.path == f.path && r.name == name && r.system == f.client);
      }
      CHECK_MESSAGE(found, f.path << ": reference " << name << " missing");
    }
  }
  for (const Finding& f : findings) {
    CHECK_MESSAGE(f.secret.find("{{") == std::string::npos,
                  f.location.path << ": a reference reported as a literal");
    CHECK_MESSAGE(f.secret.find("${") == std::string::npos,
                  f.location.path << ": a reference reported as a literal");
    CHECK(f.secret.find("process.env") == std::string::npos);
  }
}

DirScanResult ScanDir(const TempDir& dir, Diagnostics* diagnostics) {
  DirScanOptions options;
  options.roots = {dir.path()};
  options.threads = 2;
  auto r = ScanDirectories(options, FullMatcher(), diagnostics);
  REQUIRE(r.ok());
  return std::move(r).value();
}

GitScanResult ScanGit(const std::string& repo, const std::string& range,
                      bool staged, Diagnostics* diagnostics) {
  GitScanOptions options;
  options.repo_path = repo;
  options.range = range;
  options.staged = staged;
  options.threads = 2;
  auto r = ScanGitHistory(options, FullMatcher(), diagnostics);
  REQUIRE_MESSAGE(r.ok(), r.error().message);
  return std::move(r).value();
}

TEST_SUITE("clients") {
  TEST_CASE("client files are recognised by name and by content") {
    struct Case {
      const char* path;
      const char* head;
      const char* client;
    };
    const Case cases[] = {
        {"a/x.postman_collection.json", "", "postman"},
        {"x.json", R"({"info":{"schema":"https://schema.getpostman.com/j"}})",
         "postman"},
        {"x.json", R"({"_type":"export","__export_format":4})", "insomnia"},
        {"c/.docker/config.json", "", "docker"},
        {"other/config.json", R"({"auths":{}})", "docker"},
        {"other/config.json", R"({"name":"app"})", ""},
        {".kube/config", "", "kubeconfig"},
        {"k.yaml", "apiVersion: v1\nkind: Config\nusers:\n", "kubeconfig"},
        {".aws/credentials", "", "aws-cli"},
        {"credentials", "", ""},
        {"tools/mcp.json", R"({"mcpServers":{}})", "mcp"},
        {".vscode/mcp.json", "", "mcp"},
        {"sa.json", R"({"type": "service_account"})", "gcloud"},
        {"_netrc", "", "netrc"},
        {"a.rest", "", "http-file"},
        {"src/main.c", "", ""},
    };
    for (const Case& c : cases) {
      CAPTURE(c.path);
      CHECK(ClientFor(c.path, c.head) == c.client);
    }
  }

  TEST_CASE(
      "sprawl dir: every format's credentials are found by place, "
      "references never as literals") {
    TempDir dir;
    const auto fixtures = Fixtures();
    WriteAll(dir, fixtures);
    Diagnostics diagnostics(nullptr);
    const DirScanResult r = ScanDir(dir, &diagnostics);
    CHECK(diagnostics.warnings() == 0);
    CheckFixtures(r.findings, r.references, fixtures);
  }

  TEST_CASE("client context carries endpoint, server and key path") {
    TempDir dir;
    WriteAll(dir, Fixtures());
    Diagnostics diagnostics(nullptr);
    const DirScanResult r = ScanDir(dir, &diagnostics);
    struct Want {
      std::string secret, endpoint, server, key_path;
    };
    const Want wants[] = {
        {P(15), "registry.corp.test", "", "auths.\"registry.corp.test\".auth"},
        {P(17), "k8s.corp.test:6443", "", "users[0].user.token"},
        {P(27), "mcp.corp.test", "remote",
         "mcpServers.remote.headers.Authorization"},
        {P(14), "api.corp.test", "", "machine.\"api.corp.test\".password"},
        {G(4), "npm.pkg.github.com", "", "//npm.pkg.github.com/:_authToken"},
    };
    for (const Want& w : wants) {
      bool found = false;
      for (const Finding& f : r.findings) {
        if (f.secret != w.secret || !f.location.client) continue;
        found = true;
        CHECK(f.location.client->endpoint == w.endpoint);
        CHECK(f.location.client->server == w.server);
        CHECK(f.location.client->key_path == w.key_path);
      }
      CHECK_MESSAGE(found, w.key_path);
    }
  }

  TEST_CASE(
      "malformed client files are one diagnostic each, nothing else "
      "lost") {
    TempDir dir;
    const auto fixtures = Fixtures();
    WriteAll(dir, fixtures);
    WriteFile(dir.Sub("broken/x.postman_environment.json"),
              "{\"values\": [ {\"key\": \"a\", ");
    std::string bomb =
        "apiVersion: v1\nkind: Config\na: &a [x, x, x, x, x, x, x, x, x]\n";
    for (char c = 'b'; c <= 'k'; ++c) {
      bomb += std::string(1, c) + ": &" + c + " [*" + char(c - 1) + ", *" +
              char(c - 1) + ", *" + char(c - 1) + ", *" + char(c - 1) + ", *" +
              char(c - 1) + ", *" + char(c - 1) + ", *" + char(c - 1) + ", *" +
              char(c - 1) + ", *" + char(c - 1) + "]\n";
    }
    bomb += "users: []\n";
    WriteFile(dir.Sub("bomb/.kube/config"), bomb);
    WriteFile(dir.Sub("bin/.docker/config.json"),
              std::string("{\"auths\":\0\0\x01\x02", 14));
    Diagnostics diagnostics(nullptr);
    const DirScanResult r = ScanDir(dir, &diagnostics);
    CHECK(diagnostics.warnings() == 3);
    CheckFixtures(r.findings, r.references, fixtures);
  }

  TEST_CASE(
      "git history (full and --range) and --staged find what dir "
      "finds") {
    TempDir dir;
    const auto fixtures = Fixtures();
    testing::RunGit(dir.path(), {"init", "-q"});
    WriteFile(dir.Sub("README"), "x\n");
    testing::RunGit(dir.path(), {"add", "-A"});
    testing::RunGit(dir.path(), {"commit", "-q", "-m", "base"});
    WriteAll(dir, fixtures);
    Diagnostics diagnostics(nullptr);
    const DirScanResult d = ScanDir(dir, &diagnostics);
    const Seen from_dir = Collect(d.findings);

    testing::RunGit(dir.path(), {"add", "-A"});
    const GitScanResult staged = ScanGit(dir.path(), "", true, &diagnostics);
    CheckFixtures(staged.findings, staged.references, fixtures);
    CHECK(Collect(staged.findings) == from_dir);

    testing::RunGit(dir.path(), {"commit", "-q", "-m", "clients"});
    const GitScanResult full = ScanGit(dir.path(), "", false, &diagnostics);
    CheckFixtures(full.findings, full.references, fixtures);
    CHECK(Collect(full.findings) == from_dir);
    const GitScanResult range =
        ScanGit(dir.path(), "HEAD~1..HEAD", false, &diagnostics);
    CheckFixtures(range.findings, range.references, fixtures);
    CHECK(Collect(range.findings) == from_dir);
    CHECK(diagnostics.warnings() == 0);
  }
}

}  // namespace
}  // namespace sprawl
