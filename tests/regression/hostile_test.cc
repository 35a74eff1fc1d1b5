// Hostile inputs thrown at the built binary: huge files and lines, YAML
// bombs, special files, broken git repositories (missing objects, commit
// cycles, dangling refs), hostile path names, a million-entry inventory, a
// catastrophic-backtracking rule and Ctrl-C (in a scan and in a sweep). Each
// must end in a clean result or a clean error: no crash, no hang, bounded
// memory. SPRAWL_HEAVY_TESTS=1 runs the full sizes (2 GiB file, 1 million
// inventory entries); the default sizes keep the suite fast.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "scanner/datastore/datastore.h"
#include "scanner/datastore/sqlite.h"
#include "tests/test_util.h"

namespace sprawl {
namespace {

namespace fs = std::filesystem;
using testing::CommandOptions;
using testing::CommandResult;
using testing::kAlnum;
using testing::RunCommand;
using testing::SyntheticGithubToken;
using testing::SyntheticToken;
using testing::TempDir;
using testing::WriteFile;

using testing::kSanitized;

bool Heavy() {
  const char* v = std::getenv("SPRAWL_HEAVY_TESTS");
  return v != nullptr && std::string(v) == "1";
}

using Measured = CommandResult;

// Runs argv with RunCommand, timing it. With `while_running`, that runs in
// the parent after the fork and gets the child's pid. Without it, the child
// runs under GNU time, whose -f %M is its peak RSS: wait4's own figure would
// count the pages the child shared with this (large, under ASan) test
// process between fork and exec.
Measured RunMeasured(const std::vector<std::string>& argv_in,
                     const std::map<std::string, std::string>& env,
                     unsigned timeout_seconds,
                     const std::function<void(pid_t)>& while_running = {}) {
  TempDir io;
  const std::string rss_path = io.Sub("rss");
  std::vector<std::string> argv = argv_in;
  const bool gnu_time = !while_running && ::access("/usr/bin/time", X_OK) == 0;
  if (gnu_time) {
    argv.insert(argv.begin(), {"/usr/bin/time", "-f", "%M", "-o", rss_path});
  }
  CommandOptions options;
  options.env = env;
  options.timeout_seconds = timeout_seconds;
  options.while_running = while_running;
  Measured m = RunCommand(argv, options);
  if (gnu_time) {
    // "Command exited with non-zero status N" may precede the figure.
    std::string rss = testing::ReadFile(rss_path);
    while (!rss.empty() && rss.back() == '\n') rss.pop_back();
    m.max_rss_kb = std::atol(rss.substr(rss.rfind('\n') + 1).c_str());
  }
  return m;
}

// A private rules cache for the test binary's runs, warmed once so that a
// run's start-up does not include Hyperscan compilation.
const std::string& CacheDir() {
  static TempDir* dir = [] {
    auto* d = new TempDir();
    TempDir empty;
    CommandOptions o;
    o.env["SPRAWL_CACHE_DIR"] = d->path();
    RunCommand({SPRAWL_BINARY, "dir", empty.path()}, o);
    return d;
  }();
  return dir->path();
}

CommandResult Sprawl(std::vector<std::string> args, unsigned timeout = 120,
                     std::string cwd = "") {
  args.insert(args.begin(), SPRAWL_BINARY);
  CommandOptions o;
  o.env["SPRAWL_CACHE_DIR"] = CacheDir();
  o.timeout_seconds = timeout;
  o.cwd = std::move(cwd);
  return RunCommand(args, o);
}

// A crash, a sanitizer abort or the timeout alarm all exit as a signal or
// with a sanitizer's exit code; a clean run exits 0, 1 or 2.
void CheckClean(const CommandResult& r) {
  CAPTURE(r.err.substr(0, 2000));
  CHECK(r.exit_code >= 0);
  CHECK(r.exit_code <= 3);  // 3: incomplete scan, a clean outcome too
}

nlohmann::json Json(const std::string& text) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const std::exception& e) {
    FAIL("not valid JSON: " << e.what());
  }
  return j;
}

// Every secret of a JSON report, by location count.
std::size_t CountLocations(const nlohmann::json& report) {
  std::size_t n = 0;
  for (const auto& c : report["credentials"]) n += c["locations"].size();
  return n;
}

void Pwrite(const std::string& path, uint64_t offset, std::string_view data) {
  const int fd = ::open(path.c_str(), O_WRONLY);
  REQUIRE(fd >= 0);
  REQUIRE(::pwrite(fd, data.data(), data.size(), static_cast<off_t>(offset)) ==
          static_cast<ssize_t>(data.size()));
  ::close(fd);
}

