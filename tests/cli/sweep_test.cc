// Sweeps end to end: runs the built `sprawl` on directories of repositories
// generated with the git CLI (synthetic keys only) and checks coverage, the
// incremental second sweep (counts, not time), resuming an interrupted
// sweep, corrupt repositories, URL mirrors, `report` filters, and that
// shards merged equal one sweep; pipeline references and findings kept in
// the datastore; a known secret that moves gets its new location without
// its blob being read again. The datastore on its own: datastore_test.cc.
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "scanner/datastore/sqlite.h"
#include "scanner/git/ref_files.h"
#include "scanner/sources/git_mirror.h"
#include "tests/cli/sweep_workspace.h"
#include "tests/test_util.h"

namespace sprawl {
namespace {

using nlohmann::json;
using testing::CommandResult;
using testing::SyntheticGithubToken;
using testing::SyntheticToken;
using testing::TempDir;

std::string Key(uint64_t seed) { return SyntheticGithubToken("ghp_", seed); }

using testing::CommitFiles;

std::string Git(const std::string& cwd, const std::vector<std::string>& args) {
  return testing::SweepGit(cwd, args);
}

// The shared workspace, its sweep output parsed.
class Workspace : public testing::SweepWorkspace {
 public:
  // `sprawl sweep --root root --format json` plus `extra`; parsed output.
  json Sweep(std::vector<std::string> extra = {}, const std::string& db = "",
             std::map<std::string, std::string> env = {}) const {
    CommandResult r = Run(SweepArgs(extra, db), std::move(env));
    INFO("stderr: " << r.err);
    REQUIRE((r.exit_code == 0 || r.exit_code == 1));
    json j = json::parse(r.out, nullptr, false);
    REQUIRE(j.is_object());
    return j;
  }
};

// repo -> (status, blobs_scanned) of a sweep report.
std::map<std::string, std::pair<std::string, uint64_t>> Coverage(
    const json& j) {
  std::map<std::string, std::pair<std::string, uint64_t>> out;
  for (const auto& r : j.at("repositories")) {
    out[r.at("repo").get<std::string>()] = {
        r.at("status").get<std::string>(),
        r.at("blobs_scanned").get<uint64_t>()};
  }
  return out;
}

// Builds three repositories: a and b share one key, c holds its own.
void ThreeRepos(const Workspace& w) {
  CommitFiles(w.root() + "/a", {{"app/.env", "GITHUB_TOKEN=" + Key(1) + "\n"},
                                {"README.md", "a\n"}});
  CommitFiles(w.root() + "/team/b",
              {{"deploy.sh", "export T=" + Key(1) + "\n"}});
  CommitFiles(w.root() + "/c", {{"config.yml", "token: " + Key(2) + "\n"}});
}

// A workflow that reads two CI secrets and hands them to a cloud login
// action: two references and a pipeline finding, no literal secret.
constexpr const char* kDeployWorkflow =
    "name: deploy\non: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n"
    "    steps:\n      - uses: aws-actions/configure-aws-credentials@v4\n"
    "        with:\n          aws-access-key-id: ${{ secrets.AWS_KEY_ID }}\n"
    "          aws-secret-access-key: ${{ secrets.AWS_SECRET }}\n";

// An inventory listing AWS_KEY_ID (and no other CI secret).
std::string WriteCiInventory(const Workspace& w) {
  std::string path = w.Sub("inventory.yaml");
  testing::WriteFile(path,
                     "version: 1\ncredentials:\n  - id: aws-deploy\n"
                     "    provider: aws\n    fingerprints: [sha256:" +
                         std::string(64, '1') +
                         "]\n    owner: ops@corp.test\n"
                         "    ci_secrets: [AWS_KEY_ID]\n");
  return path;
}

// repo "a"'s locations of the credential it shares with team/b:
// path -> (commit, in_head).
std::map<std::string, std::pair<std::string, bool>> LocationsInA(
    const json& j) {
  std::map<std::string, std::pair<std::string, bool>> out;
  for (const auto& c : j.at("credentials")) {
    for (const auto& l : c.at("locations")) {
      if (l.at("repo") != "a") continue;
      out[l.at("path").get<std::string>()] = {l.at("commit").get<std::string>(),
                                              l.at("in_head").get<bool>()};
    }
  }
  return out;
}

TEST_SUITE("sweep") {
  TEST_CASE("a sweep covers every repository and finds reuse across them") {
    Workspace w;
    ThreeRepos(w);
    json j = w.Sweep();
    auto cov = Coverage(j);
    REQUIRE(cov.size() == 3);
    CHECK(cov["a"] == std::pair<std::string, uint64_t>{"scanned", 2});
    CHECK(cov["team/b"] == std::pair<std::string, uint64_t>{"scanned", 1});
    CHECK(cov["c"] == std::pair<std::string, uint64_t>{"scanned", 1});
    REQUIRE(j.at("credentials").size() == 2);
    int reused = 0;
    for (const auto& c : j.at("credentials")) {
      CHECK(c.at("new") == true);
      CHECK(c.at("redacted").get<std::string>().find(Key(1).substr(8, 20)) ==
            std::string::npos);
      if (c.at("reused") == true) {
        ++reused;
        std::vector<std::string> repos;
        for (const auto& l : c.at("locations")) repos.push_back(l.at("repo"));
        CHECK(repos == std::vector<std::string>{"a", "team/b"});
      }
    }
    CHECK(reused == 1);
    // The raw secret is in no table of the datastore.
    const std::string bytes = testing::ReadFile(w.db());
    const std::string wal = std::filesystem::exists(w.db() + "-wal")
                                ? testing::ReadFile(w.db() + "-wal")
                                : "";
    CHECK(bytes.find(Key(1)) == std::string::npos);
    CHECK(wal.find(Key(1)) == std::string::npos);
  }

  TEST_CASE("a second sweep scans no old blob and reports repos unchanged") {
    Workspace w;
    ThreeRepos(w);
    json first = w.Sweep();
    json second = w.Sweep();
    for (const auto& entry : Coverage(second)) {
      // Not a structured binding: clang 14 cannot capture one in CAPTURE's
      // lambda (the asan/tsan presets build with clang).
      const auto& [repo, cov] = entry;
      CAPTURE(entry.first);
      CHECK(cov.first == "unchanged");
      CHECK(cov.second == 0);
    }
    // Unchanged repositories are still covered by the report.
    REQUIRE(second.at("credentials").size() == 2);
    for (size_t i = 0; i < 2; ++i) {
      CHECK(second["credentials"][i]["new"] == false);
      CHECK(second["credentials"][i]["locations"] ==
            first["credentials"][i]["locations"]);
    }
  }

  TEST_CASE("after a new commit only the new blobs are scanned") {
    Workspace w;
    ThreeRepos(w);
    w.Sweep();
    CommitFiles(w.root() + "/c",
                {{"more.env", "X=" + Key(3) + "\n"}, {"notes.txt", "plain\n"}});
    json j = w.Sweep();
    auto cov = Coverage(j);
    CHECK(cov["c"] == std::pair<std::string, uint64_t>{"scanned", 2});
    CHECK(cov["a"].first == "unchanged");
    CHECK(cov["team/b"].first == "unchanged");
    REQUIRE(j.at("credentials").size() == 3);
    int fresh = 0;
    for (const auto& c : j.at("credentials")) fresh += c.at("new") == true;
    CHECK(fresh == 1);
  }

  TEST_CASE(
      "an interrupted sweep resumes without rescanning what it committed") {
    Workspace w;
    ThreeRepos(w);
    // Crash right after the first repository ("a") is committed.
    CommandResult crashed =
        w.Run({"sweep", "--root", w.root(), "--datastore", w.db(), "--threads",
               "1", "--format", "json"},
              {{"SPRAWL_TEST_ABORT_AFTER_COMMITS", "1"}});
    REQUIRE(crashed.exit_code == 75);
    json j = w.Sweep({"--threads", "1"});
    auto cov = Coverage(j);
    CHECK(cov["a"] == std::pair<std::string, uint64_t>{"unchanged", 0});
    CHECK(cov["team/b"] == std::pair<std::string, uint64_t>{"scanned", 1});
    CHECK(cov["c"] == std::pair<std::string, uint64_t>{"scanned", 1});
    REQUIRE(j.at("credentials").size() == 2);
    // Nothing was ever finished before: everything is still new.
    for (const auto& c : j.at("credentials")) CHECK(c.at("new") == true);
  }

  TEST_CASE("a corrupt repository fails and the others complete") {
    struct Case {
      const char* name;
      void (*damage)(const std::string& repo);
    };
    const Case cases[] = {
        {"garbage HEAD",
         [](const std::string& repo) {
           testing::WriteFile(repo + "/.git/HEAD", "not a ref at all\n");
         }},
        {"truncated pack",
         [](const std::string& repo) {
           Git(repo, {"gc", "-q"});
           for (const auto& e : std::filesystem::directory_iterator(
                    repo + "/.git/objects/pack")) {
             if (e.path().extension() != ".pack") continue;
             std::filesystem::permissions(e.path(),
                                          std::filesystem::perms::owner_write,
                                          std::filesystem::perm_options::add);
             std::filesystem::resize_file(e.path(), 40);
           }
         }},
    };
    for (const Case& c : cases) {
      CAPTURE(c.name);
      Workspace w;
      ThreeRepos(w);
      c.damage(w.root() + "/c");
      json j = w.Sweep();
      auto cov = Coverage(j);
      CHECK(cov["c"].first == "failed");
      CHECK(cov["a"].first == "scanned");
      CHECK(cov["team/b"].first == "scanned");
      bool has_error = false;
      for (const auto& r : j.at("repositories")) {
        if (r.at("repo") == "c") has_error = !r.value("error", "").empty();
      }
      CHECK(has_error);
      CHECK(j.at("credentials").size() == 1);  // the shared key of a and b
    }
  }

  TEST_CASE(
      "issue 16: a malformed workflow is a diagnostic and a partial clone is "
      "scanned for what it has, with a note; the rerun scans nothing") {
    Workspace w;
    const std::string src = w.Sub("src");
    CommitFiles(src, {{".github/workflows/ci.yml", "jobs: [unclosed\n  x: {"},
                      {"app/.env", "GITHUB_TOKEN=" + Key(5) + "\n"},
                      {"docs/old.txt", "token " + Key(6) + "\n"}});
    Git(src, {"config", "uploadpack.allowFilter", "true"});
    // A healthy repository with the malformed workflow, and a blobless
    // clone of it that fetched only app/.env (a promisor pack).
    CommitFiles(w.root() + "/full",
                {{".github/workflows/ci.yml", "jobs: [unclosed\n  x: {"},
                 {"a.txt", "a\n"}});
    Git(w.root(), {"clone", "-q", "--bare", "--filter=blob:none",
                   "file://" + src, "part.git"});
    Git(w.root() + "/part.git", {"cat-file", "blob", "HEAD:app/.env"});
    bool promisor = false;
    for (const auto& e : std::filesystem::directory_iterator(
             w.root() + "/part.git/objects/pack")) {
      promisor |= e.path().extension() == ".promisor";
    }
    REQUIRE(promisor);

    CommandResult first = w.Run({"sweep", "--root", w.root(), "--datastore",
                                 w.db(), "--format", "json"});
    INFO(first.err);
    const json j = json::parse(first.out);
    auto cov = Coverage(j);
    CHECK(cov["full"].first == "scanned");
    CHECK(cov["part.git"].first == "scanned");
    CHECK(cov["part.git"].second >= 1);
    std::string note;
    for (const auto& r : j.at("repositories")) {
      if (r.at("repo") == "part.git") note = r.value("error", "");
    }
    CHECK(note.find("partial clone") != std::string::npos);
    CHECK(first.err.find("malformed YAML") != std::string::npos);
    // What the clone holds was found: app/.env's key.
    bool found = false;
    for (const auto& c : j.at("credentials")) {
      for (const auto& l : c.at("locations")) {
        found |= l.at("repo") == "part.git" && l.at("path") == "app/.env";
      }
    }
    CHECK(found);

    const json again = w.Sweep();
    auto cov2 = Coverage(again);
    CHECK(cov2["full"] == std::pair<std::string, uint64_t>{"unchanged", 0});
    CHECK(cov2["part.git"] == std::pair<std::string, uint64_t>{"unchanged", 0});
  }

  TEST_CASE(
      "issue 16: a repository that fails keeps what earlier sweeps recorded") {
    Workspace w;
    ThreeRepos(w);
    const json before = w.Sweep();
    REQUIRE(before.at("credentials").size() == 2);
    testing::WriteFile(w.root() + "/c/.git/HEAD", "not a ref at all\n");
    const json after = w.Sweep();
    CHECK(Coverage(after)["c"].first == "failed");
    REQUIRE(after.at("credentials").size() == 2);
    bool in_c = false;
    for (const auto& c : after.at("credentials")) {
      for (const auto& l : c.at("locations")) in_c |= l.at("repo") == "c";
    }
    CHECK(in_c);
  }

  TEST_CASE(
      "issue 20: a repository whose scan crashes or hangs is recorded failed "
      "with its reason and the sweep goes on") {
    struct Case {
      const char* name;
      std::map<std::string, std::string> env;
      std::vector<std::string> flags;
      const char* reason;
    };
    const std::vector<Case> cases = {
        {"crash", {{"SPRAWL_TEST_SWEEP_CRASH", "c"}}, {}, "crashed (signal 6"},
        {"hang",
         {{"SPRAWL_TEST_SWEEP_HANG", "c"}},
         {"--repo-timeout", "2"},
         "timed out after 2 s"},
    };
    for (const Case& c : cases) {
      CAPTURE(c.name);
      Workspace w;
      ThreeRepos(w);
      const auto t0 = std::chrono::steady_clock::now();
      const json j = w.Sweep(c.flags, "", c.env);
      CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(60));
      auto cov = Coverage(j);
      CHECK(cov["a"].first == "scanned");
      CHECK(cov["team/b"].first == "scanned");
      CHECK(cov["c"].first == "failed");
      std::string error;
      for (const auto& r : j.at("repositories")) {
        if (r.at("repo") == "c") error = r.value("error", "");
      }
      CHECK_MESSAGE(error.find(c.reason) != std::string::npos, error);
      CHECK(j.at("credentials").size() == 1);  // a and b's shared key
      // The next sweep, without the fault, scans c.
      const json again = w.Sweep();
      CHECK(Coverage(again)["c"].first == "scanned");
    }
  }

