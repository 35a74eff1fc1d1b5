// The CI gate's honesty and trust (issues 16 and 20), end to end on the
// built binary with repositories and trees generated at test time:
// a range reports what it added (`new`, the true introducing commit, and
// fail_on_new_only); exclusions hold in every mode; exit 3 for what could
// not be read or an interrupted run; Ctrl-C in the late phases; --output
// checked before the scan; settings that weaken the gate only from the
// trusted side; repository-supplied paths confined to the repository; a
// private, sealed rules cache. Plus the library pieces as tables.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "scanner/base/glob.h"
#include "scanner/base/hash.h"
#include "scanner/base/private_file.h"
#include "scanner/findings/completeness.h"
#include "tests/test_util.h"

namespace sprawl {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::CommandResult;
using testing::kUrlSafe;
using testing::SyntheticToken;
using testing::TempDir;
using testing::WriteFile;

// Runs the binary with its own rules cache and no colour.
class Cli {
 public:
  CommandResult Run(std::vector<std::string> args,
                    testing::CommandOptions options = {}) const {
    args.insert(args.begin(), SPRAWL_BINARY);
    options.env.emplace("SPRAWL_CACHE_DIR", cache_.Sub("cache"));
    options.env.emplace("NO_COLOR", "1");
    return testing::RunCommand(args, options);
  }
  std::string cache_dir() const { return cache_.Sub("cache"); }

 private:
  TempDir cache_;
};

std::string Key(uint64_t seed) {
  return SyntheticToken("sk-proj-", kUrlSafe, 156, seed);
}

std::string Show(const CommandResult& r) {
  return "exit " + std::to_string(r.exit_code) +
         "\nstderr: " + r.err.substr(0, 3000) +
         "\nstdout: " + r.out.substr(0, 3000);
}

json Json(const CommandResult& r) {
  json j = json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  REQUIRE_MESSAGE(!j.is_discarded(), Show(r));
  return j;
}

// A git repository in `dir` with helpers to commit and branch.
class Repo {
 public:
  explicit Repo(std::string dir) : dir_(std::move(dir)) {
    fs::create_directories(dir_);
    testing::RunGit(dir_, {"init", "-q", "-b", "main"});
  }
  const std::string& dir() const { return dir_; }
  std::string Sub(const std::string& rel) const { return dir_ + "/" + rel; }
  // Writes the files (path, content) and commits them; returns the sha.
  std::string Commit(
      const std::vector<std::pair<std::string, std::string>>& files,
      const std::string& message = "change") {
    for (const auto& [path, content] : files) WriteFile(Sub(path), content);
    testing::RunGit(dir_, {"add", "-A"});
    testing::RunGit(dir_, {"commit", "-q", "--allow-empty", "-m", message});
    return testing::RunGit(dir_, {"rev-parse", "HEAD"});
  }
  void Git(const std::vector<std::string>& args) {
    testing::RunGit(dir_, args);
  }

 private:
  std::string dir_;
};

// The credential of `secret` in a JSON report (null when absent).
json FindCredential(const json& report, const std::string& secret,
                    const std::string& path_part) {
  for (const auto& c : report["credentials"]) {
    for (const auto& l : c["locations"]) {
      if (l["path"].get<std::string>().find(path_part) != std::string::npos &&
          c["redacted"].get<std::string>().find(
              secret.substr(secret.size() - 4)) != std::string::npos) {
        return c;
      }
    }
  }
  return nullptr;
}

bool MentionsPath(const json& report, const std::string& path_part) {
  for (const auto& c : report["credentials"]) {
    for (const auto& l : c["locations"]) {
      if (l["path"].get<std::string>().find(path_part) != std::string::npos) {
        return true;
      }
    }
  }
  return false;
}

}  // namespace