// A sparse file of `size` bytes: 8 KiB of text first (the binary probe
// reads 8000 bytes and a NUL there would skip the file), a hole of zeros,
// and `tail` written at `size - tail.size()`.
void SparseFile(const std::string& path, uint64_t size, std::string_view tail) {
  std::string head;
  while (head.size() < 8192) head += "this file is mostly a hole\n";
  WriteFile(path, head);
  REQUIRE(::truncate(path.c_str(), static_cast<off_t>(size)) == 0);
  Pwrite(path, size - tail.size(), tail);
}

std::string Git(const std::string& repo, const std::string& args) {
  const std::string cmd = "git -C '" + repo +
                          "' -c user.name=t -c user.email=t@example.com "
                          "-c commit.gpgsign=false " +
                          args + " 2>&1";
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int rc = ::pclose(p);
  REQUIRE_MESSAGE(rc == 0, cmd << ": " << out);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

// YAML that yaml-cpp must refuse or read within bounds.
std::string DeepFlow(const std::string& key, int depth) {
  return key + ": " + std::string(static_cast<std::size_t>(depth), '[') +
         std::string(static_cast<std::size_t>(depth), ']') + "\n";
}
std::string DeepMap(const std::string& key, int depth) {
  std::string s = key + ": ";
  for (int i = 0; i < depth; ++i) s += "{a: ";
  s += "x";
  s += std::string(static_cast<std::size_t>(depth), '}');
  return s + "\n";
}
std::string DeepBlock(const std::string& key, int depth) {
  std::string s = key + ":\n";
  for (int i = 1; i <= depth; ++i) {
    s += std::string(static_cast<std::size_t>(i), ' ') + "- ";
    s += "\n";
  }
  return s;
}
// Nine-fold alias nesting: 9^levels leaves when expanded, placed under `key`
// and reused in `use_in` (a field a loader reads as a list).
std::string Laughs(const std::string& key, int levels) {
  std::string s = "x0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (int i = 1; i <= levels; ++i) {
    s += "x" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int k = 0; k < 9; ++k) {
      s += (k ? ", *a" : "*a") + std::to_string(i - 1);
    }
    s += "]\n";
  }
  return s + key + ": *a" + std::to_string(levels) + "\n";
}

// Writes a commit object whose body is `body` under the name `name` (40 hex
// digits) instead of its hash, the way a corrupt or forged object store
// can: git hash-object --literally writes it under its real name, then the
// file moves. sprawl reads objects without hash verification (speed), so
// it sees `name`'s parents as written. Returns `name`.
std::string ForgeCommit(const std::string& repo, const std::string& name,
                        const std::string& body) {
  const std::string tmp = repo + "/.git/forged-body";
  WriteFile(tmp, body);
  const std::string real =
      Git(repo, "hash-object -t commit -w --literally '" + tmp + "'");
  fs::remove(tmp);
  const std::string objects = repo + "/.git/objects/";
  fs::create_directories(objects + name.substr(0, 2));
  fs::rename(objects + real.substr(0, 2) + "/" + real.substr(2),
             objects + name.substr(0, 2) + "/" + name.substr(2));
  return name;
}

std::string CommitBody(const std::string& tree,
                       const std::vector<std::string>& parents,
                       const std::string& message) {
  std::string body = "tree " + tree + "\n";
  for (const auto& p : parents) body += "parent " + p + "\n";
  body +=
      "author t <t@example.com> 1767225600 +0000\n"
      "committer t <t@example.com> 1767225600 +0000\n\n" +
      message + "\n";
  return body;
}

// Points the branch HEAD names at `oid` by writing the ref file: git
// update-ref would refuse a tip whose history it cannot read.
void ForceHead(const std::string& repo, const std::string& oid) {
  const std::string ref = Git(repo, "symbolic-ref HEAD");
  WriteFile(repo + "/.git/" + ref, oid + "\n");
}

// A repository whose HEAD branch is a forged tip commit (tip.env) on top of
// either the sound history of branch `sound` (clean.env) or a forged
// commit cycle whose trees hold looped.env.
struct ForgedRepo {
  enum Shape { kLinear, kSelfLoop, kTwoCycle };
  std::string path;
};

