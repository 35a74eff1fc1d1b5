// Tests of the git history source against temporary repositories built with
// the git CLI: provenance of deleted, renamed, branch-only, tag-only and
// merged secrets, --range, --staged, empty/bare/shallow repositories, and
// determinism across thread counts.
#include "scanner/scan/git_scan.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tests/git_test_repo.h"
#include "tests/test_util.h"

namespace sprawl {
namespace {

using testing::Describe;
using testing::DescribeAll;
using testing::Key;
using testing::Scan;
using testing::SyntheticToken;
using testing::TempDir;
using testing::TestMatcher;
using testing::TestRepo;
using testing::WithSecret;

TEST_SUITE("git source") {
  TEST_CASE(
      "a secret deleted later is found once, with the commit and author "
      "that introduced it and in_head false") {
    TestRepo repo;
    const std::string k1 = Key(1), k2 = Key(2);
    repo.Write("deploy/.env", "A=1\nTOKEN=" + k1 + "\n");
    const std::string date1 = repo.Date();
    const std::string c1 =
        repo.Commit("add deploy env\n\nlong body", "Alice Example");
    const std::string blob1 = repo.Git({"rev-parse", c1 + ":deploy/.env"});
    repo.Write("app.py", "token = '" + k2 + "'\n");
    const std::string c2 = repo.Commit("add app", "Bob Builder");
    repo.Git({"rm", "-q", "deploy/.env"});
    repo.Commit("remove env", "Carol Cleaner");

    GitScanResult r = Scan(repo.path());
    CHECK(r.full_history);
    CHECK_FALSE(r.shallow);
    CHECK(r.stats.commits == 3);
    REQUIRE(r.findings.size() == 2);
    struct Expect {
      std::string secret, path, commit, author, email, summary;
      uint64_t line, column;
      bool in_head;
      std::vector<std::string> refs;
    };
    const std::vector<Expect> table = {
        {k1,
         "deploy/.env",
         c1,
         "Alice Example",
         "Alice@corp.test",
         "add deploy env",
         2,
         7,
         false,
         {}},
        {k2,
         "app.py",
         c2,
         "Bob Builder",
         "Bob@corp.test",
         "add app",
         1,
         10,
         true,
         {"refs/heads/main"}},
    };
    for (const Expect& e : table) {
      CAPTURE(e.path);
      auto found = WithSecret(r, e.secret);
      REQUIRE(found.size() == 1);
      const Finding& f = *found[0];
      CHECK(f.location.source == "git");
      CHECK(f.location.path == e.path);
      CHECK(f.location.line == e.line);
      CHECK(f.location.column == e.column);
      REQUIRE(f.location.git.has_value());
      CHECK(f.location.git->commit == e.commit);
      CHECK(f.location.git->author == e.author);
      CHECK(f.location.git->author_email == e.email);
      CHECK(f.location.git->summary == e.summary);
      CHECK(f.location.git->in_head == e.in_head);
      CHECK(f.location.git->refs == e.refs);
    }
    CHECK(WithSecret(r, k1)[0]->location.git->blob == blob1);
    CHECK(WithSecret(r, k1)[0]->location.git->date == date1);
    CHECK(r.root == std::filesystem::canonical(repo.path()).string());
  }

  TEST_CASE(
      "a renamed file gives one location per (path, blob): the old path "
      "from its commit, the new path from the rename") {
    TestRepo repo;
    const std::string k = Key(3);
    repo.Write("old.env", "K=" + k + "\n");
    const std::string c1 = repo.Commit("add");
    std::filesystem::create_directories(repo.Sub("config"));
    repo.Git({"mv", "old.env", "config/new.env"});
    const std::string c2 = repo.Commit("rename", "Bob Builder");
    repo.Write("other.txt", "unrelated\n");
    repo.Commit("more");

    GitScanResult r = Scan(repo.path());
    REQUIRE(r.findings.size() == 2);
    CHECK(r.findings[0].location.path == "config/new.env");
    CHECK(r.findings[0].location.git->commit == c2);
    CHECK(r.findings[0].location.git->in_head);
    CHECK(r.findings[1].location.path == "old.env");
    CHECK(r.findings[1].location.git->commit == c1);
    CHECK_FALSE(r.findings[1].location.git->in_head);
    CHECK(r.findings[0].location.git->blob == r.findings[1].location.git->blob);
    CHECK(r.stats.files_scanned == 2);  // the blob is read once
  }

  TEST_CASE(
      "secrets only on a side branch, only behind a tag, or merged are "
      "attributed to the commits that added them") {
    TestRepo repo;
    const std::string k_branch = Key(4), k_tag = Key(5), k_merged = Key(6);
    repo.Write("README", "hello\n");
    repo.Commit("root");
    // Side branch never merged.
    repo.Git({"checkout", "-q", "-b", "side"});
    repo.Write("side.txt", k_branch + "\n");
    const std::string c_side = repo.Commit("side work", "Bob Builder");
    // Only reachable from an annotated tag.
    repo.Git({"checkout", "-q", "-b", "tmp", "main"});
    repo.Write("release.cfg", "key " + k_tag + "\n");
    const std::string c_tag = repo.Commit("release", "Carol Cleaner");
    repo.Git({"tag", "-a", "v1", "-m", "v1"});
    repo.Git({"checkout", "-q", "main"});
    repo.Git({"branch", "-q", "-D", "tmp"});
    // Merged feature branch.
    repo.Git({"checkout", "-q", "-b", "feature"});
    repo.Write("feature.txt", k_merged + "\n");
    const std::string c_feat = repo.Commit("feature", "Dan Dev");
    repo.Git({"checkout", "-q", "main"});
    repo.Write("main.txt", "main moves on\n");
    repo.Commit("main");
    repo.Git({"merge", "-q", "--no-ff", "-m", "merge feature", "feature"});

    GitScanResult r = Scan(repo.path());
    struct Expect {
      std::string secret, path, commit, author;
      bool in_head;
      std::vector<std::string> refs;
    };
    const std::vector<Expect> table = {
        {k_branch,
         "side.txt",
         c_side,
         "Bob Builder",
         false,
         {"refs/heads/side"}},
        {k_tag, "release.cfg", c_tag, "Carol Cleaner", false, {"refs/tags/v1"}},
        {k_merged,
         "feature.txt",
         c_feat,
         "Dan Dev",
         true,
         {"refs/heads/feature", "refs/heads/main"}},
    };
    CHECK(r.findings.size() == table.size());
    for (const Expect& e : table) {
      CAPTURE(e.path);
      auto found = WithSecret(r, e.secret);
      REQUIRE(found.size() == 1);
      CHECK(found[0]->location.path == e.path);
      CHECK(found[0]->location.git->commit == e.commit);
      CHECK(found[0]->location.git->author == e.author);
      CHECK(found[0]->location.git->in_head == e.in_head);
      CHECK(found[0]->location.git->refs == e.refs);
    }
  }

  TEST_CASE(
      "--range returns exactly what the range introduced; a rename of "
      "old content introduces nothing") {
    TestRepo repo;
    const std::string k_old = Key(7), k_new = Key(8), k_main = Key(9);
    repo.Write("a.txt", k_old + "\n");
    repo.Commit("base");
    repo.Git({"checkout", "-q", "-b", "pr"});
    repo.Write("b.txt", "x\n" + k_new + "\n");
    const std::string c_new = repo.Commit("add new key", "Bob Builder");
    std::filesystem::create_directories(repo.Sub("moved"));
    repo.Git({"mv", "a.txt", "moved/a.txt"});
    repo.Commit("move old file");
    repo.Git({"checkout", "-q", "main"});
    repo.Write("m.txt", k_main + "\n");
    repo.Commit("main only");
    repo.Git({"checkout", "-q", "pr"});

    struct Case {
      std::string range;
      std::vector<std::string> secrets;
    };
    const std::vector<Case> table = {
        {"main..pr", {k_new}}, {"main..HEAD", {k_new}}, {"pr..main", {k_main}},
        {"pr~2..pr", {k_new}}, {"pr~1..pr", {}},        {"pr..pr", {}},
    };
    for (const Case& c : table) {
      CAPTURE(c.range);
      GitScanOptions o;
      o.range = c.range;
      GitScanResult r = Scan(repo.path(), o);
      CHECK_FALSE(r.full_history);
      std::vector<std::string> secrets;
      for (const Finding& f : r.findings) secrets.push_back(f.secret);
      CHECK(secrets == c.secrets);
    }
    GitScanOptions o;
    o.range = "main..pr";
    GitScanResult r = Scan(repo.path(), o);
    REQUIRE(r.findings.size() == 1);
    CHECK(r.findings[0].location.path == "b.txt");
    CHECK(r.findings[0].location.line == 2);
    CHECK(r.findings[0].location.git->commit == c_new);
    CHECK(r.findings[0].location.git->in_head);
    CHECK(r.stats.commits == 2);
  }

  TEST_CASE(
      "a range that does not resolve, or a single revision, is an "
      "error") {
    TestRepo repo;
    repo.Write("a", "a\n");
    repo.Commit("one");
    for (const char* range : {"nosuch..main", "main"}) {
      CAPTURE(range);
      GitScanOptions o;
      o.repo_path = repo.path();
      o.range = range;
      Diagnostics quiet(nullptr);
      CHECK_FALSE(ScanGitHistory(o, TestMatcher(), &quiet).ok());
    }
  }

  TEST_CASE(
      "--staged scans exactly the staged blobs that differ from HEAD and "
      "ignores the working tree") {
    TestRepo repo;
    const std::string k_committed = Key(10), k_staged = Key(11),
                      k_unstaged = Key(12), k_untracked = Key(13);
    repo.Write("a.txt", k_committed + "\n");
    repo.Write("same.txt", "unchanged " + Key(14) + "\n");
    repo.Commit("base");
    repo.Write("b.txt", "new " + k_staged + "\n");
    repo.Git({"add", "b.txt"});
    repo.Write("a.txt", k_committed + "\n" + k_unstaged + "\n");  // not added
    repo.Write("c.txt", k_untracked + "\n");                      // untracked

    GitScanOptions o;
    o.staged = true;
    GitScanResult r = Scan(repo.path(), o);
    REQUIRE(r.findings.size() == 1);
    const Finding& f = r.findings[0];
    CHECK(f.secret == k_staged);
    CHECK(f.location.source == "index");
    CHECK(f.location.path == "b.txt");
    CHECK(f.location.line == 1);
    CHECK(f.location.column == 5);
    REQUIRE(f.location.git.has_value());
    CHECK(f.location.git->commit.empty());
    CHECK(f.location.git->blob == repo.Git({"rev-parse", ":b.txt"}));
    CHECK(r.stats.files_scanned == 1);
  }

  TEST_CASE(
      "--staged gives the same answer for every index format, with "
      "intent-to-add entries and deletions staged") {
    struct Case {
      std::string name;
      std::vector<std::vector<std::string>> setup;  // git commands
    };
    const std::vector<Case> table = {
        {"index v2", {{"update-index", "--index-version", "2"}}},
        {"index v3", {{"update-index", "--index-version", "3"}}},
        {"index v4", {{"update-index", "--index-version", "4"}}},
        {"v2 without cached trees",
         {{"update-index", "--index-version", "2"},
          {"rm", "-q", "--cached", "-r", "many"},
          {"add", "many"}}},
    };
    for (const Case& c : table) {
      CAPTURE(c.name);
      TestRepo repo;
      const std::string k_dir = Key(30), k_mod = Key(31), k_old = Key(32),
                        k_ita = Key(33);
      repo.Write("keep/a.txt", "old " + k_old + "\n");
      repo.Write("keep/b.txt", "plain\n");
      repo.Write("gone.txt", "x\n");
      for (int i = 0; i < 20; ++i) {
        repo.Write("many/f" + std::to_string(i), "file " + std::to_string(i));
      }
      repo.Commit("base");
      repo.Git({"add", "-A"});  // refresh the cached trees
      repo.Write("new/dir/c.txt", "c " + k_dir + "\n");
      repo.Write("keep/b.txt", "plain\n" + k_mod + "\n");
      repo.Git({"add", "new/dir/c.txt", "keep/b.txt"});
      repo.Git({"rm", "-q", "gone.txt"});
      repo.Write("later.txt", k_ita + "\n");
      repo.Git({"add", "-N", "later.txt"});  // intent to add: nothing staged
      for (const auto& cmd : c.setup) repo.Git(cmd);
      GitScanOptions o;
      o.staged = true;
      GitScanResult r = Scan(repo.path(), o);
      std::vector<std::string> got;
      for (const Finding& f : r.findings) {
        got.push_back(f.location.path + " " + f.secret);
      }
      CHECK(got == std::vector<std::string>{"keep/b.txt " + k_mod,
                                            "new/dir/c.txt " + k_dir});
    }
  }

  TEST_CASE("--staged on a split index is an error that says how to fix it") {
    TestRepo repo;
    repo.Write("a.txt", "a\n");
    repo.Commit("base");
    repo.Git({"update-index", "--split-index"});
    GitScanOptions o;
    o.repo_path = repo.path();
    o.staged = true;
    Diagnostics quiet(nullptr);
    auto r = ScanGitHistory(o, TestMatcher(), &quiet);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("--no-split-index") != std::string::npos);
  }

