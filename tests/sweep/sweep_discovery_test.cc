// Discovery below --root reusing the directory listings of an earlier one
// (dir_listing.h): a listing encodes losslessly and decodes nothing else;
// it is reused only while the directory's stat holds and is older than the
// racy margin (shown by a listing tampered with being believed, or not);
// whatever changes after it was recorded (a new repository nested in a
// work tree, a removed or renamed one, a directory swapped for a symlink,
// a bare repository that lost its objects/)
// is found exactly as a fresh discovery finds it; the datastore keeps the
// listings per root and rewrites only those that changed.
#include <dirent.h>
#include <doctest/doctest.h>
#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "scanner/datastore/datastore.h"
#include "scanner/sweep/dir_listing.h"
#include "scanner/sweep/sweep_target.h"
#include "tests/test_util.h"

namespace sprawl {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

void WorkTree(const std::string& dir) {
  fs::create_directories(dir + "/.git/refs");
  fs::create_directories(dir + "/src");
}

void Bare(const std::string& dir) {
  fs::create_directories(dir + "/objects");
  fs::create_directories(dir + "/refs");
  testing::WriteFile(dir + "/HEAD", "ref: refs/heads/main\n");
}

// While alive, the calling thread (and threads it starts) runs without
// CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH, so file permissions bind root
// too; the destructor restores them. Capabilities are per thread: raw
// capget/capset, no libcap. ok() is false when they could not be dropped.
class WithoutDacOverride {
 public:
  WithoutDacOverride() {
    if (::syscall(SYS_capget, &header_, saved_) != 0) return;
    __user_cap_data_struct dropped[2] = {saved_[0], saved_[1]};
    for (int cap : {CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH}) {
      dropped[CAP_TO_INDEX(cap)].effective &= ~CAP_TO_MASK(cap);
    }
    ok_ = ::syscall(SYS_capset, &header_, dropped) == 0;
  }
  ~WithoutDacOverride() {
    if (ok_) ::syscall(SYS_capset, &header_, saved_);
  }
  WithoutDacOverride(const WithoutDacOverride&) = delete;
  WithoutDacOverride& operator=(const WithoutDacOverride&) = delete;
  bool ok() const { return ok_; }