  TEST_CASE(
      "issue 20: a second sweep on a datastore in use is refused; sweeps "
      "sharing --cache-dir both mirror every URL") {
    Workspace w;
    ThreeRepos(w);
    std::string urls;
    for (const char* r : {"a", "team/b", "c"}) {
      urls += "file://" + w.root() + "/" + r + "\n";
    }
    testing::WriteFile(w.Sub("repos.txt"), urls);
    auto sweep_args = [&](const std::string& db) {
      return std::vector<std::string>{
          SPRAWL_BINARY, "sweep", "--repos",        w.Sub("repos.txt"),
          "--datastore", db,      "--cache-dir",    w.Sub("mirrors"),
          "--format",    "json",  "--repo-timeout", "20"};
    };
    CommandResult second;
    CommandResult parallel;
    testing::CommandOptions o;
    o.cwd = w.Sub("");
    // The first sweep hangs on one repository (test hook) while the others
    // run against it.
    o.env = {{"SPRAWL_TEST_SWEEP_HANG", "file://" + w.root() + "/c"}};
    o.while_running = [&](pid_t) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1500));
      second = testing::RunCommand(sweep_args(w.Sub("one.db")));
      parallel = testing::RunCommand(sweep_args(w.Sub("two.db")));
    };
    CommandResult first = testing::RunCommand(sweep_args(w.Sub("one.db")), o);
    CHECK(second.exit_code == 2);
    CHECK(second.err.find("another sweep is writing") != std::string::npos);
    INFO(parallel.err);
    REQUIRE((parallel.exit_code == 0 || parallel.exit_code == 1));
    for (const auto& entry : Coverage(json::parse(parallel.out))) {
      const std::string& repo = entry.first;
      CAPTURE(repo);
      CHECK(entry.second.first == "scanned");
    }
    REQUIRE((first.exit_code == 0 || first.exit_code == 1));
    CHECK(Coverage(json::parse(first.out))["file://" + w.root() + "/c"].first ==
          "failed");
  }

  TEST_CASE(
      "issue 20: a repository and its linked work tree, or a gitdir-file "
      "work tree and its git dir, are swept once") {
    Workspace w;
    ThreeRepos(w);
    Git(w.root() + "/a", {"worktree", "add", "-q", "../a-wt"});
    Git(w.root(), {"clone", "-q", "--separate-git-dir=" + w.root() + "/sep.git",
                   "c", "sepwt"});
    const json j = w.Sweep();
    auto cov = Coverage(j);
    CHECK(cov.count("a") == 1);
    CHECK(cov.count("a-wt") == 0);
    CHECK(cov.count("sep.git") + cov.count("sepwt") == 1);
    // Each location is reported under one key only.
    for (const auto& c : j.at("credentials")) {
      for (const auto& l : c.at("locations")) {
        CHECK(l.at("repo") != "a-wt");
      }
    }
  }

  TEST_CASE("bare repositories are found and URLs are mirrored") {
    Workspace w;
    ThreeRepos(w);
    Git(w.root(), {"clone", "-q", "--bare", "c", "mirrors-here/c.git"});
    json j = w.Sweep();
    CHECK(Coverage(j)["mirrors-here/c.git"].first == "scanned");

    const std::string url = "file://" + w.root() + "/a";
    testing::WriteFile(w.Sub("repos.txt"),
                       "# org list\n" + url + "\n\nroot/c\n");
    auto run = [&] {
      CommandResult r = w.Run({"sweep", "--repos", w.Sub("repos.txt"),
                               "--datastore", w.Sub("url.db"), "--cache-dir",
                               w.Sub("mirrors"), "--format", "json"});
      INFO(r.err);
      REQUIRE(r.exit_code == 1);
      return json::parse(r.out);
    };
    json first = run();
    auto cov = Coverage(first);
    CHECK(cov[url].first == "scanned");
    CHECK(cov["root/c"].first == "scanned");
    bool located = false;
    for (const auto& c : first.at("credentials")) {
      for (const auto& l : c.at("locations")) located |= l.at("repo") == url;
    }
    CHECK(located);
    json second = run();  // fetched again, nothing new
    CHECK(Coverage(second)[url] ==
          std::pair<std::string, uint64_t>{"unchanged", 0});
  }

  TEST_CASE(
      "issue 20: a token in a --repos URL reaches no output and not the "
      "datastore") {
    Workspace w;
    ThreeRepos(w);
    const std::string token = "tok" + Key(77).substr(4, 20);
    const std::string url =
        "https://x-access-token:" + token + "@127.0.0.1:9/org/repo.git";
    testing::WriteFile(w.Sub("repos.txt"), url + "\nroot/c\n");
    CommandResult r = w.Run({"sweep", "--repos", w.Sub("repos.txt"),
                             "--datastore", w.Sub("url.db"), "--cache-dir",
                             w.Sub("mirrors"), "--format", "json"});
    CHECK(r.out.find(token) == std::string::npos);
    CHECK(r.err.find(token) == std::string::npos);
    const json j = json::parse(r.out);
    auto cov = Coverage(j);
    CHECK(cov.count("https://127.0.0.1:9/org/repo.git") == 1);
    CHECK(cov["https://127.0.0.1:9/org/repo.git"].first == "failed");
    CHECK(r.err.find("https://127.0.0.1:9/org/repo.git") != std::string::npos);
    for (const char* suffix : {"", "-wal"}) {
      const std::string f = w.Sub("url.db") + suffix;
      if (std::filesystem::exists(f)) {
        CHECK(testing::ReadFile(f).find(token) == std::string::npos);
      }
    }
    for (const char* format : {"json", "text", "csv", "markdown"}) {
      CommandResult rep =
          w.Run({"report", "--datastore", w.Sub("url.db"), "--format", format});
      CHECK(rep.out.find(token) == std::string::npos);
      CHECK(rep.err.find(token) == std::string::npos);
    }
  }

  TEST_CASE("report renders the datastore with filters, without rescanning") {
    Workspace w;
    ThreeRepos(w);
    json swept = w.Sweep();
    auto report = [&](std::vector<std::string> extra) {
      std::vector<std::string> args{"report",    "--datastore", w.db(),
                                    "--format",  "json",        "--now",
                                    "2026-06-01"};
      args.insert(args.end(), extra.begin(), extra.end());
      CommandResult r = w.Run(args);
      INFO(r.err);
      REQUIRE((r.exit_code == 0 || r.exit_code == 1));
      return json::parse(r.out);
    };
    CHECK(report({})["credentials"] == swept["credentials"]);
    CHECK(report({"--repo", "c"})["credentials"].size() == 1);
    CHECK(report({"--repo", "c"})["repositories"].size() == 1);
    CHECK(report({"--provider", "github"})["credentials"].size() == 2);
    CHECK(report({"--provider", "openai"})["credentials"].empty());
    CHECK(report({"--status", "unregistered"})["credentials"].size() == 2);
    CHECK(report({"--status", "registered"})["credentials"].empty());
    CHECK(report({"--since", "2000-01-01"})["credentials"].size() == 2);
    CHECK(report({"--since", "2999-01-01"})["credentials"].empty());
    CommandResult text = w.Run({"report", "--datastore", w.db()});
    CHECK(text.out.find("team/b") != std::string::npos);
    CHECK(w.Run({"report", "--datastore", w.Sub("missing.db")}).exit_code == 2);
  }

  TEST_CASE(
      "issue 16 and 20: merge checks every input before touching OUT: a "
      "missing, foreign or same-file input leaves no OUT and no change") {
    Workspace w;
    ThreeRepos(w);
    w.Sweep();
    // A SQLite file that is not a datastore.
    {
      auto foreign = SqliteDb::Open(w.Sub("foreign.db"), /*create=*/true);
      REQUIRE(foreign.ok());
      REQUIRE(foreign
                  ->Exec("CREATE TABLE notes(x TEXT); "
                         "INSERT INTO notes VALUES ('mine');")
                  .ok());
    }
    const std::string foreign_bytes = testing::ReadFile(w.Sub("foreign.db"));
    struct Row {
      std::string input, says;
    };
    const std::vector<Row> rows = {
        {w.Sub("missing.db"), "no such datastore"},
        {w.Sub("foreign.db"), "not a sprawl datastore"},
    };
    for (const Row& r : rows) {
      CAPTURE(r.input);
      CommandResult m = w.Run({"merge", w.Sub("out.db"), w.db(), r.input});
      CHECK(m.exit_code == 2);
      CHECK(m.err.find(r.says) != std::string::npos);
      CHECK_FALSE(std::filesystem::exists(w.Sub("out.db")));
    }
    CHECK(testing::ReadFile(w.Sub("foreign.db")) == foreign_bytes);
    CHECK_FALSE(std::filesystem::exists(w.Sub("foreign.db-wal")));
    // `report` on it is refused, and it stays untouched too.
    CommandResult rep = w.Run({"report", "--datastore", w.Sub("foreign.db")});
    CHECK(rep.exit_code == 2);
    CHECK(testing::ReadFile(w.Sub("foreign.db")) == foreign_bytes);

    const std::string before = testing::ReadFile(w.db());
    CommandResult same = w.Run({"merge", w.db(), w.db()});
    CHECK(same.exit_code == 2);
    CHECK(same.err.find("same file") != std::string::npos);
    CHECK(same.err.find("locked") == std::string::npos);
    CHECK(testing::ReadFile(w.db()) == before);
    // A report reads without writing.
    CommandResult ok =
        w.Run({"report", "--datastore", w.db(), "--format", "json"});
    CHECK(ok.exit_code == 1);
    CHECK(testing::ReadFile(w.db()) == before);
  }

  TEST_CASE(
      "issue 16: one sweep writes several formats; a failed --output write "
      "leaves no file behind") {
    Workspace w;
    ThreeRepos(w);
    CommandResult r = w.Run({"sweep", "--root", w.root(), "--datastore", w.db(),
                             "--format", "json", "--output", w.Sub("r.json"),
                             "--format", "junit", "--output", w.Sub("r.xml"),
                             "--format", "text", "--output", "-"});
    REQUIRE_MESSAGE(r.exit_code == 1, r.err);
    const json j = json::parse(testing::ReadFile(w.Sub("r.json")));
    CHECK(j.at("credentials").size() == 2);
    CHECK(testing::ReadFile(w.Sub("r.xml")).find("<testsuite") !=
          std::string::npos);
    CHECK(r.out.find("2 credentials") != std::string::npos);
    // Unpaired flags are a usage error before anything is scanned.
    CHECK(w.Run({"sweep", "--root", w.root(), "--datastore", w.db(), "--format",
                 "json", "--format", "csv", "--output", w.Sub("x")})
              .exit_code == 2);
    // An output into a missing directory: the directory is made (issue 16
    // item 9) and the report written whole, with no temporary file left.
    CommandResult bad = w.Run({"sweep", "--root", w.root(), "--datastore",
                               w.db(), "--output", w.Sub("nope/r.txt")});
    CHECK(bad.exit_code != 2);
    CHECK(std::filesystem::exists(w.Sub("nope/r.txt")));
    for (const auto& e : std::filesystem::directory_iterator(w.Sub(""))) {
      CHECK(e.path().filename().string().find(".tmp-") == std::string::npos);
    }
  }

  TEST_CASE("shards merged equal one sweep") {
    Workspace w;
    ThreeRepos(w);
    CommitFiles(w.root() + "/d", {{"x.env", "K=" + Key(4) + "\n"}});
    CommitFiles(w.root() + "/e",
                {{"y.env", "K=" + Key(2) + "\n"},
                 {".github/workflows/d.yml", kDeployWorkflow}});
    json full = w.Sweep({}, w.Sub("full.db"));
    REQUIRE(full.at("references").size() == 2);
    json s0 = w.Sweep({"--shard", "0/2"}, w.Sub("s0.db"));
    json s1 = w.Sweep({"--shard", "1/2"}, w.Sub("s1.db"));
    CHECK(Coverage(s0).size() + Coverage(s1).size() == 5);
    CommandResult m =
        w.Run({"merge", w.Sub("merged.db"), w.Sub("s0.db"), w.Sub("s1.db")});
    REQUIRE_MESSAGE(m.exit_code == 0, m.err);
    auto report = [&](const std::string& db) {
      CommandResult r = w.Run({"report", "--datastore", db, "--format", "json",
                               "--now", "2026-06-01"});
      return json::parse(r.out);
    };
    json merged = report(w.Sub("merged.db"));
    CHECK(merged["credentials"] == full["credentials"]);
    CHECK(merged["references"] == full["references"]);
    CHECK(merged["pipeline_findings"] == full["pipeline_findings"]);
    CHECK(merged["repositories"] == report(w.Sub("full.db"))["repositories"]);
    CHECK(w.Run({"sweep", "--root", w.root(), "--shard", "2/2"}).exit_code ==
          2);
  }

  TEST_CASE(
      "pipeline references and findings are stored per repository and "
      "reported with their repo") {
    Workspace w;
    ThreeRepos(w);
    CommitFiles(w.root() + "/ci",
                {{".github/workflows/deploy.yml", kDeployWorkflow}});
    const std::string inventory = WriteCiInventory(w);
    json first = w.Sweep({"--inventory", inventory});
    const json& refs = first.at("references");
    REQUIRE(refs.size() == 2);
    for (const auto& r : refs) {
      CHECK(r.at("repo") == "ci");
      CHECK(r.at("path") == ".github/workflows/deploy.yml");
    }
    CHECK(refs[0].at("name") == "AWS_KEY_ID");
    CHECK(refs[0].at("status") == "registered");  // reconciled, not stored
    CHECK(refs[1].at("name") == "AWS_SECRET");
    CHECK(refs[1].at("status") == "unregistered");
    REQUIRE_FALSE(first.at("pipeline_findings").empty());
    for (const auto& p : first.at("pipeline_findings")) {
      CHECK(p.at("repo") == "ci");
      CHECK(p.at("kind") == "static-cloud-key-in-login-action");
    }

    // Unchanged, then scanned again for an unrelated commit: the report
    // still has them, once each.
    json second = w.Sweep({"--inventory", inventory});
    CHECK(Coverage(second)["ci"].first == "unchanged");
    CommitFiles(w.root() + "/ci", {{"notes.txt", "plain\n"}});
    json third = w.Sweep({"--inventory", inventory});
    CHECK(Coverage(third)["ci"] ==
          std::pair<std::string, uint64_t>{"scanned", 1});
    for (const json* j : {&second, &third}) {
      CHECK(j->at("references") == refs);
      CHECK(j->at("pipeline_findings") == first.at("pipeline_findings"));
    }

    auto report = [&](std::vector<std::string> extra) {
      std::vector<std::string> args{"report",      "--datastore", w.db(),
                                    "--inventory", inventory,     "--now",
                                    "2026-06-01"};
      args.insert(args.end(), extra.begin(), extra.end());
      CommandResult r = w.Run(args);
      INFO(r.err);
      REQUIRE((r.exit_code == 0 || r.exit_code == 1));
      return r.out;
    };
    json all = json::parse(report({"--format", "json"}));
    CHECK(all.at("references") == refs);
    CHECK(all.at("pipeline_findings") == first.at("pipeline_findings"));
    json only_ci = json::parse(report({"--format", "json", "--repo", "ci"}));
    CHECK(only_ci.at("references") == refs);
    json only_c = json::parse(report({"--format", "json", "--repo", "c"}));
    CHECK(only_c.at("references").empty());
    CHECK(only_c.at("pipeline_findings").empty());
    const std::string text = report({});
    CHECK(text.find("AWS_SECRET  ci: .github/workflows/deploy.yml") !=
          std::string::npos);
  }

  TEST_CASE("a known secret that moves gets a location at its new path") {
    struct Case {
      const char* name;
      void (*move)(const std::string& repo);
      const char* new_path;
      const char* introduced_by;  // ref naming the commit that moved it
      bool old_in_head;
      bool new_in_head;
    };
    const Case cases[] = {
        {"renamed",
         [](const std::string& repo) {
           Git(repo, {"mv", "app/.env", "moved.env"});
           Git(repo, {"commit", "-q", "-m", "rename"});
         },
         "moved.env", "HEAD", false, true},
        {"copied",
         [](const std::string& repo) {
           CommitFiles(repo,
                       {{"ops/.env", testing::ReadFile(repo + "/app/.env")}});
         },
         "ops/.env", "HEAD", true, true},
        {"renamed on a new branch",
         [](const std::string& repo) {
           Git(repo, {"checkout", "-q", "-b", "side"});
           Git(repo, {"mv", "app/.env", "side.env"});
           Git(repo, {"commit", "-q", "-m", "side"});
           Git(repo, {"checkout", "-q", "main"});
         },
         "side.env", "side", true, false},
    };
    for (const Case& c : cases) {
      CAPTURE(c.name);
      Workspace w;
      ThreeRepos(w);
      json before = w.Sweep();
      const auto old_location = LocationsInA(before).at("app/.env");
      c.move(w.root() + "/a");
      json after = w.Sweep();
      // The moved blob is not read again (a move or copy adds no blob).
      CHECK(Coverage(after)["a"] ==
            std::pair<std::string, uint64_t>{"scanned", 0});
      const std::string commit =
          Git(w.root() + "/a", {"rev-parse", c.introduced_by});
      auto located = LocationsInA(after);
      REQUIRE(located.size() == 2);
      REQUIRE(located.count(c.new_path) == 1);
      CHECK(located[c.new_path].first == commit);
      CHECK(located[c.new_path].second == c.new_in_head);
      CHECK(located["app/.env"].first == old_location.first);
      CHECK(located["app/.env"].second == c.old_in_head);
      // Still one credential, not new: the move is no new secret.
      CHECK(after.at("credentials").size() == 2);
      for (const auto& cred : after.at("credentials")) {
        CHECK(cred.at("new") == false);
      }
    }
  }

  TEST_CASE("ref tips read from files equal libgit2's, or defer to it") {
    TempDir dir;
    const std::string repo = dir.Sub("r");
    CommitFiles(repo, {{"a.txt", "one\n"}});
    Git(repo, {"tag", "-a", "v1", "-m", "release"});
    Git(repo, {"branch", "side"});
    Git(repo, {"pack-refs", "--all"});        // v1 and side now only packed
    CommitFiles(repo, {{"a.txt", "two\n"}});  // main loose, newer than packed
    Git(repo, {"symbolic-ref", "refs/remotes/origin/HEAD", "refs/heads/main"});
    auto same = [&] {
      auto files = ReadRefTipsFromFiles(repo);
      auto lib = ReadRefTips(repo);
      REQUIRE(lib.ok());
      REQUIRE(files.has_value());
      CHECK(*files == *lib);
    };
    same();
    Git(repo, {"checkout", "-q", "--detach", "side"});  // detached HEAD
    same();
    // A bare clone: packed refs only.
    Git(dir.path(), {"clone", "-q", "--bare", repo, "bare.git"});
    auto bare_files = ReadRefTipsFromFiles(dir.Sub("bare.git"));
    auto bare_lib = ReadRefTips(dir.Sub("bare.git"));
    REQUIRE(bare_lib.ok());
    REQUIRE(bare_files.has_value());
    CHECK(*bare_files == *bare_lib);
    // A ref being written, or a .git file: libgit2 decides.
    testing::WriteFile(repo + "/.git/refs/heads/wip.lock", "x\n");
    CHECK_FALSE(ReadRefTipsFromFiles(repo).has_value());
    testing::WriteFile(dir.Sub("linked/.git"), "gitdir: " + repo + "/.git\n");
    CHECK_FALSE(ReadRefTipsFromFiles(dir.Sub("linked")).has_value());
  }

  TEST_CASE("bad sweep flags are usage errors") {
    Workspace w;
    CHECK(w.Run({"sweep"}).exit_code == 2);
    CHECK(w.Run({"sweep", "--root", w.Sub("nope")}).exit_code == 2);
    CHECK(w.Run({"sweep", "--repos", w.Sub("nope.txt")}).exit_code == 2);
  }
}

}  // namespace
}  // namespace sprawl
