// The tree pass (git_tree_pass.h) against the commit walk: on packed
// histories with delta chains, loose objects on top, branch-only, tag-only,
// deleted, renamed, merged and pipeline secrets, submodules, symlinks and a
// ref to a bare tree, both ways must report exactly the same findings; and
// the pack reader under it must return every object byte for byte as
// libgit2 does.
#include "scanner/sources/git_tree_pass.h"

#include <doctest/doctest.h>
#include <git2.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "scanner/git/git_handles.h"
#include "scanner/git/object_catalog.h"
#include "scanner/git/pack_decoder.h"
#include "tests/git_test_repo.h"

namespace sprawl {
namespace {

namespace fs = std::filesystem;
using testing::DescribeAll;
using testing::Key;
using testing::Scan;
using testing::TestRepo;

// Text that changes a little from one commit to the next, so the packer
// stores most versions of files and directories as deltas.
std::string Body(int version, int lines = 60) {
  std::string out;
  for (int i = 0; i < lines; ++i) {
    out += "line " + std::to_string(i) + " of a slowly edited file";
    if (i == version % lines)
      out += " (edited in version " + std::to_string(version) + ")";
    out += '\n';
  }
  return out;
}

// A history with every kind of place a secret can hide, packed with deep
// delta chains, plus one commit of loose objects on top.
void BuildHistory(TestRepo* repo) {
  for (int v = 0; v < 12; ++v) {
    for (int d = 0; d < 4; ++d) {
      repo->Write("src/mod" + std::to_string(d) + "/code.py", Body(v + d));
      repo->Write("docs/page" + std::to_string(d) + ".md", Body(2 * v + d, 30));
    }
    if (v == 2) repo->Write("deploy/.env", "GITHUB_TOKEN=" + Key(101) + "\n");
    if (v == 5) repo->Git({"rm", "-q", "deploy/.env"});
    if (v == 3) repo->Write("old.env", "TOKEN=" + Key(102) + "\n");
    if (v == 7) {
      fs::create_directories(repo->Sub("config"));
      repo->Git({"mv", "old.env", "config/renamed.env"});
    }
    if (v == 4) {
      repo->Write(".github/workflows/ci.yml",
                  "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n"
                  "    env:\n      GH: " +
                      Key(103) +
                      "\n    steps:\n"
                      "      - run: make\n");
      repo->Write(".gitlab/ci/nested/deploy.yml",
                  "deploy:\n  script:\n    - echo " + Key(104) + "\n");
      repo->Write("docs/example.yml", "key: " + Key(105) + "\n");
      repo->Write("Jenkinsfile",
                  "pipeline { environment { T = '" + Key(106) + "' } }\n");
    }
    repo->Commit("version " + std::to_string(v));
  }
  // A side branch, merged; a branch-only secret; a tag-only secret.
  repo->Git({"checkout", "-q", "-b", "side"});
  repo->Write("side/only.txt", "token " + Key(107) + "\n");
  repo->Commit("side only");
  repo->Git({"checkout", "-q", "-b", "feature", "main"});
  repo->Write("feature/merged.txt", "token " + Key(108) + "\n");
  repo->Commit("feature");
  repo->Git({"checkout", "-q", "-b", "tmp", "main"});
  repo->Write("tagged/only.txt", "token " + Key(109) + "\n");
  repo->Commit("tagged");
  repo->Git({"tag", "-a", "v1", "-m", "v1"});
  repo->Git({"checkout", "-q", "main"});
  repo->Git({"branch", "-q", "-D", "tmp"});
  repo->Git({"merge", "-q", "--no-ff", "-m", "merge feature", "feature"});
  // A symlink to a secret file, and a submodule entry.
  fs::create_symlink("config/renamed.env", repo->Sub("link.env"));
  repo->Git({"update-index", "--add", "--cacheinfo",
             "160000,1111111111111111111111111111111111111111,vendor/lib"});
  repo->Commit("link and submodule");
  // A ref to a bare tree holding a secret.
  const std::string blob = repo->Git({"hash-object", "-w", "--stdin"}, "",
                                     "tree " + Key(110) + "\n");
  const std::string tree =
      repo->Git({"mktree"}, "", "100644 blob " + blob + "\ttree-only.txt\n");
  repo->Git({"update-ref", "refs/trees/t", tree});
  repo->Git({"repack", "-adfq", "--window=50", "--depth=50"});
  repo->Git({"prune-packed"});
  // Loose objects on top of the pack.
  repo->Write("late.env", "TOKEN=" + Key(111) + "\n");
  repo->Write("src/mod1/code.py", Body(99));
  repo->Commit("late");
}

// The object catalog of `repo` (and the handle it was read through).
struct Cataloged {
  GitOdbPtr odb;
  std::unique_ptr<ObjectCatalog> catalog;
};

Cataloged Catalog(const TestRepo& repo, Diagnostics* diagnostics) {
  EnsureLibgit2();
  const std::string objects = repo.path() + "/.git/objects";
  Cataloged c;
  c.odb = OpenPrivateOdb(objects, 0);
  REQUIRE(c.odb);
  c.catalog = ObjectCatalog::Load(c.odb.get(), objects, diagnostics);
  return c;
}

GitScanOptions Mode(GitProvenanceMode mode, int threads) {
  GitScanOptions o;
  o.provenance = mode;
  o.threads = threads;
  return o;
}

std::vector<std::string> DescribePipelines(const GitScanResult& r) {
  std::vector<std::string> out;
  for (const PipelineReference& ref : r.references) {
    out.push_back(ref.system + " " + ref.path + ":" + std::to_string(ref.line) +
                  " " + ref.key_path + " " + ref.name + " " + ref.status);
  }
  out.push_back("--");
  for (const PipelineFindingEntry& f : r.pipeline_findings) {
    out.push_back(f.path + ":" + std::to_string(f.line) + " " + f.kind + " " +
                  f.message);
  }
  return out;
}

TEST_SUITE("git tree pass") {
  TEST_CASE("the tree pass reports exactly what the commit walk reports") {
    TestRepo repo;
    BuildHistory(&repo);
    const GitScanResult walk =
        Scan(repo.path(), Mode(GitProvenanceMode::kCommitWalk, 1));
    REQUIRE(walk.findings.size() >= 10);
    for (int threads : {1, 2, 4}) {
      INFO("threads " << threads);
      const GitScanResult pass =
          Scan(repo.path(), Mode(GitProvenanceMode::kTreePass, threads));
      CHECK(DescribeAll(pass) == DescribeAll(walk));
      CHECK(DescribePipelines(pass) == DescribePipelines(walk));
      CHECK(pass.stats.commits == walk.stats.commits);
      // The pass reads every blob of the database, the symlink's too
      // (its content is the link target); the walk skips symlinks.
      CHECK(pass.stats.files_scanned == walk.stats.files_scanned + 1);
    }
    // Every planted secret is there, with the tree-only one at its path.
    for (uint64_t k = 101; k <= 111; ++k) {
      INFO("key " << k);
      CHECK(!testing::WithSecret(walk, Key(k)).empty());
    }
    CHECK(testing::WithSecret(walk, Key(110))[0]->location.path ==
          "tree-only.txt");
  }

  TEST_CASE("an interrupted tree pass returns at once, and the scan says so") {
    TestRepo repo;
    BuildHistory(&repo);
    Diagnostics diagnostics(nullptr);
    Cataloged c = Catalog(repo, &diagnostics);
    const std::unique_ptr<ObjectCatalog>& catalog = c.catalog;
    OidSet targets;
    for (uint32_t e : catalog->OfType(GIT_OBJECT_BLOB)) {
      targets.insert(catalog->entry(e).oid);
    }
    std::atomic<bool> cancel{true};
    TreePassOptions pass;
    pass.threads = 2;
    pass.cancel = &cancel;
    auto trees = RunTreePass(*catalog, targets, pass);
    REQUIRE(trees != nullptr);
    CHECK(trees->relevant() == 0);  // no sweeps, nothing cut
    cancel = false;
    CHECK(RunTreePass(*catalog, targets, pass)->relevant() > 0);
    // Through the scan: a partial result, marked as such.
    GitScanOptions o = Mode(GitProvenanceMode::kTreePass, 2);
    cancel = true;
    o.cancel = &cancel;
    const GitScanResult r = Scan(repo.path(), o);
    CHECK(r.stats.interrupted);
    CHECK(r.findings.empty());
  }

  TEST_CASE("the pack reader returns every object as libgit2 does") {
    TestRepo repo;
    BuildHistory(&repo);
    Diagnostics diagnostics(nullptr);
    Cataloged c = Catalog(repo, &diagnostics);
    const std::unique_ptr<ObjectCatalog>& catalog = c.catalog;
    CHECK(diagnostics.warnings() == 0);
    std::size_t deltas = 0, loose = 0;
    std::vector<uint32_t> all;
    for (git_object_t t : {GIT_OBJECT_COMMIT, GIT_OBJECT_TREE, GIT_OBJECT_BLOB,
                           GIT_OBJECT_TAG}) {
      for (uint32_t e : catalog->OfType(t)) all.push_back(e);
    }
    CHECK(all.size() == catalog->size());
    // Forwards (bases first, as planned) and backwards (every base decoded
    // on demand through its chain).
    for (bool backwards : {false, true}) {
      std::vector<uint32_t> order = all;
      if (backwards) std::reverse(order.begin(), order.end());
      PackDecoder decoder(*catalog, 1);
      decoder.Plan(order, 0, order.size());
      for (uint32_t e : order) {
        const CatalogEntry& en = catalog->entry(e);
        deltas += en.delta ? 1 : 0;
        loose += en.pack == kNoEntry ? 1 : 0;
        git_odb_object* raw = nullptr;
        REQUIRE(git_odb_read(&raw, c.odb.get(), &en.oid) == 0);
        GitOdbObjectPtr obj(raw);
        CHECK(static_cast<int>(en.type) == git_odb_object_type(raw));
        std::string_view data;
        std::string why;
        REQUIRE_MESSAGE(decoder.Decode(e, &data, &why), why);
        CHECK(data == std::string_view(
                          static_cast<const char*>(git_odb_object_data(raw)),
                          git_odb_object_size(raw)));
      }
    }
    CHECK(deltas > 20);  // the history really has delta chains
    CHECK(loose > 0);    // and loose objects on top
  }

  TEST_CASE("a clone borrowing objects through info/alternates") {
    TestRepo origin;
    BuildHistory(&origin);
    TestRepo clone(false);
    clone.Git({"clone", "-q", "--shared", origin.path(), "."});
    REQUIRE(fs::exists(clone.path() + "/.git/objects/info/alternates"));
    clone.Write("clone.env", "TOKEN=" + Key(130) + "\n");
    clone.Commit("in the clone");
    const GitScanResult walk =
        Scan(clone.path(), Mode(GitProvenanceMode::kCommitWalk, 2));
    const GitScanResult pass =
        Scan(clone.path(), Mode(GitProvenanceMode::kTreePass, 2));
    CHECK(!testing::WithSecret(pass, Key(130)).empty());
    CHECK(!testing::WithSecret(pass, Key(101)).empty());
    CHECK(DescribeAll(pass) == DescribeAll(walk));
  }

  TEST_CASE("a dangling secret is scanned but has no location to report") {
    TestRepo repo;
    BuildHistory(&repo);
    const GitScanResult before =
        Scan(repo.path(), Mode(GitProvenanceMode::kTreePass, 2));
    repo.Git({"hash-object", "-w", "--stdin"}, "", "lost " + Key(120) + "\n");
    const GitScanResult pass =
        Scan(repo.path(), Mode(GitProvenanceMode::kTreePass, 2));
    CHECK(testing::WithSecret(pass, Key(120)).empty());
    CHECK(DescribeAll(pass) == DescribeAll(before));
    CHECK(pass.stats.files_scanned == before.stats.files_scanned + 1);
  }

  TEST_CASE("a blob missing from the database is a warning with its path") {
    TestRepo repo;
    BuildHistory(&repo);
    const std::string blob = repo.Git({"rev-parse", "HEAD:late.env"});
    REQUIRE(fs::remove(repo.path() + "/.git/objects/" + blob.substr(0, 2) +
                       "/" + blob.substr(2)));
    Diagnostics diagnostics(nullptr);
    const GitScanResult pass =
        Scan(repo.path(), Mode(GitProvenanceMode::kTreePass, 2), &diagnostics);
    CHECK(diagnostics.Text().find("late.env") != std::string::npos);
    CHECK(diagnostics.Text().find(blob) != std::string::npos);
    CHECK(pass.stats.skipped_unreadable == 1);
    CHECK(!testing::WithSecret(pass, Key(108)).empty());
  }

  TEST_CASE("a corrupt tree in the pack is a warning and the rest is found") {
    TestRepo repo;
    BuildHistory(&repo);
    // Damage the compressed data of the docs/ tree of HEAD~1 (packed).
    const std::string tree = repo.Git({"rev-parse", "HEAD~1:docs"});
    const std::string pack_dir = repo.path() + "/.git/objects/pack";
    std::string idx;
    for (const auto& f : fs::directory_iterator(pack_dir)) {
      if (f.path().extension() == ".idx") idx = f.path().string();
    }
    REQUIRE(!idx.empty());
    std::istringstream listing(repo.Git({"verify-pack", "-v", idx}));
    uint64_t offset = 0, packed_size = 0;
    for (std::string line; std::getline(listing, line);) {
      std::istringstream fields(line);
      std::string sha, type;
      uint64_t size = 0;
      fields >> sha >> type >> size >> packed_size >> offset;
      if (sha == tree) break;
      offset = 0;
    }
    REQUIRE(offset > 0);
    REQUIRE(packed_size > 8);
    const std::string pack = idx.substr(0, idx.size() - 4) + ".pack";
    fs::permissions(pack, fs::perms::owner_write, fs::perm_options::add);
    {
      std::fstream f(pack, std::ios::in | std::ios::out | std::ios::binary);
      f.seekp(static_cast<std::streamoff>(offset + packed_size - 6));
      f.write("\xff\xff\xff\xff", 4);
    }
    for (GitProvenanceMode mode :
         {GitProvenanceMode::kTreePass, GitProvenanceMode::kCommitWalk}) {
      Diagnostics diagnostics(nullptr);
      const GitScanResult r = Scan(repo.path(), Mode(mode, 2), &diagnostics);
      CHECK(diagnostics.warnings() > 0);
      CHECK(diagnostics.Text().find("docs") != std::string::npos);
      // Named by its true oid (the pass's cut trees name subtrees by
      // stand-ins of their own).
      CHECK(diagnostics.Text().find(tree) != std::string::npos);
      CHECK(diagnostics.Text().find("73707261776c2d637574") ==
            std::string::npos);
      CHECK(!testing::WithSecret(r, Key(111)).empty());
      CHECK(!testing::WithSecret(r, Key(107)).empty());
    }
  }
}  // TEST_SUITE

}  // namespace
}  // namespace sprawl