  TEST_CASE(
      "--staged reads the index named by GIT_INDEX_FILE, as hooks of "
      "`git commit <paths>` see it") {
    TestRepo repo;
    repo.Write("a.txt", "a\n");
    repo.Commit("base");
    const std::string k = Key(34);
    repo.Write("b.txt", k + "\n");
    const std::string alt = repo.Sub(".git/alt-index");
    testing::CommandOptions o;
    o.cwd = repo.path();
    o.env = {{"GIT_INDEX_FILE", alt}, {"GIT_CONFIG_GLOBAL", "/dev/null"}};
    REQUIRE(testing::RunCommand({"/usr/bin/git", "read-tree", "HEAD"}, o)
                .exit_code == 0);
    REQUIRE(
        testing::RunCommand({"/usr/bin/git", "add", "b.txt"}, o).exit_code ==
        0);
    GitScanOptions staged;
    staged.staged = true;
    CHECK(Scan(repo.path(), staged).findings.empty());  // the default index
    ::setenv("GIT_INDEX_FILE", alt.c_str(), 1);
    GitScanResult r = Scan(repo.path(), staged);
    ::unsetenv("GIT_INDEX_FILE");
    REQUIRE(r.findings.size() == 1);
    CHECK(r.findings[0].secret == k);
  }