ForgedRepo BuildForgedRepo(const std::string& path, ForgedRepo::Shape shape) {
  const std::string kFakeA(40, 'a');
  const std::string kFakeB = std::string(39, 'b') + "c";
  fs::create_directories(path);
  Git(path, "init -q");
  WriteFile(path + "/clean.env",
            "GITHUB_TOKEN=" + SyntheticGithubToken("ghp_", 920) + "\n");
  Git(path, "add -A");
  Git(path, "commit -q -m clean");
  Git(path, "branch sound");
  WriteFile(path + "/looped.env",
            "GITHUB_TOKEN=" + SyntheticGithubToken("ghp_", 921) + "\n");
  Git(path, "add -A");
  Git(path, "commit -q -m looped");
  const std::string looped_tree = Git(path, "rev-parse HEAD^{tree}");
  fs::remove(path + "/looped.env");
  WriteFile(path + "/tip.env",
            "GITHUB_TOKEN=" + SyntheticGithubToken("ghp_", 922) + "\n");
  Git(path, "add -A");
  Git(path, "commit -q -m tip");
  const std::string tip_tree = Git(path, "rev-parse HEAD^{tree}");
  std::string below_tip = Git(path, "rev-parse sound");
  if (shape == ForgedRepo::kSelfLoop) {
    below_tip =
        ForgeCommit(path, kFakeA, CommitBody(looped_tree, {kFakeA}, "self"));
  } else if (shape == ForgedRepo::kTwoCycle) {
    ForgeCommit(path, kFakeA, CommitBody(looped_tree, {kFakeB}, "a"));
    ForgeCommit(path, kFakeB, CommitBody(looped_tree, {kFakeA}, "b"));
    below_tip = kFakeA;
  }
  const std::string body = path + "/.git/tip-body";
  WriteFile(body, CommitBody(tip_tree, {below_tip}, "tip"));
  ForceHead(path,
            Git(path, "hash-object -t commit -w --literally '" + body + "'"));
  fs::remove(body);
  return ForgedRepo{path};
}

// Every `path` with a location in a JSON report.
std::set<std::string> ReportedPaths(const nlohmann::json& report) {
  std::set<std::string> out;
  for (const auto& c : report["credentials"]) {
    for (const auto& l : c["locations"]) out.insert(l["path"]);
  }
  return out;
}

// `count` copies of one repository under root/r000..: 4 MiB of history
// each (so a sweep spends a while in every one) and the same key.
void ManyRepos(const std::string& root, int count, const std::string& key) {
  const std::string tmpl = root + "/r000";
  fs::create_directories(tmpl);
  Git(tmpl, "init -q");
  std::string bulk;
  for (int i = 0; bulk.size() < (4u << 20); ++i) {
    bulk += "row " + std::to_string(i * 7919 % 1000003) +
            " lorem ipsum dolor sit amet " + std::to_string(i) + "\n";
  }
  WriteFile(tmpl + "/data.txt", bulk);
  WriteFile(tmpl + "/.env", "GITHUB_TOKEN=" + key + "\n");
  Git(tmpl, "add -A");
  Git(tmpl, "commit -q -m init");
  for (int i = 1; i < count; ++i) {
    char name[16];
    std::snprintf(name, sizeof name, "/r%03d", i);
    fs::copy(tmpl, root + name, fs::copy_options::recursive);
  }
}

// Rows of the datastore's repositories table with `status`, or -1 while
// the file or its schema does not exist yet.
int64_t StoredWithStatus(const std::string& db, const std::string& status) {
  if (!fs::exists(db)) return -1;
  auto conn = SqliteDb::Open(db, /*create=*/false);
  if (!conn.ok()) return -1;
  auto n = conn->QueryInt("SELECT count(*) FROM repositories WHERE status = '" +
                          status + "'");
  return n.ok() && n->has_value() ? **n : -1;
}

std::string IntegrityCheck(const std::string& db) {
  auto conn = SqliteDb::Open(db, /*create=*/false);
  REQUIRE(conn.ok());
  auto stmt = conn->Prepare("PRAGMA integrity_check");
  REQUIRE(stmt.ok());
  std::string out;
  while (stmt->Step()) out += stmt->Text(0) + "\n";
  REQUIRE(stmt->status().ok());
  return out;
}

// repo -> status of a sweep report.
std::map<std::string, std::string> RepoStatus(const nlohmann::json& report) {
  std::map<std::string, std::string> out;
  for (const auto& r : report["repositories"]) out[r["repo"]] = r["status"];
  return out;
}

