// How a sweep tells changed repositories from unchanged ones, and finds
// them: every kind of ref change (a ref rewritten in place with the same
// size and mtime, a new or deleted branch, a packed-refs edit, HEAD
// switching, a new tag) makes the next sweep scan the repository, and the
// ref-file reader agrees with libgit2 after each; a sweep with nothing
// changed never loads the rules' Hyperscan database, and one changed
// repository of a hundred is still scanned and reported; discovery treats
// a bare repository as a leaf and finds repositories nested in work
// trees; layouts the ref-file reader leaves to libgit2;
// DirFd on its own. Runs the built `sprawl` on
// repositories made with the git CLI (synthetic keys only).
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "scanner/base/dir_fd.h"
#include "scanner/git/ref_files.h"
#include "scanner/sources/git_mirror.h"
#include "scanner/sweep/sweep_target.h"
#include "tests/test_util.h"

namespace sprawl {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::TempDir;

// Runs git in `cwd` with fixed identities and no user configuration; its
// output without the final newline.
std::string Git(const std::string& cwd, const std::vector<std::string>& args) {
  return testing::RunGit(cwd, args);
}

// Commits `files` into the repository at `dir` (created when new); the new
// commit's oid.
std::string Commit(const std::string& dir,
                   const std::map<std::string, std::string>& files) {
  if (!fs::exists(dir + "/.git")) {
    fs::create_directories(dir);
    Git(dir, {"init", "-q", "."});
  }
  for (const auto& [path, content] : files) {
    testing::WriteFile(dir + "/" + path, content);
  }
  Git(dir, {"add", "-A"});
  Git(dir, {"commit", "-q", "-m", "change"});
  return Git(dir, {"rev-parse", "HEAD"});
}

std::string Key(uint64_t seed) {
  return testing::SyntheticGithubToken("ghp_", seed);
}

// `sprawl sweep --root root --format json`, with the rule cache in `cache`.
json Sweep(const std::string& root, const std::string& db,
           const std::string& cache) {
  testing::CommandOptions o;
  o.env = {{"SPRAWL_CACHE_DIR", cache}, {"NO_COLOR", "1"}};
  testing::CommandResult r = testing::RunCommand(
      {SPRAWL_BINARY, "sweep", "--root", root, "--datastore", db, "--format",
       "json", "--now", "2026-06-01"},
      o);
  INFO("stderr: " << r.err);
  REQUIRE((r.exit_code == 0 || r.exit_code == 1));
  json j = json::parse(r.out, nullptr, false);
  REQUIRE(j.is_object());
  return j;
}

std::map<std::string, std::string> Statuses(const json& j) {
  std::map<std::string, std::string> out;
  for (const auto& r : j.at("repositories")) out[r.at("repo")] = r.at("status");
  return out;
}

bool HasHyperscanDatabase(const std::string& cache) {
  if (!fs::exists(cache)) return false;
  for (const auto& e : fs::directory_iterator(cache)) {
    if (e.path().extension() == ".hsdb") return true;
  }
  return false;
}

// A repository with main at its second commit and `side` at its first.
struct Repo {
  std::string dir, first, second;
};

Repo MakeRepo(const std::string& dir) {
  Repo r{dir, Commit(dir, {{"a.txt", "one\n"}}), ""};
  r.second = Commit(dir, {{"a.txt", "two\n"}});
  Git(dir, {"branch", "side", r.first});
  return r;
}

TEST_SUITE("sweep refs") {
  TEST_CASE("every kind of ref change makes the next sweep scan the repo") {
    struct Case {
      const char* name;
      void (*setup)(const Repo&);  // before the first sweep
      void (*change)(const Repo&);
    };
    const auto nothing = [](const Repo&) {};
    const Case cases[] = {
        {"ref-rewritten-in-place", nothing,
         [](const Repo& r) {
           testing::RewriteKeepingMtime(r.dir + "/.git/refs/heads/main",
                                        r.first + "\n");
         }},
        {"new-branch", nothing,
         [](const Repo& r) {
           Git(r.dir, {"branch", "extra", r.first});
         }},
        {"deleted-branch", nothing,
         [](const Repo& r) {
           Git(r.dir, {"branch", "-D", "side"});
         }},
        {"packed-refs-edited-in-place",
         [](const Repo& r) {
           Git(r.dir, {"pack-refs", "--all"});
         },
         [](const Repo& r) {
           const std::string path = r.dir + "/.git/packed-refs";
           std::string text = testing::ReadFile(path);
           const auto at = text.find(r.first + " refs/heads/side");
           REQUIRE(at != std::string::npos);
           text.replace(at, r.second.size(), r.second);
           testing::RewriteKeepingMtime(path, text);
         }},
        {"head-switches-branch", nothing,
         [](const Repo& r) {
           Git(r.dir, {"checkout", "-q", "side"});
         }},
        {"head-detached", nothing,
         [](const Repo& r) {
           testing::RewriteKeepingMtime(r.dir + "/.git/HEAD", r.first + "\n");
         }},
        {"new-tag", nothing,
         [](const Repo& r) {
           Git(r.dir, {"tag", "v1", r.first});
         }},
    };
    TempDir dir;
    const std::string root = dir.Sub("root");
    std::vector<Repo> repos;
    for (const Case& c : cases) {
      repos.push_back(MakeRepo(root + "/" + c.name));
      c.setup(repos.back());
    }
    MakeRepo(root + "/untouched");
    const json first = Sweep(root, dir.Sub("sweep.db"), dir.Sub("cache"));
    for (const auto& entry : Statuses(first)) {
      const std::string& repo = entry.first;
      const std::string& status = entry.second;
      CAPTURE(repo);
      CHECK(status == "scanned");
    }
    for (std::size_t i = 0; i < std::size(cases); ++i) {
      CAPTURE(cases[i].name);
      auto before = ReadRefTipsFromFiles(repos[i].dir);
      REQUIRE(before.has_value());
      cases[i].change(repos[i]);
      auto after = ReadRefTipsFromFiles(repos[i].dir);
      auto lib = ReadRefTips(repos[i].dir);
      REQUIRE(lib.ok());
      REQUIRE(after.has_value());
      CHECK(*after == *lib);
      CHECK(*after != *before);
    }
    const auto second =
        Statuses(Sweep(root, dir.Sub("sweep.db"), dir.Sub("cache")));
    REQUIRE(second.size() == std::size(cases) + 1);
    for (const Case& c : cases) {
      CAPTURE(c.name);
      CHECK(second.at(c.name) == "scanned");
    }
    CHECK(second.at("untouched") == "unchanged");
  }

  TEST_CASE(
      "rules load only when a repository changed, and one of 100 is "
      "reported") {
    TempDir dir;
    const std::string root = dir.Sub("root");
    for (int i = 0; i < 100; ++i) {
      char name[16];
      std::snprintf(name, sizeof name, "repo%03d", i);
      Commit(root + "/" + name,
             {{".env", "TOKEN=" + Key(static_cast<uint64_t>(i % 7)) + "\n"}});
    }
    const std::string db = dir.Sub("sweep.db");
    const json first = Sweep(root, db, dir.Sub("cache-first"));
    REQUIRE(first.at("credentials").size() == 7);
    CHECK(HasHyperscanDatabase(dir.Sub("cache-first")));

    // Nothing changed: every repository unchanged, the same credentials,
    // and no Hyperscan database was loaded or compiled.
    const json same = Sweep(root, db, dir.Sub("cache-same"));
    for (const auto& entry : Statuses(same)) {
      const std::string& repo = entry.first;
      const std::string& status = entry.second;
      CAPTURE(repo);
      CHECK(status == "unchanged");
    }
    CHECK(same.at("credentials").size() == 7);
    for (std::size_t i = 0; i < 7; ++i) {
      CHECK(same["credentials"][i]["locations"] ==
            first["credentials"][i]["locations"]);
    }
    CHECK_FALSE(HasHyperscanDatabase(dir.Sub("cache-same")));

    // One new secret in one repository: it alone is scanned, the matcher is
    // built, and the report holds the new credential and all the old ones.
    Commit(root + "/repo057", {{"deploy.sh", "T=" + Key(99) + "\n"}});
    const json changed = Sweep(root, db, dir.Sub("cache-changed"));
    int scanned = 0;
    for (const auto& entry : Statuses(changed)) {
      const std::string& repo = entry.first;
      const std::string& status = entry.second;
      CAPTURE(repo);
      CHECK(status == (repo == "repo057" ? "scanned" : "unchanged"));
      scanned += status == "scanned";
    }
    CHECK(scanned == 1);
    CHECK(HasHyperscanDatabase(dir.Sub("cache-changed")));
    REQUIRE(changed.at("credentials").size() == 8);
    int fresh = 0;
    for (const auto& c : changed.at("credentials")) {
      if (c.at("new") == true) {
        ++fresh;
        REQUIRE(c.at("locations").size() == 1);
        CHECK(c["locations"][0]["repo"] == "repo057");
        CHECK(c["locations"][0]["path"] == "deploy.sh");
      }
    }
    CHECK(fresh == 1);
  }

  TEST_CASE(
      "discovery never enters a bare repository, and finds repositories nested "
      "in work trees") {
    TempDir dir;
    const std::string root = dir.Sub("root");
    auto work_tree = [&](const std::string& rel) {
      fs::create_directories(root + "/" + rel + "/.git/refs");
      fs::create_directories(root + "/" + rel + "/src/deep");
    };
    auto bare = [&](const std::string& rel) {
      fs::create_directories(root + "/" + rel + "/objects");
      fs::create_directories(root + "/" + rel + "/refs");
      testing::WriteFile(root + "/" + rel + "/HEAD", "ref: refs/heads/main\n");
    };
    work_tree("a");
    work_tree("a/src/nested");  // inside a work tree: a target too
    work_tree("org/b");
    bare("org/c.git");
    bare("org/c.git/refs/x");  // inside a bare repository: not a target
    work_tree(".sprawl/mirror");
    fs::create_directories(root + "/empty/dir");
    fs::create_directory_symlink(root + "/org", root + "/link");
    testing::WriteFile(root + "/d/.git", "gitdir: elsewhere\n");  // .git file

    auto found = FindRepositories(root);
    REQUIRE(found.ok());
    std::vector<std::string> keys, locations;
    for (const SweepTarget& t : *found) {
      keys.push_back(t.key);
      locations.push_back(t.location);
      CHECK_FALSE(t.remote);
    }
    CHECK(keys == std::vector<std::string>{"a", "a/src/nested", "d", "org/b",
                                           "org/c.git"});
    CHECK(locations[3] == (fs::path(root) / "org/b").string());

    work_tree("top");  // the root itself is a repository: "."
    auto self = FindRepositories(root + "/top");
    REQUIRE(self.ok());
    REQUIRE(self->size() == 1);
    CHECK((*self)[0].key == ".");
    CHECK((*self)[0].location == root + "/top");
    CHECK_FALSE(FindRepositories(root + "/missing").ok());
  }

  TEST_CASE("the ref-file reader defers unusual layouts to libgit2") {
    const std::string oid(40, 'a');
    struct Case {
      const char* name;
      void (*make)(const std::string& git_dir);
      bool readable;
    };
    const Case cases[] = {
        {"plain", [](const std::string&) {}, true},
        {"reftable",
         [](const std::string& g) {
           fs::remove_all(g + "/refs/heads");
           testing::WriteFile(g + "/refs/heads",
                              "this repository uses the reftable format\n");
           fs::create_directories(g + "/reftable");
         },
         false},
        {"commondir",
         [](const std::string& g) {
           testing::WriteFile(g + "/commondir", "../..\n");
         },
         false},
        {"symlinked-ref",
         [](const std::string& g) {
           fs::create_symlink(g + "/refs/heads/main", g + "/refs/heads/alias");
         },
         false},
        {"garbage-ref",
         [](const std::string& g) {
           testing::WriteFile(g + "/refs/heads/bad", "not an oid\n");
         },
         false},
        {"unreadable-packed-refs",
         [](const std::string& g) {
           fs::create_directories(g + "/packed-refs");
         },
         false},
        {"symlinked-head",
         [](const std::string& g) {
           fs::rename(g + "/HEAD", g + "/HEAD.real");
           fs::create_symlink(g + "/HEAD.real", g + "/HEAD");
         },
         false},
    };
    for (const Case& c : cases) {
      CAPTURE(c.name);
      TempDir dir;
      const std::string git_dir = dir.Sub("repo/.git");
      fs::create_directories(git_dir + "/refs/heads");
      fs::create_directories(git_dir + "/refs/tags");
      testing::WriteFile(git_dir + "/HEAD", "ref: refs/heads/main\n");
      testing::WriteFile(git_dir + "/refs/heads/main", oid + "\n");
      c.make(git_dir);
      auto tips = ReadRefTipsFromFiles(dir.Sub("repo"));
      CHECK(tips.has_value() == c.readable);
      if (c.readable) {
        CHECK(*tips == RefTipList{{"refs/heads/main", oid}, {"HEAD", oid}});
        DirFd base = DirFd::Open(dir.path());
        CHECK(ReadRefTipsFromFiles("repo", &base) == tips);
      }
    }
  }

  TEST_CASE("DirFd lists with types, reads small files, and says missing") {
    TempDir dir;
    fs::create_directories(dir.Sub("d/sub"));
    testing::WriteFile(dir.Sub("d/file"), "abc\n");
    testing::WriteFile(dir.Sub("d/big"), std::string(10000, 'x'));
    fs::create_symlink(dir.Sub("d/file"), dir.Sub("d/link"));
    DirFd d = DirFd::Open(dir.Sub("d"));
    REQUIRE(d.ok());
    for (int pass = 0; pass < 2; ++pass) {  // a second listing starts over
      auto entries = d.List();
      REQUIRE(entries.has_value());
      std::map<std::string, DirEntry::Type> types;
      for (const DirEntry& e : *entries) types[e.name] = e.type;
      CHECK(types == std::map<std::string, DirEntry::Type>{
                         {"big", DirEntry::Type::kFile},
                         {"file", DirEntry::Type::kFile},
                         {"link", DirEntry::Type::kOther},
                         {"sub", DirEntry::Type::kDirectory}});
    }
    bool missing = true;
    CHECK(d.ReadFile("file", 100, &missing) ==
          std::optional<std::string>("abc\n"));
    CHECK_FALSE(missing);
    CHECK(d.ReadFile("big", 20000) == std::string(10000, 'x'));
    CHECK_FALSE(d.ReadFile("big", 9999).has_value());
    CHECK_FALSE(d.ReadFile("link", 100).has_value());  // links not followed
    CHECK_FALSE(d.ReadFile("nope", 100, &missing).has_value());
    CHECK(missing);
    CHECK(d.Has("sub"));
    CHECK(d.Has("link"));
    CHECK_FALSE(d.Has("nope"));
    CHECK(DirFd::Open("sub", &d).ok());
    CHECK_FALSE(DirFd::Open("link", &d).ok());
    CHECK_FALSE(DirFd::Open(dir.Sub("d/link")).ok());
    DirFd missing_dir = DirFd::Open(dir.Sub("nope"));
    CHECK_FALSE(missing_dir.ok());
    CHECK(missing_dir.error() == ENOENT);
    CHECK(DirFd::Open(dir.Sub("d/sub"), nullptr, /*follow_link=*/true).ok());
  }
}

}  // namespace
}  // namespace sprawl