  TEST_CASE("--staged works in a repository without commits") {
    TestRepo repo;
    const std::string k = Key(15);
    repo.Write("first.env", "K=" + k + "\n");
    repo.Git({"add", "first.env"});
    GitScanOptions o;
    o.staged = true;
    GitScanResult r = Scan(repo.path(), o);
    REQUIRE(r.findings.size() == 1);
    CHECK(r.findings[0].secret == k);
    CHECK(r.findings[0].location.path == "first.env");
  }

  TEST_CASE("an empty repository has no findings and is not an error") {
    TestRepo repo;
    for (bool staged : {false, true}) {
      GitScanOptions o;
      o.staged = staged;
      GitScanResult r = Scan(repo.path(), o);
      CHECK(r.findings.empty());
      CHECK(r.stats.files_scanned == 0);
    }
  }

  TEST_CASE(
      "a bare clone gives the same findings as its source, rooted at the "
      "git dir") {
    TestRepo repo;
    repo.Write("x/secret.txt", Key(16) + "\n");
    repo.Commit("one");
    repo.Git({"rm", "-q", "x/secret.txt"});
    repo.Commit("two");
    TempDir bare_parent;
    const std::string bare = bare_parent.Sub("clone.git");
    repo.Git({"clone", "-q", "--bare", repo.path(), bare});
    GitScanResult a = Scan(repo.path());
    GitScanResult b = Scan(bare);
    CHECK(a.findings.size() == 1);
    CHECK(DescribeAll(a) == DescribeAll(b));
    CHECK(b.root == std::filesystem::canonical(bare).string());
  }