TEST_SUITE("gate") {
  TEST_CASE(
      "issue 16 item 1: a range reports what it added, not what it "
      "inherited") {
    Cli cli;
    TempDir tmp;
    Repo repo(tmp.Sub("repo"));
    const std::string old_key = Key(101);
    const std::string base =
        repo.Commit({{"deploy/prod.env", "OPENAI_API_KEY=" + old_key + "\n"},
                     {"README", "hello\n"}},
                    "add prod env");
    repo.Git({"checkout", "-q", "-b", "feature"});
    // Touches the file holding the old key (a new blob holding it) and
    // copies the old key elsewhere: neither is new to the range.
    repo.Commit({{"deploy/prod.env",
                  "OPENAI_API_KEY=" + old_key + "\nLOG_FORMAT=json\n"},
                 {"ops/copy.env", "KEY=" + old_key + "\n"}},
                "log format");
    const std::string inherited_only =
        testing::RunGit(repo.dir(), {"rev-parse", "HEAD"});
    const std::string new_key = Key(202);
    repo.Commit({{"app/new.env", "OPENAI_API_KEY=" + new_key + "\n"}},
                "new key");

    SUBCASE("the old key keeps its true commit and new: false") {
      const CommandResult r = cli.Run(
          {"git", repo.dir(), "--range", base + "..HEAD", "--format", "json"});
      REQUIRE_MESSAGE(r.exit_code == 1, Show(r));
      const json report = Json(r);
      const json old_c = FindCredential(report, old_key, "deploy/prod.env");
      REQUIRE_MESSAGE(!old_c.is_null(), Show(r));
      CHECK(old_c["new"] == false);
      for (const auto& l : old_c["locations"]) {
        CHECK_MESSAGE(l["commit"] == base, l.dump());
      }
      const json new_c = FindCredential(report, new_key, "app/new.env");
      REQUIRE(!new_c.is_null());
      CHECK(new_c["new"] == true);
      CHECK(new_c["fails"] == true);
    }
    SUBCASE("--new-only fails only on the new key") {
      const CommandResult all =
          cli.Run({"git", repo.dir(), "--range", base + "..HEAD", "--new-only",
                   "--format", "json"});
      CHECK_MESSAGE(all.exit_code == 1, Show(all));
      const CommandResult old_only =
          cli.Run({"git", repo.dir(), "--range", base + ".." + inherited_only,
                   "--new-only", "--format", "json"});
      CHECK_MESSAGE(old_only.exit_code == 0, Show(old_only));
      const json report = Json(old_only);
      REQUIRE(report["credentials"].size() == 1);
      CHECK(report["credentials"][0]["new"] == false);
      CHECK(report["credentials"][0]["fails"] == false);
      // Without the knob the inherited key still fails (status unchanged).
      const CommandResult strict =
          cli.Run({"git", repo.dir(), "--range", base + ".." + inherited_only});
      CHECK_MESSAGE(strict.exit_code == 1, Show(strict));
      CHECK(strict.out.find("not new: inherited from the range's base") !=
            std::string::npos);
    }
    SUBCASE("SARIF carries new in its properties and baselineState") {
      const CommandResult r = cli.Run(
          {"git", repo.dir(), "--range", base + "..HEAD", "--format", "sarif"});
      CHECK(r.out.find("\"baselineState\": \"unchanged\"") !=
            std::string::npos);
      CHECK(r.out.find("\"new\": true") != std::string::npos);
    }
  }

  TEST_CASE("issue 16 item 1: policy.fail_on_new_only in the base's config") {
    Cli cli;
    TempDir tmp;
    Repo repo(tmp.Sub("repo"));
    const std::string old_key = Key(303);
    const std::string base = repo.Commit(
        {{"deploy/prod.env", "OPENAI_API_KEY=" + old_key + "\n"},
         {".sprawl/config.yaml", "policy:\n  fail_on_new_only: true\n"}});
    repo.Commit({{"deploy/prod.env",
                  "OPENAI_API_KEY=" + old_key + "\nLOG_FORMAT=json\n"}});
    const CommandResult r =
        cli.Run({"git", repo.dir(), "--range", base + "..HEAD"});
    CHECK_MESSAGE(r.exit_code == 0, Show(r));
    // A full scan is no range: the knob has nothing to act on.
    CHECK(cli.Run({"git", repo.dir()}).exit_code == 1);
  }

  TEST_CASE(
      "issue 16 item 2: --exclude, exclude: and .sprawlignore in every "
      "mode") {
    Cli cli;
    TempDir tmp;
    Repo repo(tmp.Sub("repo"));
    const std::string base = repo.Commit({{"README", "x\n"}});
    repo.Commit({{"vendor/lib/keys.env", "OPENAI_API_KEY=" + Key(401) + "\n"},
                 {"app/keys.env", "OPENAI_API_KEY=" + Key(402) + "\n"}});
    WriteFile(repo.Sub("staged/s.env"), "OPENAI_API_KEY=" + Key(403) + "\n");
    WriteFile(repo.Sub("vendor/lib/s.env"),
              "OPENAI_API_KEY=" + Key(404) + "\n");
    repo.Git({"add", "staged/s.env", "vendor/lib/s.env"});
    struct Row {
      const char* name;
      std::vector<std::string> args;
    };
    const Row rows[] = {
        {"git", {"git", repo.dir()}},
        {"git --range", {"git", repo.dir(), "--range", base + "..HEAD"}},
        {"git --staged", {"git", repo.dir(), "--staged"}},
        {"dir", {"dir", repo.dir()}},
    };
    for (const Row& row : rows) {
      INFO(row.name);
      std::vector<std::string> args = row.args;
      const CommandResult plain = cli.Run([&] {
        auto a = args;
        a.insert(a.end(), {"--format", "json"});
        return a;
      }());
      CHECK_MESSAGE(MentionsPath(Json(plain), "vendor/"), Show(plain));
      args.insert(args.end(), {"--exclude", "vendor/", "--format", "json"});
      const CommandResult r = cli.Run(args);
      CHECK_MESSAGE(!MentionsPath(Json(r), "vendor/"), Show(r));
      CHECK(Json(r)["credentials"].size() > 0);
    }
    // The configured exclusions and the root .sprawlignore, committed (so
    // the range's base has them too) and in the work tree.
    Repo cfg(tmp.Sub("cfg"));
    const std::string cfg_base =
        cfg.Commit({{".sprawl/config.yaml", "exclude: ['vendor/**']\n"},
                    {".sprawlignore", "generated/\n"}});
    cfg.Commit({{"vendor/a.env", "OPENAI_API_KEY=" + Key(405) + "\n"},
                {"generated/b.env", "OPENAI_API_KEY=" + Key(406) + "\n"},
                {"app/c.env", "OPENAI_API_KEY=" + Key(407) + "\n"}});
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"git", cfg.dir()},
             {"git", cfg.dir(), "--range", cfg_base + "..HEAD"},
             {"dir", cfg.dir()}}) {
      INFO(args.size());
      auto a = args;
      a.insert(a.end(), {"--format", "json"});
      const CommandResult r = cli.Run(a);
      const json report = Json(r);
      CHECK_MESSAGE(!MentionsPath(report, "vendor/"), Show(r));
      CHECK_MESSAGE(!MentionsPath(report, "generated/"), Show(r));
      CHECK_MESSAGE(MentionsPath(report, "app/c.env"), Show(r));
    }
  }

  TEST_CASE("issue 16 item 3: exit 3 when the scan could not read its input") {
    Cli cli;
    SUBCASE("a truncated pack: nothing read is not clean") {
      TempDir tmp;
      Repo repo(tmp.Sub("repo"));
      repo.Commit({{"a.env", "OPENAI_API_KEY=" + Key(501) + "\n"}});
      repo.Git({"gc", "-q"});
      bool truncated = false;
      for (const auto& e :
           fs::directory_iterator(repo.Sub(".git/objects/pack"))) {
        if (e.path().extension() == ".pack") {
          fs::resize_file(e.path(), 40);
          truncated = true;
        }
      }
      REQUIRE(truncated);
      const CommandResult r = cli.Run({"git", repo.dir(), "--format", "json"});
      CHECK_MESSAGE(r.exit_code == 3, Show(r));
      if (r.exit_code == 3) {
        const json report = Json(r);
        CHECK(report["summary"]["incomplete"] == true);
        CHECK(report["summary"]["incomplete_reasons"].size() > 0);
      }
    }
    SUBCASE(
        "a file over the size limit, unless accepted from the trusted "
        "side") {
      TempDir tree;
      WriteFile(tree.Sub("big.txt"), std::string(4096, 'a') + "\n");
      const CommandResult r =
          cli.Run({"dir", tree.path(), "--max-file-size", "1000"});
      CHECK_MESSAGE(r.exit_code == 3, Show(r));
      CHECK(r.out.find("Incomplete scan") != std::string::npos);
      CHECK(cli.Run({"dir", tree.path(), "--max-file-size", "1000",
                     "--incomplete-ok", "too-large"})
                .exit_code == 0);
      // The scanned tree cannot accept it for itself.
      WriteFile(tree.Sub(".sprawl/config.yaml"),
                "policy:\n  incomplete_ok: [too-large]\n");
      const CommandResult own =
          cli.Run({"dir", tree.path(), "--max-file-size", "1000"});
      CHECK_MESSAGE(own.exit_code == 3, Show(own));
      CHECK(own.err.find("incomplete_ok ignored") != std::string::npos);
    }
    SUBCASE("a failing credential outranks an incomplete scan") {
      TempDir tree;
      WriteFile(tree.Sub("big.txt"), std::string(4096, 'a') + "\n");
      WriteFile(tree.Sub("k.env"), "OPENAI_API_KEY=" + Key(502) + "\n");
      CHECK(
          cli.Run({"dir", tree.path(), "--max-file-size", "1000"}).exit_code ==
          1);
    }
  }

  TEST_CASE(
      "issue 16 item 4: Ctrl-C in a late phase stops the run, says "
      "interrupted and exits 3") {
    Cli cli;
    TempDir tmp;
    Repo repo(tmp.Sub("repo"));
    const std::string base = repo.Commit({{"README", "x\n"}});
    repo.Commit({{"a.env", "OPENAI_API_KEY=" + Key(601) + "\n"}});
    // Warm the rules cache so each run reaches its pause point quickly.
    REQUIRE(cli.Run({"git", repo.dir(), "--fail-on", "none"}).exit_code == 0);
    struct Row {
      const char* phase;
      std::vector<std::string> args;
      std::map<std::string, std::string> env;
    };
    const Row rows[] = {
        {"locations", {"git", repo.dir()}, {}},
        {"tree-pass", {"git", repo.dir()}, {{"SPRAWL_PROVENANCE", "pass"}}},
        {"reconcile", {"git", repo.dir()}, {}},
        {"reconcile", {"dir", repo.dir()}, {}},
        {"report", {"git", repo.dir(), "--range", base + "..HEAD"}, {}},
    };
    for (const Row& row : rows) {
      INFO(row.phase << " " << row.args[0]);
      const std::string mark = tmp.Sub(std::string("paused-") + row.phase);
      fs::remove(mark);
      testing::CommandOptions options;
      options.env = row.env;
      options.env["SPRAWL_TEST_PAUSE"] = row.phase;
      options.env["SPRAWL_TEST_PAUSE_FILE"] = mark;
      std::chrono::steady_clock::time_point sent;
      options.while_running = [&](pid_t pid) {
        const auto deadline =
            std::chrono::steady_clock::now() + std::chrono::seconds(60);
        while (!fs::exists(mark) &&
               std::chrono::steady_clock::now() < deadline) {
          std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        sent = std::chrono::steady_clock::now();
        ::kill(pid, SIGINT);
      };
      auto args = row.args;
      args.insert(args.end(), {"--fail-on", "none", "--format", "json"});
      const CommandResult r = cli.Run(args, options);
      const double after =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - sent)
              .count();
      REQUIRE_MESSAGE(fs::exists(mark), "never reached " << row.phase << "\n"
                                                         << Show(r));
      CHECK_MESSAGE(r.exit_code == 3, Show(r));
      CHECK_MESSAGE(after < 2.0, after);  // a second, plus a loaded machine
      const json report = Json(r);
      CHECK(report["summary"]["interrupted"] == true);
      CHECK(report["summary"]["incomplete"] == true);
    }
  }

  TEST_CASE(
      "issue 16 item 9: --output makes .sprawl/ and a bad --output "
      "fails before the scan") {
    Cli cli;
    TempDir tmp;
    WriteFile(tmp.Sub("tree/app.env"), "OPENAI_API_KEY=" + Key(901) + "\n");
    const CommandResult init = cli.Run(
        {"inventory", "init", ".", "--output", ".sprawl/inventory.yaml"},
        {.cwd = tmp.Sub("tree")});
    CHECK_MESSAGE(init.exit_code == 0, Show(init));
    CHECK(fs::is_regular_file(tmp.Sub("tree/.sprawl/inventory.yaml")));
    WriteFile(tmp.Sub("plain-file"), "x");
    const std::string bad = tmp.Sub("plain-file/out.json");
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"inventory", "init", tmp.Sub("tree"), "--output", bad},
             {"dir", tmp.Sub("tree"), "--output", bad},
             {"stdin", "--output", bad}}) {
      INFO(args[0]);
      // stdin never closes: only an early failure ends the run.
      testing::CommandOptions options;
      options.timeout_seconds = 30;
      const CommandResult r = cli.Run(args, options);
      CHECK_MESSAGE(r.exit_code == 2, Show(r));
      CHECK(r.err.find("plain-file") != std::string::npos);
      CHECK(r.err.find("added") == std::string::npos);
    }
  }

  TEST_CASE("issue 20 item 5: a range cannot switch its own gate off") {
    Cli cli;
    TempDir tmp;
    const std::string key = Key(1501);
    struct Row {
      const char* name;
      std::vector<std::pair<std::string, std::string>> files;
    };
    const Row rows[] = {
        {"fail_on: []", {{".sprawl/config.yaml", "policy:\n  fail_on: []\n"}}},
        {"tiny limits",
         {{".sprawl/config.yaml", "limits:\n  max_blob_size: 1\n"}}},
        {"exclude **", {{".sprawl/config.yaml", "exclude: ['**']\n"}}},
        {".sprawlignore *", {{".sprawlignore", "*\n"}}},
        {"an inventory allowing it",
         {{".sprawl/inventory.yaml",
           "version: 1\nallow:\n  - fingerprint: sha256:" + Sha256Hex(key) +
               "\n    reason: x\n    owner: a@example.com\n"
               "    expires: 2999-01-01\n"}}},
    };
    for (const Row& row : rows) {
      INFO(row.name);
      Repo repo(tmp.Sub(std::string("repo-") + std::to_string(&row - rows)));
      const std::string base = repo.Commit({{"README", "x\n"}});
      auto files = row.files;
      files.push_back({"app/k.env", "OPENAI_API_KEY=" + key + "\n"});
      repo.Commit(files);
      const CommandResult r = cli.Run(
          {"git", repo.dir(), "--range", base + "..HEAD", "--format", "json"});
      CHECK_MESSAGE(r.exit_code == 1, Show(r));
      if (r.exit_code == 2) continue;
      const json report = Json(r);
      REQUIRE(report["summary"].contains("changed_config"));
      CHECK(report["summary"]["changed_config"][0].get<std::string>().find(
                "sprawl") != std::string::npos);
      CHECK(r.err.find("changes sprawl's configuration") != std::string::npos);
      // The same settings do act in a scan that trusts its tree: the test
      // would prove nothing otherwise.
      const CommandResult own =
          cli.Run({"git", repo.dir(), "--trust-repo-config"});
      CHECK_MESSAGE(own.exit_code != 1, Show(own));
    }
  }

  TEST_CASE(
      "issue 20 item 5: dir: the scanned tree's settings may only make "
      "the gate stricter") {
    Cli cli;
    struct Row {
      const char* name;
      std::vector<std::pair<std::string, std::string>> files;
      int trusted_exit;  // with --trust-repo-config
    };
    const Row rows[] = {
        {"fail_on: []",
         {{".sprawl/config.yaml", "policy:\n  fail_on: []\n"}},
         0},
        {"exclude **", {{".sprawl/config.yaml", "exclude: ['**']\n"}}, 0},
        {"exclude *", {{".sprawl/config.yaml", "exclude: ['*']\n"}}, 0},
        {".sprawlignore *", {{".sprawlignore", "*\n"}}, 0},
        {".gitignore /*", {{".gitignore", "/*\n"}}, 0},
        {"nested .sprawlignore *", {{"app/.sprawlignore", "*\n"}}, 0},
        {"tiny file limit",
         {{".sprawl/config.yaml", "limits:\n  max_file_size: 1\n"}},
         3},
    };
    for (const Row& row : rows) {
      INFO(row.name);
      TempDir tree;
      WriteFile(tree.Sub("app/k.env"), "OPENAI_API_KEY=" + Key(1502) + "\n");
      for (const auto& [path, text] : row.files)
        WriteFile(tree.Sub(path), text);
      const CommandResult r = cli.Run({"dir", tree.path()});
      CHECK_MESSAGE(r.exit_code == 1, Show(r));
      CHECK(r.err.find("--trust-repo-config") != std::string::npos);
      // Trusted on request: the setting takes effect (exit 0 or 3).
      const CommandResult trusted =
          cli.Run({"dir", tree.path(), "--trust-repo-config"});
      CHECK_MESSAGE(trusted.exit_code == row.trusted_exit, Show(trusted));
    }
    // Narrower exclusions still work.
    TempDir tree;
    WriteFile(tree.Sub("vendor/k.env"), "OPENAI_API_KEY=" + Key(1503) + "\n");
    WriteFile(tree.Sub(".sprawl/config.yaml"), "exclude: ['vendor/**']\n");
    CHECK(cli.Run({"dir", tree.path()}).exit_code == 0);
  }

  TEST_CASE(
      "issue 20 item 6: repository-supplied paths stay inside the "
      "repository, regular and bounded") {
    Cli cli;
    TempDir outside;
    WriteFile(outside.Sub("secret.yaml"),
              "leaked-first-key-QX7: value\nversion: 1\n");
    struct Row {
      const char* name;
      std::function<void(const TempDir&)> make;
      bool error;  // exit 2, else the scan goes on (exit 1)
    };
    const Row rows[] = {
        {"inventory symlinked to /dev/zero",
         [](const TempDir& t) {
           fs::create_directories(t.Sub(".sprawl"));
           fs::create_symlink("/dev/zero", t.Sub(".sprawl/inventory.yaml"));
         },
         true},
        {"rules: [/dev/stdin]",
         [](const TempDir& t) {
           WriteFile(t.Sub(".sprawl/config.yaml"), "rules: [/dev/stdin]\n");
         },
         true},
        {"a FIFO config",
         [](const TempDir& t) {
           fs::create_directories(t.Sub(".sprawl"));
           REQUIRE(::mkfifo(t.Sub(".sprawl/config.yaml").c_str(), 0600) == 0);
         },
         true},
        {"inventory: an outside file",
         [&outside](const TempDir& t) {
           WriteFile(t.Sub(".sprawl/config.yaml"),
                     "inventory: " + outside.Sub("secret.yaml") + "\n");
         },
         true},
        {"inventory: ../ out of the tree",
         [](const TempDir& t) {
           WriteFile(t.Sub(".sprawl/config.yaml"),
                     "inventory: ../../../etc/passwd\n");
         },
         true},
        {"CODEOWNERS symlinked to /dev/zero",
         [](const TempDir& t) {
           fs::create_symlink("/dev/zero", t.Sub("CODEOWNERS"));
         },
         false},
        {".sprawlignore symlinked outside",
         [&outside](const TempDir& t) {
           WriteFile(outside.Sub("ignore-all"), "app/\n");
           fs::create_symlink(outside.Sub("ignore-all"),
                              t.Sub(".sprawlignore"));
         },
         false},
    };
    for (const Row& row : rows) {
      INFO(row.name);
      TempDir tree;
      WriteFile(tree.Sub("app/k.env"), "OPENAI_API_KEY=" + Key(1601) + "\n");
      row.make(tree);
      testing::CommandOptions options;
      options.timeout_seconds = 60;
      options.stdin_data = "";
      const auto start = std::chrono::steady_clock::now();
      const CommandResult r = cli.Run({"dir", tree.path()}, options);
      const double seconds = std::chrono::duration<double>(
                                 std::chrono::steady_clock::now() - start)
                                 .count();
      CHECK_MESSAGE(r.exit_code == (row.error ? 2 : 1), Show(r));
      CHECK(seconds < 30);
      CHECK(r.err.find("leaked-first-key") == std::string::npos);
      CHECK(r.err.find("root:") == std::string::npos);
    }
  }

  TEST_CASE(
      "issue 20 item 8: the rules cache is private and a tampered one "
      "does not blind the scan") {
    Cli cli;
    TempDir tree;
    WriteFile(tree.Sub("k.env"), "OPENAI_API_KEY=" + Key(1801) + "\n");
    const mode_t old_mask = ::umask(0);
    const CommandResult first = cli.Run({"dir", tree.path()});
    ::umask(old_mask);
    REQUIRE_MESSAGE(first.exit_code == 1, Show(first));
    struct stat st;
    REQUIRE(::stat(cli.cache_dir().c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0700);
    int entries = 0;
    for (const auto& e : fs::directory_iterator(cli.cache_dir())) {
      REQUIRE(::stat(e.path().c_str(), &st) == 0);
      CHECK_MESSAGE((st.st_mode & 0777) == 0600, e.path());
      ++entries;
    }
    CHECK(entries >= 2);  // rules-*.json and rules-*.hsdb
    for (const auto& e : fs::directory_iterator(cli.cache_dir())) {
      std::ofstream(e.path(), std::ios::trunc) << "{\"rules\":[]}";
    }
    const CommandResult r = cli.Run({"dir", tree.path(), "--format", "json"});
    CHECK_MESSAGE(r.exit_code == 1, Show(r));
    CHECK(Json(r)["credentials"].size() == 1);
    CHECK(r.err.find("cache ignored") != std::string::npos);
  }

  TEST_CASE("catch-all patterns and history paths: the library rules") {
    struct Row {
      const char* pattern;
      bool catch_all;
    };
    const Row rows[] = {
        {"*", true},        {"**", true},         {"/*", true},
        {"**/*", true},     {"*.*", true},        {"/**", true},
        {"vendor/", false}, {"*.min.js", false},  {"vendor/**", false},
        {"!keep", false},   {"# comment", false}, {"", false},
    };
    for (const Row& row : rows) {
      INFO(row.pattern);
      CHECK(IsCatchAllPattern(row.pattern) == row.catch_all);
    }
    IgnoreRules rules;
    rules.AddPattern("", "vendor/");
    rules.AddPattern("", "*.log");
    rules.AddPattern("", "!keep.log");
    CHECK(rules.ExcludesPath("vendor/a/b.env"));
    CHECK(rules.ExcludesPath("x/vendor/b.env"));  // unanchored, any depth
    CHECK(rules.ExcludesPath("a/b.log"));
    CHECK_FALSE(rules.ExcludesPath("a/keep.log"));
    CHECK_FALSE(rules.ExcludesPath("vendor"));  // a file named vendor
    CHECK_FALSE(rules.ExcludesPath("app/k.env"));
  }

  TEST_CASE("incomplete reasons and --incomplete-ok") {
    ScanStats stats;
    CHECK(IncompleteReasons(stats, {}).empty());
    stats.skipped_too_large = 2;
    stats.timed_out = 1;
    CHECK(IncompleteReasons(stats, {}).size() == 2);
    CompletenessOptions ok;
    CHECK(ParseIncompleteOk("too-large,timed-out", &ok).empty());
    CHECK(IncompleteReasons(stats, ok).empty());
    CHECK(!ParseIncompleteOk("unreadable", &ok).empty());
    stats.skipped_unreadable = 1;
    stats.interrupted = true;
    CHECK(IncompleteReasons(stats, ok).size() == 2);  // never acceptable
  }

  TEST_CASE("sealed private files refuse tampering") {
    TempDir tmp;
    const std::string dir = tmp.Sub("c");
    std::string why;
    REQUIRE(WriteSealedFile(dir, dir + "/x", "payload", &why));
    auto back = ReadSealedFile(dir + "/x", 1 << 20, &why);
    REQUIRE(back);
    CHECK(*back == "payload");
    std::ofstream(dir + "/x", std::ios::trunc) << "{\"rules\":[]}";
    CHECK(!ReadSealedFile(dir + "/x", 1 << 20, &why));
    CHECK(!why.empty());
    CHECK(!ReadSealedFile(dir + "/missing", 1 << 20, &why));
    CHECK(why.empty());
  }
}

}  // namespace sprawl
