// Pipeline files in a history are analysed per distinct blob (issue 19):
// one parse and one diagnostic per blob however many paths and commits hold
// it, historic versions parsed only when they could hold a literal secret,
// references from the versions at ref tips; and the prefilter that decides
// it never passes over a file the analyzer finds a literal secret or a
// pipeline finding in.
#include <doctest/doctest.h>
#include <git2.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "scanner/git/git_handles.h"
#include "scanner/pipelines/pipeline_analyzer.h"
#include "scanner/pipelines/pipeline_files.h"
#include "scanner/pipelines/pipeline_prefilter.h"
#include "scanner/pipelines/pipeline_scan.h"
#include "scanner/scan/git_pipeline_annotator.h"
#include "tests/git_test_repo.h"

namespace sprawl {
namespace {

using testing::TestRepo;

// The test token rule plus pipeline.literal-secret, as the CLI adds it.
const Matcher& PipelineMatcher() {
  static const std::unique_ptr<Matcher> m = [] {
    std::vector<Rule> rules = testing::TestMatcher().rules();
    rules.push_back(PipelineLiteralSecretRule());
    Diagnostics quiet(nullptr);
    auto r = Matcher::Build(std::move(rules), MatcherOptions{}, &quiet);
    REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
    return std::move(r).value();
  }();
  return *m;
}

GitScanResult ScanWith(const std::string& path, Diagnostics* diagnostics,
                       int threads = 2) {
  GitScanOptions options;
  options.repo_path = path;
  options.threads = threads;
  auto r = ScanGitHistory(options, PipelineMatcher(), diagnostics);
  REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
  return std::move(r).value();
}

std::string Password(uint64_t seed) {
  return testing::SyntheticToken("", testing::kAlnum, 24, seed);
}

std::string Workflow(const std::string& env) {
  return "name: ci\non: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n"
         "    env:\n" +
         env + "    steps:\n      - run: make\n";
}

std::size_t Count(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (std::size_t at = text.find(part); at != std::string::npos;
       at = text.find(part, at + 1)) {
    ++n;
  }
  return n;
}

git_oid BlobOid(TestRepo& repo, const std::string& rev) {
  git_oid oid;
  REQUIRE(git_oid_fromstr(&oid, repo.Git({"rev-parse", rev}).c_str()) == 0);
  return oid;
}

TEST_SUITE("git pipeline cache") {
  TEST_CASE("the same blob at many paths and commits is parsed once") {
    TestRepo repo;
    const std::string secret = Password(1901);
    const std::string wf = Workflow("      DEPLOY_PASSWORD: " + secret + "\n");
    for (const char* p : {".github/workflows/a.yml", ".github/workflows/b.yml",
                          "sub/.github/workflows/c.yml"}) {
      repo.Write(p, wf);
    }
    repo.Commit("three copies");
    for (int i = 0; i < 5; ++i) {
      repo.Write("notes.txt", "edit " + std::to_string(i) + "\n");
      repo.Commit("edit " + std::to_string(i));
    }
    repo.Git({"mv", ".github/workflows/b.yml", ".github/workflows/d.yml"});
    repo.Commit("rename");

    // Directly: many requests for one blob, one parse.
    EnsureLibgit2();
    const std::string objects = repo.Sub(".git/objects");
    GitOdbPtr odb = OpenPrivateOdb(objects, 0);
    REQUIRE(odb != nullptr);
    Diagnostics quiet(nullptr);
    GitPipelineAnnotator annotator(odb.get(), PipelineMatcher(), &quiet,
                                   5u << 20);
    const git_oid blob = BlobOid(repo, "HEAD:.github/workflows/a.yml");
    std::vector<GitPipelineAnnotator::Request> requests;
    for (const char* p : {".github/workflows/a.yml", ".github/workflows/d.yml",
                          "sub/.github/workflows/c.yml"}) {
      for (bool needed : {false, true}) {
        requests.push_back({blob, "github-actions", p, needed});
      }
    }
    annotator.Prepare(requests, objects, 2, nullptr);
    CHECK(annotator.parsed() == 1);
    std::vector<Finding> findings;
    for (const auto& r : requests) {
      Location where;
      where.source = "git";
      where.path = r.path;
      annotator.Annotate(r.system, r.blob, where, &findings, findings.size());
    }
    CHECK(annotator.parsed() == 1);  // Annotate reused the analysis
    REQUIRE(findings.size() == requests.size());
    for (const Finding& f : findings) {
      CHECK(f.secret == secret);
      CHECK(f.location.line == 7);
      REQUIRE(f.location.pipeline.has_value());
      CHECK(f.location.pipeline->key_path == "jobs.build.env.DEPLOY_PASSWORD");
    }

    // Through the scan: the literal at every path it was ever at.
    Diagnostics diags(nullptr);
    GitScanResult result = ScanWith(repo.path(), &diags);
    std::set<std::string> paths;
    for (const Finding& f : result.findings) {
      if (f.secret == secret) paths.insert(f.location.path);
    }
    CHECK(paths == std::set<std::string>{".github/workflows/a.yml",
                                         ".github/workflows/b.yml",
                                         ".github/workflows/d.yml",
                                         "sub/.github/workflows/c.yml"});
  }

  TEST_CASE(
      "a malformed workflow is one diagnostic per blob, not per location") {
    TestRepo repo;
    const std::string broken =
        "jobs:\n  build:\n    env: {A: 1\n    steps: [\n";  // unclosed flow
    for (const char* p : {".github/workflows/x.yml", ".github/workflows/y.yml",
                          ".gitlab-ci.yml"}) {
      repo.Write(p, broken);
    }
    repo.Commit("broken");
    for (int i = 0; i < 4; ++i) {
      repo.Write("notes.txt", std::to_string(i));
      repo.Commit("edit");
    }
    repo.Git({"tag", "v1"});
    Diagnostics diags(nullptr);
    ScanWith(repo.path(), &diags);
    // Two systems read the blob (github-actions, gitlab-ci): one each.
    CHECK(Count(diags.Text(), "malformed YAML") == 2);
  }

  TEST_CASE("historic versions: literal secrets kept, references from tips") {
    TestRepo repo;
    const std::string old_secret = Password(1902);
    // v1: a literal password and a reference; neither matched by a rule.
    repo.Write(".github/workflows/ci.yml",
               Workflow("      DEPLOY_PASSWORD: " + old_secret +
                        "\n      OLD: ${{ secrets.OLD_NAME }}\n"));
    const std::string first = repo.Commit("v1");
    // v2 (the tip): no literal, another reference.
    repo.Write(".github/workflows/ci.yml",
               Workflow("      DEPLOY_PASSWORD: ${{ secrets.DEPLOY }}\n"));
    repo.Commit("v2");
    // v3, a historic version no one needs: malformed, no secret-like name.
    repo.Write(".github/workflows/other.yml", "jobs: {a: [1\n");
    repo.Commit("v3");
    repo.Write(".github/workflows/other.yml", "jobs: {}\n");
    repo.Commit("v4");

    Diagnostics diags(nullptr);
    GitScanResult result = ScanWith(repo.path(), &diags);
    auto literal = testing::WithSecret(result, old_secret);
    REQUIRE(literal.size() == 1);
    CHECK(literal[0]->location.git->commit == first);
    CHECK(literal[0]->location.pipeline->key_path ==
          "jobs.build.env.DEPLOY_PASSWORD");
    std::vector<std::string> names;
    for (const auto& r : result.references) names.push_back(r.name);
    CHECK(names == std::vector<std::string>{"DEPLOY"});
    // The malformed historic other.yml was passed over, not parsed.
    CHECK(Count(diags.Text(), "malformed YAML") == 0);
  }

  TEST_CASE("the prefilter never passes over a literal secret or a finding") {
    const std::string v = Password(1903);
    struct Row {
      const char* name;
      std::string text;
      bool may;  // what the prefilter must answer at least
    };
    const std::vector<Row> rows = {
        {"plain key", "env:\n  DEPLOY_TOKEN: " + v + "\n", true},
        {"quoted value", "env:\n  DEPLOY_TOKEN: \"" + v + "\"\n", true},
        {"single quoted", "env:\n  DEPLOY_TOKEN: '" + v + "'\n", true},
        {"quoted key", "env:\n  \"DEPLOY_TOKEN\": " + v + "\n", true},
        {"camel key", "env:\n  deployPassword: " + v + "\n", true},
        {"spaced key", "env:\n  my secret: " + v + "\n", true},
        {"comment after", "env:\n  DB_PASSWORD: " + v + " # x\n", true},
        {"flow map", "env: {A: 1, DB_PASSWORD: " + v + "}\n", true},
        {"flow json", "{\"env\":{\"DB_PASSWORD\":\"" + v + "\"}}\n", true},
        {"block scalar", "env:\n  DB_PASSWORD: |\n    " + v + "\n", true},
        {"value below", "env:\n  DB_PASSWORD:\n    " + v + "\n", true},
        {"anchor", "x: &a " + v + "\nenv:\n  DB_PASSWORD: *a\n", true},
        {"escaped key", "env:\n  \"DB_PASS\\x57ORD\": " + v + "\n", true},
        {"escaped value", "env:\n  DB_PASSWORD: \"\\x41" + v + "\"\n", true},
        {"name/value", "env:\n  - name: DB_PASSWORD\n    value: " + v + "\n",
         true},
        {"gitlab value", "variables:\n  DB_PASSWORD:\n    value: " + v + "\n",
         true},
        {"sequence", "DB_PASSWORD:\n  - " + v + "\n", true},
        // A ':' without a blank after it is part of the key (fuzz find).
        {"colon in key", "variables:\n  DB_PASSWORD:x\"y: " + v + "\n", true},
        {"secret uses key", "variables:\n  ci_secrets:uses: " + v + "\n", true},
        {"assignment", "run: export DB_PASSWORD=" + v + "\n", true},
        {"quoted assignment", "run: export API_TOKEN=\"" + v + "\"\n", true},
        {"assignment in block",
         "run: |\n  echo hi\n  API_TOKEN='" + v + "' make\n", true},
        {"explicit key", "? DB_PASSWORD\n: " + v + "\n", true},
        {"login action",
         "jobs:\n  a:\n    steps:\n      - uses: "
         "aws-actions/configure-aws-credentials@v4\n        with:\n"
         "          aws-access-key-id: ${{ secrets.K }}\n",
         true},
        {"utf-16", std::string("\xff\xfe", 2) + "e\0n\0v\0", true},
        {"cr line breaks", "env:\r  DB_PASSWORD: " + v + "\r", true},
        {"reference only",
         "env:\n  GH_TOKEN: ${{ secrets.GITHUB_TOKEN }}\n"
         "  persist-credentials: false\n  key: ${{ runner.os }}-build\n",
         false},
        {"no secret names",
         "jobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
         "      - run: ./configure --with-openssl && make -j4\n",
         false},
        {"short value", "env:\n  DB_PASSWORD: hunter\n", false},
    };
    for (const Row& row : rows) {
      const std::string name = row.name;
      CAPTURE(name);
      const bool may = MayHoldPipelineSecret(row.text, "github-actions");
      CHECK(may == row.may);
      // Whatever the table says, never false where the analyzer finds one.
      for (std::string_view system :
           {kGithubActions, kGitlabCi, kAzurePipelines}) {
        PipelineAnalysis a = AnalyzePipeline("ci.yml", row.text, system);
        if (!a.literal_secrets.empty() || !a.findings.empty()) {
          CHECK(MayHoldPipelineSecret(row.text, system));
        }
      }
    }
  }
}

}  // namespace
}  // namespace sprawl
