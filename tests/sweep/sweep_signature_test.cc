// The stat signature a sweep keeps of each repository's ref files
// (ref_signature.h): it encodes and decodes losslessly and refuses
// anything else; it holds for untouched refs (even with a new index) and
// fails for every kind of
// ref change (a commit, a ref or packed-refs rewritten in place with its
// mtime put back, a new, deleted or nested branch, a new tag, HEAD
// switching, refs packed), in a work tree or a bare repository; a sweep
// trusts it only for files older than the racy margin, and then reads no
// ref file at all (shown by tips tampered with in the datastore still
// reading `unchanged`). SPRAWL_TEST_RACY_MARGIN_MS is the seam that makes
// the margin testable without waiting seconds. Discovery trusting its
// recorded listings still finds a repository nested since.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "scanner/datastore/sqlite.h"
#include "scanner/git/ref_files.h"
#include "scanner/git/ref_signature.h"
#include "tests/test_util.h"

namespace sprawl {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::TempDir;

std::string Git(const std::string& cwd, const std::vector<std::string>& args) {
  return testing::RunGit(cwd, args);
}

std::string Commit(const std::string& dir, const std::string& text) {
  if (!fs::exists(dir + "/.git")) {
    fs::create_directories(dir);
    Git(dir, {"init", "-q", "-b", "main", "."});
  }
  testing::WriteFile(dir + "/a.txt", text);
  Git(dir, {"add", "-A"});
  Git(dir, {"commit", "-q", "-m", "change"});
  return Git(dir, {"rev-parse", "HEAD"});
}

// A repository (work tree, or bare when `git_dir` is the repository) with
// main at its second commit and `side` at its first; a bare one is cloned
// from a work tree made below `scratch`, and main is a loose ref in both.
struct Repo {
  std::string dir, git_dir, first, second;
};

Repo MakeRepo(const std::string& dir, bool bare, const std::string& scratch) {
  const std::string work =
      bare ? scratch + "/" + fs::path(dir).filename().string() : dir;
  Repo r{dir, dir + "/.git", Commit(work, "one\n"), ""};
  r.second = Commit(work, "two\n");
  Git(work, {"branch", "side", r.first});
  if (bare) {
    fs::create_directories(fs::path(dir).parent_path());
    Git(scratch, {"clone", "-q", "--bare", work, dir});
    r.git_dir = dir;
    testing::WriteFile(dir + "/refs/heads/main", r.second + "\n");
  }
  return r;
}

struct Change {
  const char* name;
  bool bare;
  void (*setup)(const Repo&);  // before the signature is taken
  void (*change)(const Repo&);
};

void Nothing(const Repo&) {}

const Change kChanges[] = {
    {"untouched", false, Nothing, Nothing},
    {"bare-untouched", true, Nothing, Nothing},
    {"packed-untouched", false,
     [](const Repo& r) {
       Git(r.dir, {"pack-refs", "--all"});
     },
     Nothing},
    // .git itself changes (a new index), its refs do not.
    {"index-written", false, Nothing,
     [](const Repo& r) {
       testing::WriteFile(r.dir + "/b.txt", "staged\n");
       Git(r.dir, {"add", "b.txt"});
     }},
    {"new-commit", false, Nothing,
     [](const Repo& r) { Commit(r.dir, "three\n"); }},
    {"ref-rewritten-in-place", false, Nothing,
     [](const Repo& r) {
       testing::RewriteKeepingMtime(r.git_dir + "/refs/heads/main",
                                    r.first + "\n");
     }},
    {"head-rewritten-in-place", false, Nothing,
     [](const Repo& r) {
       testing::RewriteKeepingMtime(r.git_dir + "/HEAD",
                                    "ref: refs/heads/side\n");
     }},
    {"new-branch", false, Nothing,
     [](const Repo& r) {
       Git(r.dir, {"branch", "extra", r.first});
     }},
    {"new-nested-branch", false, Nothing,
     [](const Repo& r) {
       Git(r.dir, {"branch", "team/x", r.first});
     }},
    {"deleted-branch", false, Nothing,
     [](const Repo& r) {
       Git(r.dir, {"branch", "-D", "side"});
     }},
    {"new-tag", false, Nothing,
     [](const Repo& r) {
       Git(r.dir, {"tag", "v1", r.first});
     }},
    {"head-switches-branch", false, Nothing,
     [](const Repo& r) {
       Git(r.dir, {"checkout", "-q", "side"});
     }},
    {"packed-refs-appears", false, Nothing,
     [](const Repo& r) {
       testing::WriteFile(r.git_dir + "/packed-refs",
                          r.first + " refs/heads/packed-only\n");
     }},
    {"refs-packed", false, Nothing,
     [](const Repo& r) {
       Git(r.dir, {"pack-refs", "--all"});
     }},
    {"packed-refs-edited-in-place", false,
     [](const Repo& r) {
       Git(r.dir, {"pack-refs", "--all"});
     },
     [](const Repo& r) {
       const std::string path = r.git_dir + "/packed-refs";
       std::string text = testing::ReadFile(path);
       const auto at = text.find(r.first + " refs/heads/side");
       REQUIRE(at != std::string::npos);
       text.replace(at, r.second.size(), r.second);
       testing::RewriteKeepingMtime(path, text);
     }},
    {"bare-new-branch", true, Nothing,
     [](const Repo& r) {
       Git(r.dir, {"branch", "extra", r.first});
     }},
    {"bare-ref-rewritten-in-place", true, Nothing,
     [](const Repo& r) {
       testing::RewriteKeepingMtime(r.git_dir + "/refs/heads/main",
                                    r.first + "\n");
     }},
};

bool Untouched(const Change& c) {
  return c.change == Nothing || std::string_view(c.name) == "index-written";
}

// Past the granularity of file times (a jiffy, at most 10 ms), so that a
// change made now is dated after the files it replaces.
void WaitOneTick() {
  std::this_thread::sleep_for(std::chrono::milliseconds(25));
}

// `sprawl sweep --root root`, with the racy margin given in milliseconds
// (nullopt: the default); the status of each repository.
std::map<std::string, std::string> Sweep(const TempDir& dir,
                                         std::optional<int> margin_ms) {
  testing::CommandOptions o;
  o.env = {{"SPRAWL_CACHE_DIR", dir.Sub("cache")}, {"NO_COLOR", "1"}};
  if (margin_ms) {
    o.env["SPRAWL_TEST_RACY_MARGIN_MS"] = std::to_string(*margin_ms);
  }
  testing::CommandResult r = testing::RunCommand(
      {SPRAWL_BINARY, "sweep", "--root", dir.Sub("root"), "--datastore",
       dir.Sub("sweep.db"), "--format", "json", "--now", "2026-06-01"},
      o);
  INFO("stderr: " << r.err);
  REQUIRE((r.exit_code == 0 || r.exit_code == 1));
  const json j = json::parse(r.out, nullptr, false);
  REQUIRE(j.is_object());
  std::map<std::string, std::string> out;
  for (const auto& e : j.at("repositories")) out[e.at("repo")] = e.at("status");
  return out;
}

// Replaces every recorded ref tip with one no repository has: a sweep that
// then says `unchanged` did not read the refs.
void TamperTips(const TempDir& dir) {
  auto db = SqliteDb::Open(dir.Sub("sweep.db"), false);
  REQUIRE(db.ok());
  REQUIRE(db->Exec("UPDATE repositories SET ref_tips = "
                   "'{\"refs/heads/gone\":\"" +
                   std::string(40, '0') + "\"}'")
              .ok());
}

TEST_SUITE("sweep signatures") {
  TEST_CASE("a signature encodes losslessly and decodes nothing else") {
    RefSignature s = RefSignature::Begin();
    FileStat st{2049, uint64_t{1} << 63,   0100644,
                41,   1700000000123456789, 1700000000123456999};
    s.Add(RefSignature::Kind::kIdentity, ".git", st);
    s.Add(RefSignature::Kind::kMissing, ".git/packed-refs", std::nullopt);
    s.Add(RefSignature::Kind::kContent, ".git/refs/heads/with space", st);
    const std::string text = s.Encode();
    auto back = RefSignature::Decode(text);
    REQUIRE(back.has_value());
    CHECK(back->taken_ns == s.taken_ns);
    REQUIRE(back->entries.size() == 3);
    for (std::size_t i = 0; i < 3; ++i) {
      CHECK(back->entries[i].kind == s.entries[i].kind);
      CHECK(back->entries[i].path == s.entries[i].path);
      if (s.entries[i].kind != RefSignature::Kind::kMissing) {
        CHECK(back->entries[i].stat == s.entries[i].stat);
      }
    }
    CHECK(back->Encode() == text);

    RefSignature bad = s;
    bad.Add(RefSignature::Kind::kContent, "refs/heads/new\nline", st);
    CHECK(bad.Encode().empty());
    RefSignature failed = s;
    failed.Add(RefSignature::Kind::kContent, "refs/heads/x", std::nullopt);
    CHECK(failed.Encode().empty());
    for (const char* garbage :
         {"", "refsig1 12\n", "refsig0 12\nm x\n", "refsig1 x\nm a\n",
          "refsig1 12\nq a\n", "refsig1 12\nc 1 2 3 a\n", "refsig1 12\nm a",
          "refsig1 12\nm \n"}) {
      CAPTURE(garbage);
      CHECK_FALSE(RefSignature::Decode(garbage).has_value());
    }
  }

  TEST_CASE("a signature holds for untouched refs and fails for any change") {
    TempDir dir;
    std::vector<Repo> repos;
    std::vector<RefSignature> signatures;
    for (const Change& c : kChanges) {
      const std::string name = c.name;
      CAPTURE(name);
      repos.push_back(MakeRepo(dir.Sub(c.name), c.bare, dir.Sub("work")));
      c.setup(repos.back());
      RefSignature s;
      REQUIRE(ReadRefTipsFromFiles(repos.back().dir, nullptr, &s));
      REQUIRE(s.complete);
      signatures.push_back(*RefSignature::Decode(s.Encode()));
      // Just written: racy under the real margin.
      CHECK_FALSE(SignatureHolds(signatures.back(), repos.back().dir, nullptr,
                                 kRacyMarginNs));
    }
    WaitOneTick();
    for (std::size_t i = 0; i < std::size(kChanges); ++i) {
      kChanges[i].change(repos[i]);
    }
    for (std::size_t i = 0; i < std::size(kChanges); ++i) {
      const std::string name = kChanges[i].name;
      CAPTURE(name);
      CHECK(SignatureHolds(signatures[i], repos[i].dir, nullptr, 0) ==
            Untouched(kChanges[i]));
    }
    // Relative to an open base directory, as a sweep below --root asks.
    DirFd base = DirFd::Open(dir.path());
    CHECK(SignatureHolds(signatures[0], "untouched", &base, 0));
    CHECK_FALSE(SignatureHolds(signatures[0], "new-commit", &base, 0));
  }

  TEST_CASE("a sweep trusts the signature only past the racy margin") {
    TempDir dir;
    for (const Change& c : kChanges) {
      if (Untouched(c)) {
        c.setup(MakeRepo(dir.Sub("root/") + c.name, c.bare, dir.Sub("work")));
      }
    }
    for (const auto& entry : Sweep(dir, std::nullopt)) {
      const std::string& repo = entry.first;
      const std::string& status = entry.second;
      CAPTURE(repo);
      CHECK(status == "scanned");
    }
    WaitOneTick();
    // Files written moments ago: under an hour's margin the signature
    // proves nothing, the refs are read, and the tampered tips differ.
    TamperTips(dir);
    for (const auto& entry : Sweep(dir, 3600 * 1000)) {
      const std::string& repo = entry.first;
      const std::string& status = entry.second;
      CAPTURE(repo);
      CHECK(status == "scanned");
    }
    // Under no margin the signature alone answers: the refs are not read,
    // so the tampered tips go unnoticed.
    WaitOneTick();
    TamperTips(dir);
    for (const auto& entry : Sweep(dir, 0)) {
      const std::string& repo = entry.first;
      const std::string& status = entry.second;
      CAPTURE(repo);
      CHECK(status == "unchanged");
    }
  }

  TEST_CASE("a sweep trusting signatures still scans every changed repo") {
    TempDir dir;
    std::vector<Repo> repos;
    for (const Change& c : kChanges) {
      repos.push_back(
          MakeRepo(dir.Sub("root/") + c.name, c.bare, dir.Sub("work")));
      c.setup(repos.back());
    }
    Sweep(dir, std::nullopt);
    WaitOneTick();
    for (std::size_t i = 0; i < std::size(kChanges); ++i) {
      kChanges[i].change(repos[i]);
    }
    // Discovery, trusting the listings it recorded, still finds a new
    // repository nested in a work tree.
    Commit(dir.Sub("root/untouched/vendor/lib"), "vendored\n");
    // Any repository whose signature fails is read and, against the
    // tampered tips, scanned: only untouched ones may stay unchanged.
    TamperTips(dir);
    const auto second = Sweep(dir, 0);
    for (const Change& c : kChanges) {
      const std::string name = c.name;
      CAPTURE(name);
      CHECK(second.at(c.name) == (Untouched(c) ? "unchanged" : "scanned"));
    }
    CHECK(second.at("untouched/vendor/lib") == "scanned");
    CHECK(second.size() == std::size(kChanges) + 1);
    // The scan recorded true tips and a new signature: nothing changes now.
    WaitOneTick();
    for (const auto& entry : Sweep(dir, 0)) {
      const std::string& repo = entry.first;
      const std::string& status = entry.second;
      CAPTURE(repo);
      CHECK(status == "unchanged");
    }
  }
}

}  // namespace
}  // namespace sprawl