  TEST_CASE("a directory that is not a repository is an error") {
    TempDir dir;
    GitScanOptions o;
    o.repo_path = dir.path();
    Diagnostics quiet(nullptr);
    auto r = ScanGitHistory(o, TestMatcher(), &quiet);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message == dir.path() + ": not a git repository");
  }

  TEST_CASE(
      "issue 16: the last phase (pairs located) counts every pair, so it "
      "ends at 100%, not at 0% with a rising ETA") {
    TestRepo repo;
    repo.Write("a.txt", Key(40) + "\n");
    repo.Write("b.txt", "plain\n");
    repo.Commit("one");
    repo.Write("c.txt", Key(41) + "\n");
    repo.Commit("two");
    for (GitProvenanceMode mode :
         {GitProvenanceMode::kCommitWalk, GitProvenanceMode::kTreePass}) {
      ScanProgress progress;
      GitScanOptions o;
      o.progress = &progress;
      o.provenance = mode;
      GitScanResult r = Scan(repo.path(), o);
      CHECK(r.findings.size() == 2);
      CHECK(std::string(progress.unit.load()) == "(path, blob) pairs located");
      CHECK(progress.total_items.load() > 0);
      CHECK(progress.items.load() == progress.total_items.load());
    }
  }

  TEST_CASE("the scan opens the repository from a subdirectory") {
    TestRepo repo;
    repo.Write("sub/dir/f.txt", Key(17) + "\n");
    repo.Commit("one");
    GitScanResult r = Scan(repo.Sub("sub/dir"));
    REQUIRE(r.findings.size() == 1);
    CHECK(r.findings[0].location.path == "sub/dir/f.txt");
  }