TEST_SUITE("hostile") {
  TEST_CASE(
      "a file of gigabytes is streamed with bounded memory and its last "
      "secret is found") {
    // 2 GiB with SPRAWL_HEAVY_TESTS=1, else 300 MiB: the memory bound is
    // the same, only the time differs.
    const uint64_t size = Heavy() ? (2ull << 30) : (300ull << 20);
    TempDir dir;
    const std::string token = SyntheticGithubToken("ghp_", 901);
    SparseFile(dir.Sub("big.txt"), size, "\nGITHUB_TOKEN=" + token + "\n");
    const Measured m =
        RunMeasured({SPRAWL_BINARY, "dir", dir.path(), "--max-file-size",
                     "3GiB", "--format", "json", "--threads", "2"},
                    {{"SPRAWL_CACHE_DIR", CacheDir()}}, 600);
    CAPTURE(m.err);
    CAPTURE(m.seconds);
    REQUIRE(m.exit_code == 1);
    const auto report = Json(m.out);
    REQUIRE(report["credentials"].size() == 1);
    CHECK(report["credentials"][0]["locations"][0]["path"] == "big.txt");
    MESSAGE("peak RSS " << m.max_rss_kb / 1024 << " MiB for " << (size >> 20)
                        << " MiB in " << m.seconds << " s");
    // Sanitizer runtimes add shadow memory and a quarantine of their own.
    CHECK(m.max_rss_kb < (kSanitized ? 600 : 300) * 1024);
  }

  TEST_CASE("a file of one 10 MB line is scanned and its secret located") {
    TempDir dir;
    const std::string token = SyntheticGithubToken("ghp_", 902);
    std::string line;
    while (line.size() < (10u << 20)) line += "abcdefgh;";
    line += " " + token;
    WriteFile(dir.Sub("line.js"), line);
    const auto r = Sprawl({"dir", dir.path(), "--format", "json"});
    REQUIRE(r.exit_code == 1);
    const auto report = Json(r.out);
    REQUIRE(report["credentials"].size() == 1);
    const auto& loc = report["credentials"][0]["locations"][0];
    CHECK(loc["line"] == 1);
    CHECK(loc["column"] == line.size() - token.size() + 1);
  }

  TEST_CASE(
      "YAML bombs and deep nesting as inventory, config and rule pack end "
      "in a clean error") {
    struct Bomb {
      const char* name;
      std::function<std::string(const std::string&)> make;
    };
    const Bomb bombs[] = {
        {"100000 nested flow sequences",
         [](const std::string& k) { return DeepFlow(k, 100000); }},
        {"50000 nested flow mappings",
         [](const std::string& k) { return DeepMap(k, 50000); }},
        {"3000 nested block sequences",
         [](const std::string& k) { return DeepBlock(k, 3000); }},
        {"billion laughs", [](const std::string& k) { return Laughs(k, 12); }},
    };
    for (const Bomb& bomb : bombs) {
      INFO(bomb.name);
      TempDir dir;
      // Inventory: the bomb is the credentials list.
      WriteFile(dir.Sub("inv.yaml"), "version: 1\n" + bomb.make("credentials"));
      auto r = Sprawl({"inventory", "lint", dir.Sub("inv.yaml")}, 60);
      CheckClean(r);
      CHECK(r.exit_code == 2);
      // Config: the bomb is the exclude list of the scanned root's config.
      WriteFile(dir.Sub("root/.sprawl/config.yaml"),
                "version: 1\n" + bomb.make("exclude"));
      r = Sprawl({"dir", dir.Sub("root")}, 60);
      CheckClean(r);
      CHECK(r.exit_code == 2);
      // Rule pack: the bomb is the rules list.
      WriteFile(dir.Sub("pack.yaml"), bomb.make("rules"));
      r = Sprawl(
          {"dir", dir.Sub("root/.sprawl"), "--rules", dir.Sub("pack.yaml")},
          60);
      CheckClean(r);
      CHECK(r.exit_code == 2);
      // Pipeline file: parsed under the analyzer's node and depth caps.
      WriteFile(dir.Sub("ci/.github/workflows/ci.yml"),
                "on: push\n" + bomb.make("jobs"));
      r = Sprawl({"dir", dir.Sub("ci")}, 60);
      CheckClean(r);
      CHECK(r.exit_code == 0);
      // issue 9: yaml-cpp's own depth cap is named, not "bad file".
      CHECK(r.err.find("bad file") == std::string::npos);
    }
  }

  TEST_CASE(
      "issue 9: a pipeline file on which yaml-cpp's LoadAll would loop "
      "forever (a stray ',') is a diagnostic, not a hang") {
    // Found by fuzz_pipeline: yaml-cpp 0.7 reports an empty document
    // without consuming the ',' and LoadAll allocates documents forever.
    const char* contents[] = {",", ",z$a", "a: 1\n---\n,\n", ",a: b\n"};
    for (const char* content : contents) {
      CAPTURE(content);
      TempDir dir;
      WriteFile(dir.Sub("tree/.github/workflows/ci.yml"), content);
      WriteFile(dir.Sub("tree/.gitlab-ci.yml"), content);
      const auto r = Sprawl({"dir", dir.Sub("tree")}, 60);
      CheckClean(r);
      CHECK(r.exit_code == 0);
      CHECK(r.err.find("malformed YAML") != std::string::npos);
    }
  }

  TEST_CASE(
      "symlink loops, FIFOs and device nodes in the tree are never opened") {
    TempDir dir;
    const std::string token = SyntheticGithubToken("ghp_", 903);
    WriteFile(dir.Sub("tree/app/.env"), "GITHUB_TOKEN=" + token + "\n");
    fs::create_directory_symlink(".", dir.Sub("tree/app/loop"));
    fs::create_symlink("b", dir.Sub("tree/a"));
    fs::create_symlink("a", dir.Sub("tree/b"));
    fs::create_symlink("/dev/zero", dir.Sub("tree/zero.txt"));
    REQUIRE(::mkfifo(dir.Sub("tree/fifo.env").c_str(), 0600) == 0);
    REQUIRE(::mkfifo(dir.Sub("tree/.gitlab-ci.yml").c_str(), 0600) == 0);
    // A character device needs privileges; /dev/null's twin when we have them.
    const bool have_device = ::mknod(dir.Sub("tree/null.env").c_str(),
                                     S_IFCHR | 0600, makedev(1, 3)) == 0;
    MESSAGE(
        "device node in the tree: " << std::string(have_device ? "yes" : "no"));
    const auto r = Sprawl({"dir", dir.Sub("tree"), "--format", "json"}, 60);
    CheckClean(r);
    CHECK(r.exit_code == 1);
    const auto report = Json(r.out);
    REQUIRE(report["credentials"].size() == 1);
    CHECK(report["credentials"][0]["locations"].size() == 1);
    // Named directly as scan roots they are not read either.
    for (const char* name : {"fifo.env", "zero.txt", "a"}) {
      CAPTURE(name);
      const auto direct = Sprawl({"dir", dir.Sub("tree") + "/" + name}, 30);
      CheckClean(direct);
      CHECK(direct.exit_code != 1);
    }
  }

  TEST_CASE(
      "a git repository with missing objects is diagnosed and the rest "
      "still scanned") {
    struct Row {
      const char* name;
      const char* victim;  // rev-parse expression of the object to delete
    };
    const Row rows[] = {
        {"a missing blob", "HEAD~1:old.env"},
        {"a missing tree", "HEAD~1^{tree}"},
        {"a missing commit", "HEAD~1"},
    };
    for (const Row& row : rows) {
      INFO(row.name);
      TempDir dir;
      const std::string repo = dir.Sub("repo");
      fs::create_directories(repo);
      Git(repo, "init -q");
      const std::string lost = SyntheticGithubToken("ghp_", 904);
      const std::string kept = SyntheticGithubToken("ghp_", 905);
      WriteFile(repo + "/first.txt", "hello\n");
      Git(repo, "add -A");
      Git(repo, "commit -q -m first");
      WriteFile(repo + "/old.env", "GITHUB_TOKEN=" + lost + "\n");
      Git(repo, "add -A");
      Git(repo, "commit -q -m second");
      WriteFile(repo + "/old.env", "nothing\n");
      WriteFile(repo + "/new.env", "GITHUB_TOKEN=" + kept + "\n");
      Git(repo, "add -A");
      Git(repo, "commit -q -m third");
      const std::string oid = Git(repo, std::string("rev-parse ") + row.victim);
      const std::string object =
          repo + "/.git/objects/" + oid.substr(0, 2) + "/" + oid.substr(2);
      REQUIRE(fs::remove(object));
      const auto r = Sprawl({"git", repo, "--format", "json"}, 120);
      CheckClean(r);
      CHECK(r.exit_code == 1);
      CHECK(r.err.find("warning") != std::string::npos);
      const auto report = Json(r.out);
      bool found_kept = false;
      for (const auto& c : report["credentials"]) {
        for (const auto& l : c["locations"]) {
          found_kept = found_kept || l["path"] == "new.env";
        }
      }
      CHECK(found_kept);
    }
  }

  TEST_CASE(
      "a git blob that inflates to hundreds of megabytes is skipped by "
      "size before it is read") {
    TempDir dir;
    const std::string repo = dir.Sub("repo");
    fs::create_directories(repo);
    Git(repo, "init -q");
    {
      std::ofstream big(dir.Sub("big.txt"), std::ios::binary);
      const std::string line = "aaaaaaaaaaaaaaa\n";
      for (std::size_t n = 0; n < (200u << 20); n += line.size()) big << line;
    }
    const std::string oid =
        Git(repo, "hash-object -w '" + dir.Sub("big.txt") + "'");
    Git(repo, "update-index --add --cacheinfo 100644," + oid + ",big.txt");
    Git(repo, "commit -q -m bomb");
    fs::remove(dir.Sub("big.txt"));
    const Measured m = RunMeasured({SPRAWL_BINARY, "git", repo},
                                   {{"SPRAWL_CACHE_DIR", CacheDir()}}, 120);
    CAPTURE(m.err);
    CHECK(m.exit_code == 3);  // over the size limit: not read, incomplete
    CHECK(m.err.find("size limit") != std::string::npos);
    MESSAGE("200 MiB blob bomb: peak RSS " << m.max_rss_kb / 1024 << " MiB");
    CHECK(m.max_rss_kb < (kSanitized ? 300 : 150) * 1024);
  }

  TEST_CASE(
      "paths with newlines and invalid UTF-8 neither break JSON nor forge "
      "report lines") {
    TempDir dir;
    const std::string a = SyntheticGithubToken("ghp_", 906);
    const std::string b = SyntheticGithubToken("ghp_", 907);
    const std::string forged = "FORGED:1:1 ::error file=x::";
    WriteFile(dir.Sub("tree/evil\n" + forged + ".env"), "TOKEN=" + a + "\n");
    WriteFile(dir.Sub("tree/bad\xff\xfe\xc3(.env"), "TOKEN=" + b + "\n");
    for (const std::string format : {"text", "json", "jsonl", "sarif", "csv",
                                     "markdown", "junit", "github"}) {
      INFO(format);
      const auto r = Sprawl({"dir", dir.Sub("tree"), "--format", format});
      CheckClean(r);
      CHECK(r.exit_code == 1);
      if (format == "json" || format == "sarif") {
        const auto j = Json(r.out);  // strict UTF-8 parse
        if (format == "json") CHECK(CountLocations(j) == 2);
      }
      if (format == "jsonl") {
        std::istringstream lines(r.out);
        std::string line;
        int n = 0;
        while (std::getline(lines, line)) {
          if (line.empty()) continue;
          Json(line);
          ++n;
        }
        CHECK(n == 2);
      }
      // No output line may start with what followed the newline in the
      // path; CSV quotes it inside a field, which is RFC 4180.
      if (format != "csv") {
        std::istringstream lines(r.out);
        std::string line;
        while (std::getline(lines, line)) {
          CHECK_MESSAGE(line.rfind("FORGED", 0) != 0, line);
        }
      }
      std::istringstream errs(r.err);
      std::string line;
      while (std::getline(errs, line)) CHECK(line.rfind("FORGED", 0) != 0);
    }
  }

  TEST_CASE(
      "an inventory of a very large number of entries lints in bounded time") {
    // 1 million entries (150 MB of YAML) take ~22 s and ~1.9 GB in a
    // release build, so the million runs only with SPRAWL_HEAVY_TESTS=1.
    const int entries = Heavy() ? 1000000 : (kSanitized ? 20000 : 100000);
    TempDir dir;
    {
      std::ofstream out(dir.Sub("inv.yaml"), std::ios::binary);
      out << "version: 1\ncredentials:\n";
      char fp[65];
      for (int i = 0; i < entries; ++i) {
        std::snprintf(fp, sizeof fp, "%064x", i);
        out << "  - id: c" << i
            << "\n    provider: p\n    fingerprints: [sha256:" << fp
            << "]\n    owner: o@example.com\n";
      }
    }
    const Measured m =
        RunMeasured({SPRAWL_BINARY, "inventory", "lint", dir.Sub("inv.yaml")},
                    {}, Heavy() ? 900 : 300);
    CAPTURE(m.err);
    CHECK(m.exit_code == 0);
    MESSAGE(entries << " inventory entries: " << m.seconds << " s, peak RSS "
                    << m.max_rss_kb / 1024 << " MiB");
  }

  TEST_CASE(
      "a catastrophic-backtracking rule runs in linear time (RE2 and "
      "Hyperscan do not backtrack)") {
    TempDir dir;
    std::string pack = "rules:\n";
    pack += testing::RuleYaml("evil.nested", "((a+)+)$");
    pack += testing::RuleYaml("evil.alternation", "((a|aa)+)b");
    pack += testing::RuleYaml("evil.dense", "(a{1,64})");
    WriteFile(dir.Sub("pack.yaml"), pack);
    WriteFile(dir.Sub("tree/a.txt"), std::string(2u << 20, 'a') + "!");
    WriteFile(dir.Sub("tree/b.txt"), [] {
      std::string s;
      for (int i = 0; i < 50000; ++i) s += "aaaaaaaaaaaaaaaaaaaaaaaa!\n";
      return s;
    }());
    const auto start = std::chrono::steady_clock::now();
    const auto r = Sprawl({"dir", dir.Sub("tree"), "--rules",
                           dir.Sub("pack.yaml"), "--format", "json"},
                          120);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    CheckClean(r);
    MESSAGE("catastrophic patterns over 3.3 MB: " << seconds << " s");
    CHECK(seconds < (kSanitized ? 60 : 20));
  }

  TEST_CASE(
      "Ctrl-C in the middle of a dir scan gives a partial report, a "
      "warning and a policy exit code") {
    TempDir dir;
    const int files = 2000;
    for (int i = 0; i < files; ++i) {
      SparseFile(dir.Sub("tree/f" + std::to_string(i) + ".txt"), 8u << 20,
                 "\nGITHUB_TOKEN=" +
                     SyntheticGithubToken("ghp_", 10000 + i) + "\n");
    }
    // SIGINT once the scan is reading the tree (an open file under it).
    auto interrupt = [&] {
      return [&](pid_t pid) {
        const std::string fd_dir = "/proc/" + std::to_string(pid) + "/fd";
        const auto deadline =
            std::chrono::steady_clock::now() + std::chrono::seconds(60);
        bool scanning = false;
        while (!scanning && std::chrono::steady_clock::now() < deadline) {
          std::error_code ec;
          for (const auto& e : fs::directory_iterator(fd_dir, ec)) {
            const auto target = fs::read_symlink(e.path(), ec);
            if (!ec && target.string().find("/tree/f") != std::string::npos) {
              scanning = true;
            }
          }
          if (!scanning)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        ::kill(pid, SIGINT);
      };
    };
    const Measured once =
        RunMeasured({SPRAWL_BINARY, "dir", dir.Sub("tree"), "--threads", "1",
                     "--format", "json"},
                    {{"SPRAWL_CACHE_DIR", CacheDir()}}, 300, interrupt());
    CAPTURE(once.err);
    // Exit 3 (incomplete) unless a credential found fails the policy.
    CHECK((once.exit_code == 1 || once.exit_code == 3));
    CHECK(once.err.find("interrupted") != std::string::npos);
    const auto report = Json(once.out);
    MESSAGE("interrupted after " << report["credentials"].size() << " of "
                                 << files << " files");
    CHECK(report["credentials"].size() < static_cast<std::size_t>(files));
  }

  TEST_CASE(
      "issue 9: git history with a commit cycle ends with a warning and the "
      "readable secrets") {
    struct Row {
      const char* name;
      bool self_loop;  // else two forged commits, each the other's parent
    };
    const Row rows[] = {
        {"a commit that is its own parent", true},
        {"two commits that are each other's parent", false},
    };
    for (const Row& row : rows) {
      INFO(std::string(row.name));
      TempDir dir;
      const ForgedRepo repo = BuildForgedRepo(
          dir.Sub("repo"),
          row.self_loop ? ForgedRepo::kSelfLoop : ForgedRepo::kTwoCycle);
      const auto r = Sprawl({"git", repo.path, "--format", "json"}, 60);
      CAPTURE(r.err);
      CheckClean(r);
      CHECK(r.exit_code == 1);
      CHECK(r.err.find("warning") != std::string::npos);
      const auto paths = ReportedPaths(Json(r.out));
      CHECK(paths.count("clean.env") == 1);
      CHECK(paths.count("tip.env") == 1);
      CHECK(paths.count("looped.env") == 1);  // the looped commits are readable
    }
  }

  TEST_CASE(
      "issue 9: a branch pointing at a missing commit is diagnosed and the "
      "other refs are still scanned") {
    TempDir dir;
    const ForgedRepo repo =
        BuildForgedRepo(dir.Sub("repo"), ForgedRepo::kLinear);
    WriteFile(repo.path + "/.git/refs/heads/ghost",
              "0123456789abcdef0123456789abcdef01234567\n");
    // A dangling ref is a warning even without --verbose.
    const auto r = Sprawl({"git", repo.path, "--format", "json"}, 60);
    CheckClean(r);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("warning: refs/heads/ghost") != std::string::npos);
    CHECK(r.err.find("missing object") != std::string::npos);
    const auto paths = ReportedPaths(Json(r.out));
    CHECK(paths.count("clean.env") == 1);
    CHECK(paths.count("tip.env") == 1);
  }

  // Found by fuzz_inventory: the loader used to index credentials[] one
  // past its end for the message (a segfault in release builds).
  TEST_CASE(
      "issue 9: an inventory credential listing one fingerprint twice is a "
      "configuration error, not a crash") {
    TempDir dir;
    const std::string inventory =
        std::string(SPRAWL_SOURCE_DIR) +
        "/fixtures/fuzz/inventory/regress-duplicate-fingerprint.yaml";
    WriteFile(dir.Sub("tree/README.md"), "nothing here\n");
    const std::vector<std::vector<std::string>> commands = {
        {"inventory", "lint", inventory},
        {"dir", dir.Sub("tree"), "--inventory", inventory},
    };
    for (const auto& args : commands) {
      CAPTURE(args[0]);
      const auto r = Sprawl(args, 60);
      CAPTURE(r.err);
      CheckClean(r);
      CHECK(r.exit_code == 2);
      CHECK(r.err.find("fingerprints") != std::string::npos);
    }
  }

  TEST_CASE(
      "issue 9: Ctrl-C in the middle of a sweep exits promptly with a "
      "partial report and a consistent datastore") {
    const int repos = 64;
    TempDir dir;
    const std::string key = SyntheticGithubToken("ghp_", 930);
    ManyRepos(dir.Sub("root"), repos, key);
    const std::string db = dir.Sub("sweep.db");
    const std::vector<std::string> sweep = {
        SPRAWL_BINARY, "sweep", "--root",   dir.Sub("root"),
        "--datastore", db,      "--format", "json",
        "--threads",   "1",     "--now",    "2026-06-01"};
    const std::map<std::string, std::string> env = {
        {"SPRAWL_CACHE_DIR", CacheDir()}};
    // SIGINT once two repositories are committed: the sweep is under way.
    std::chrono::steady_clock::time_point interrupted_at;
    const Measured once = RunMeasured(sweep, env, 300, [&](pid_t pid) {
      const auto deadline =
          std::chrono::steady_clock::now() + std::chrono::seconds(120);
      while (StoredWithStatus(db, "scanned") < 2 &&
             std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
      interrupted_at = std::chrono::steady_clock::now();
      ::kill(pid, SIGINT);
    });
    const double after_signal =
        std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                      interrupted_at)
            .count();
    CAPTURE(once.err.substr(0, 2000));
    CHECK((once.exit_code == 1 || once.exit_code == 3));
    CHECK(once.err.find("interrupted; the report is partial") !=
          std::string::npos);
    MESSAGE("sweep exited " << after_signal << " s after SIGINT");
    CHECK(after_signal < (kSanitized ? 60 : 20));
    const auto first = RepoStatus(Json(once.out));
    std::size_t scanned = 0;
    std::size_t skipped = 0;
    for (const auto& [repo, status] : first) {
      scanned += status == "scanned";
      skipped += status == "skipped";
    }
    MESSAGE("interrupted after " << scanned << " of " << repos << " repos");
    CHECK(scanned >= 2);
    CHECK(skipped >= 1);
    CHECK(first.size() == static_cast<std::size_t>(repos));
    CHECK(scanned + skipped == first.size());

    CHECK(IntegrityCheck(db) == "ok\n");
    {
      auto store = Datastore::Open(db, /*create=*/false);
      REQUIRE(store.ok());
      auto sweeps = store->Sweeps();
      REQUIRE(sweeps.ok());
      REQUIRE(sweeps->size() == 1);
      CHECK(sweeps->back().finished.empty());  // not recorded as complete
    }

    const Measured again = RunMeasured(sweep, env, 300);
    CAPTURE(again.err.substr(0, 2000));
    CHECK(again.exit_code == 1);
    CHECK(again.err.find("interrupted") == std::string::npos);
    const auto report = Json(again.out);
    const auto second = RepoStatus(report);
    REQUIRE(second.size() == static_cast<std::size_t>(repos));
    std::size_t unchanged = 0;
    for (const auto& entry : second) {
      const std::string& status = entry.second;
      CAPTURE(entry.first);
      CHECK((status == "scanned" || status == "unchanged"));
      unchanged += status == "unchanged";
    }
    CHECK(unchanged == scanned);  // what was committed is not scanned again
    REQUIRE(report["credentials"].size() == 1);
    std::set<std::string> located;
    for (const auto& l : report["credentials"][0]["locations"]) {
      located.insert(l["repo"]);
    }
    CHECK(located.size() == static_cast<std::size_t>(repos));
    CHECK(IntegrityCheck(db) == "ok\n");
  }

  TEST_CASE("every limit that skips content says so on stderr") {
    TempDir dir;
    const std::string token = SyntheticGithubToken("ghp_", 908);
    WriteFile(dir.Sub("tree/big.env"),
              std::string(2u << 20, '#') + "\nGITHUB_TOKEN=" + token + "\n");
    auto r = Sprawl({"dir", dir.Sub("tree"), "--max-file-size", "1MiB"});
    CheckClean(r);
    CHECK(r.exit_code == 3);  // not read: incomplete, never a green exit
    CHECK(r.err.find("big.env") != std::string::npos);
    CHECK(r.err.find("--max-file-size") != std::string::npos);

    // Pipeline files over the analyzer's cap are scanned as text, loudly.
    std::string pipeline = "on: push\njobs:\n";
    while (pipeline.size() < (6u << 20)) pipeline += "# padding padding\n";
    pipeline += "env:\n  GITHUB_TOKEN: " + token + "\n";
    WriteFile(dir.Sub("ci/.github/workflows/ci.yml"), pipeline);
    r = Sprawl({"dir", dir.Sub("ci")});
    CheckClean(r);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("not parsed") != std::string::npos);

    const std::string repo = dir.Sub("repo");
    fs::create_directories(repo);
    Git(repo, "init -q");
    fs::copy_file(dir.Sub("tree/big.env"), repo + "/big.env");
    Git(repo, "add -A");
    Git(repo, "commit -q -m big");
    r = Sprawl({"git", repo, "--max-blob-size", "1MiB"});
    CheckClean(r);
    CHECK(r.exit_code == 3);
    CHECK(r.err.find("size limit") != std::string::npos);
  }
}

}  // namespace
}  // namespace sprawl