 private:
  __user_cap_header_struct header_{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct saved_[2] = {};
  bool ok_ = false;
};

// Past the granularity of file times (see sweep_signature_test.cc).
void WaitOneTick() {
  std::this_thread::sleep_for(std::chrono::milliseconds(25));
}

std::vector<std::string> Keys(const std::string& root,
                              const DirListings* previous, DirListings* seen,
                              int64_t margin_ns) {
  DiscoveryOptions o;
  o.threads = 2;
  o.previous = previous;
  o.seen = seen;
  o.racy_margin_ns = margin_ns;
  auto found = FindRepositories(root, o);
  REQUIRE(found.ok());
  std::vector<std::string> keys;
  for (const SweepTarget& t : *found) keys.push_back(t.key);
  return keys;
}

std::vector<std::string> FreshKeys(const std::string& root) {
  return Keys(root, nullptr, nullptr, kRacyMarginNs);
}

constexpr int64_t kHour = int64_t{3600} * 1000 * 1000 * 1000;

TEST_SUITE("sweep discovery") {
  TEST_CASE("a directory listing encodes losslessly and decodes nothing else") {
    DirListing l;
    l.stat = {2049, 77, 040755, 4096, 1700000000000000001, 1700000000000000002};
    l.taken_ns = 1700000000500000000;
    l.repository = true;
    l.subdirs = {"a b", "src"};
    auto back = DirListing::Decode(l.Encode());
    REQUIRE(back.has_value());
    CHECK(*back == l);
    l.subdirs.push_back("new\nline");
    CHECK(l.Encode().empty());
    for (const char* garbage :
         {"", "dirlist1 1 2 3 4 5 6 7 2\n", "dirlist1 1 2 3 4 5 6 7\n",
          "dirlist0 1 2 3 4 5 6 7 0\n", "dirlist1 1 2 3 4 5 6 7 0\n\n",
          "dirlist1 1 2 3 4 5 6 7 0\nsrc"}) {
      CAPTURE(garbage);
      CHECK_FALSE(DirListing::Decode(garbage).has_value());
    }
  }

  TEST_CASE("a listing is believed only while its directory's stat holds") {
    TempDir dir;
    const std::string root = dir.Sub("root");
    WorkTree(root + "/a");
    WorkTree(root + "/org/b");
    Bare(root + "/org/c.git");
    DirListings first;
    const auto keys = Keys(root, nullptr, &first, kRacyMarginNs);
    CHECK(keys == std::vector<std::string>{"a", "org/b", "org/c.git"});
    CHECK(first.size() == 7);  // root, a, a/src, org, org/b, org/b/src, c.git
    WaitOneTick();
    // A listing that lies: believed (so not listed again) under no margin,
    // listed again under an hour's.
    DirListings tampered = first;
    tampered.at("a/src").repository = true;
    CHECK(Keys(root, &tampered, nullptr, 0) ==
          std::vector<std::string>{"a", "a/src", "org/b", "org/c.git"});
    CHECK(Keys(root, &tampered, nullptr, kHour) == keys);
    // Reused listings are recorded again, unchanged.
    DirListings again;
    CHECK(Keys(root, &first, &again, 0) == keys);
    CHECK(again == first);
  }

  TEST_CASE("what changed since the listings were recorded is found") {
    struct Case {
      const char* name;
      void (*change)(const std::string& root);
    };
    const Case cases[] = {
        {"nested-repository",
         [](const std::string& r) { WorkTree(r + "/a/src/vendor/lib"); }},
        {"deep-new-directory",
         [](const std::string& r) { WorkTree(r + "/org/b/src/x/y/z"); }},
        {"removed-repository",
         [](const std::string& r) { fs::remove_all(r + "/org/b"); }},
        {"renamed-repository",
         [](const std::string& r) {
           fs::rename(r + "/org/c.git", r + "/org/d.git");
         }},
        {"git-dir-removed",
         [](const std::string& r) { fs::remove_all(r + "/a/.git"); }},
        {"directory-swapped-for-link",
         [](const std::string& r) {
           fs::rename(r + "/org", r + "/elsewhere");
           fs::create_directory_symlink(r + "/elsewhere", r + "/org");
         }},
        {"bare-lost-its-objects",
         [](const std::string& r) {
           fs::remove_all(r + "/org/c.git/objects");
         }},
    };
    for (const Case& c : cases) {
      const std::string name = c.name;
      CAPTURE(name);
      TempDir dir;
      const std::string root = dir.Sub("root");
      WorkTree(root + "/a");
      WorkTree(root + "/org/b");
      Bare(root + "/org/c.git");
      DirListings first;
      Keys(root, nullptr, &first, kRacyMarginNs);
      WaitOneTick();
      c.change(root);
      const auto fresh = FreshKeys(root);
      CHECK(Keys(root, &first, nullptr, 0) == fresh);
      CHECK(fresh != std::vector<std::string>{"a", "org/b", "org/c.git"});
    }
  }

  TEST_CASE("the datastore keeps listings per root and rewrites only changes") {
    TempDir dir;
    const std::string root = dir.Sub("root");
    WorkTree(root + "/a");
    WorkTree(root + "/b");
    auto store = Datastore::Open(dir.Sub("s.db"), true);
    REQUIRE(store.ok());
    DirListings none, first;
    Keys(root, nullptr, &first, kRacyMarginNs);
    REQUIRE(SaveDirListings(&*store, root, none, first).ok());
    DirListings loaded;
    REQUIRE(LoadDirListings(&*store, root + "/", &loaded).ok());  // same root
    CHECK(loaded == first);
    DirListings other;
    REQUIRE(LoadDirListings(&*store, dir.Sub("elsewhere"), &other).ok());
    CHECK(other.empty());

    auto rows = [&] {
      auto r = store->LoadDirListings(root);
      REQUIRE(r.ok());
      return *r;
    };
    const auto before = rows();
    fs::remove_all(root + "/b");
    DirListings second;
    Keys(root, &loaded, &second, 0);
    REQUIRE(SaveDirListings(&*store, root, loaded, second).ok());
    const auto after = rows();
    CHECK(after.size() == before.size() - 2);  // b and b/src dropped
    CHECK(after.at("a") == before.at("a"));    // reused, not rewritten
    CHECK(after.at("") != before.at(""));      // listed again
  }
  TEST_CASE("a directory discovery cannot read is reported, not skipped") {
    TempDir dir;
    const std::string root = dir.Sub("root");
    WorkTree(root + "/org/b");
    DirListings first;
    Keys(root, nullptr, &first, kRacyMarginNs);
    WaitOneTick();
    // A recorded listing that names a subdirectory which is not there (as
    // one that vanishes, or cannot be opened, between listing and walking):
    // believed under no margin, so the walk tries to open it.
    DirListings lying = first;
    REQUIRE(lying.count("org") == 1);
    lying["org"].subdirs.push_back("ghost");
    DiscoveryOptions o;
    o.previous = &lying;
    o.racy_margin_ns = 0;
    std::vector<std::pair<std::string, std::string>> unreadable;
    o.unreadable = &unreadable;
    auto found = FindRepositories(root, o);
    REQUIRE(found.ok());
    REQUIRE(found->size() == 1);
    CHECK(found->front().key == "org/b");
    REQUIRE(unreadable.size() == 1);
    CHECK(unreadable[0].first == "org/ghost");
    CHECK(unreadable[0].second.find("No such file") != std::string::npos);
    // Permission denied: root reads anything, so as root the check runs
    // on this thread without the capabilities that let it.
    fs::create_directories(root + "/locked/x");
    fs::permissions(root + "/locked", fs::perms::none);
    {
      WithoutDacOverride as_user;
      DIR* probe = as_user.ok() ? ::opendir((root + "/locked").c_str())
                                : nullptr;
      if (probe != nullptr) ::closedir(probe);
      if (!as_user.ok() || probe != nullptr) {
        testing::Skip(
            "cannot make a directory unreadable to this process (root "
            "without capset?): permission-denied discovery not tested");
      } else {
        o.previous = nullptr;
        unreadable.clear();
        CHECK(FindRepositories(root, o).ok());
        REQUIRE(unreadable.size() == 1);
        CHECK(unreadable[0].first == "locked");
        CHECK(unreadable[0].second.find("Permission denied") !=
              std::string::npos);
      }
    }
    fs::permissions(root + "/locked", fs::perms::owner_all);
  }
}

}  // namespace
}  // namespace sprawl