  TEST_CASE("findings are identical for 1 and 4 threads") {
    TestRepo repo;
    for (int i = 0; i < 30; ++i) {
      repo.Write(
          "f" + std::to_string(i % 7) + "/file" + std::to_string(i) + ".txt",
          "line\n" + Key(100 + i) + " and " + Key(200 + i % 5) + "\n");
      if (i % 4 == 0)
        repo.Git({"checkout", "-q", "-B", "b" + std::to_string(i)});
      // A file deleted, then restored with the same content at the same
      // path in a later segment: it keeps its first commit. And a rename.
      if (i == 9) repo.Git({"rm", "-q", "f3/file3.txt"});
      if (i == 24) {
        repo.Write("f3/file3.txt",
                   "line\n" + Key(103) + " and " + Key(203) + "\n");
      }
      if (i == 17) repo.Git({"mv", "f1/file8.txt", "f6/moved8.txt"});
      repo.Commit("c" + std::to_string(i));
    }
    GitScanOptions one, four, segmented;
    one.threads = 1;
    four.threads = 4;
    segmented.threads = 4;  // the history indexed in 4 segments, 4 threads
    segmented.min_commits_per_segment = 1;
    GitScanResult a = Scan(repo.path(), one);
    GitScanResult b = Scan(repo.path(), four);
    GitScanResult c = Scan(repo.path(), segmented);
    CHECK(a.findings.size() >= 60);
    CHECK(DescribeAll(a) == DescribeAll(b));
    CHECK(DescribeAll(a) == DescribeAll(c));
    CHECK(a.stats.files_scanned == b.stats.files_scanned);
    CHECK(a.stats.files_scanned == c.stats.files_scanned);
    CHECK(a.stats.commits == c.stats.commits);
  }

  TEST_CASE(
      "binary blobs and blobs over the size limit are skipped, and "
      "non-UTF-8 paths are kept as raw bytes") {
    TestRepo repo;
    const std::string k = Key(18);
    repo.Write("bin.dat", std::string("\0\1\2", 3) + k);
    repo.Write("big.txt", std::string(5000, 'a') + "\n" + Key(19) + "\n");
    const std::string raw_name = "caf\xe9.env";
    repo.Write(raw_name, Key(20) + "\n");
    repo.Commit("mixed");
    GitScanOptions o;
    o.max_blob_size = 4096;
    Diagnostics diags(nullptr);
    GitScanResult r = Scan(repo.path(), o, &diags);
    CHECK(r.stats.skipped_binary == 1);
    CHECK(r.stats.skipped_too_large == 1);
    CHECK(diags.warnings() == 1);
    REQUIRE(r.findings.size() == 1);
    CHECK(r.findings[0].location.path == raw_name);
  }

  TEST_CASE("a shallow clone is scanned and reported as shallow") {
    TestRepo repo;
    repo.Write("a.txt", Key(21) + "\n");
    repo.Commit("one");
    repo.Write("b.txt", Key(22) + "\n");
    repo.Commit("two");
    TempDir parent;
    const std::string clone = parent.Sub("shallow");
    repo.Git({"clone", "-q", "--depth", "1", "file://" + repo.path(), clone});
    Diagnostics diags(nullptr);
    GitScanResult r = Scan(clone, {}, &diags);
    CHECK(r.shallow);
    CHECK(diags.Text().find("shallow clone") != std::string::npos);
    CHECK(r.findings.size() == 2);  // both files are in the grafted commit
    CHECK(r.stats.commits == 1);
  }

  TEST_CASE("a cancelled scan stops and says it was interrupted") {
    TestRepo repo;
    repo.Write("a.txt", Key(23) + "\n");
    repo.Commit("one");
    std::atomic<bool> cancel{true};
    GitScanOptions o;
    o.cancel = &cancel;
    GitScanResult r = Scan(repo.path(), o);
    CHECK(r.stats.interrupted);
    CHECK(r.findings.empty());
  }

}  // TEST_SUITE

}  // namespace
}  // namespace sprawl
