// Hostile and damaged object stores (issue 20 items 1, 2, 9, 12): packs
// written byte by byte at test time with delta cycles and missing bases, an
// .idx whose fanout claims 2^32 objects, a truncated pack, a pack without
// its index. None may hang or crash the scan; each is named once with the
// reason, its objects are counted as unread, and every intact secret is
// still found, through the commit walk and through the tree pass.
#include "scanner/git/object_store_health.h"

#include <doctest/doctest.h>
#include <git2.h>
#include <libdeflate.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "scanner/git/pack_format.h"
#include "tests/git_test_repo.h"

namespace sprawl::testing {
namespace {

std::string Be32(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16),
          static_cast<char>(v >> 8), static_cast<char>(v)};
}

std::string Raw(const git_oid& oid) {
  return std::string(reinterpret_cast<const char*>(oid.id), GIT_OID_RAWSZ);
}

git_oid FakeOid(const std::string& seed) {
  git_oid oid;
  git_odb_hash(&oid, seed.data(), seed.size(), GIT_OBJECT_BLOB);
  return oid;
}

std::string Zlib(const std::string& in) {
  libdeflate_compressor* c = libdeflate_alloc_compressor(6);
  std::string out(libdeflate_zlib_compress_bound(c, in.size()), '\0');
  out.resize(libdeflate_zlib_compress(c, in.data(), in.size(), out.data(),
                                      out.size()));
  libdeflate_free_compressor(c);
  return out;
}

// A pack entry header: type and inflated size, git's varint.
std::string EntryHeader(int type, uint64_t size) {
  std::string out;
  unsigned char c = static_cast<unsigned char>((type << 4) | (size & 15));
  size >>= 4;
  while (size != 0) {
    out.push_back(static_cast<char>(c | 0x80));
    c = size & 0x7f;
    size >>= 7;
  }
  out.push_back(static_cast<char>(c));
  return out;
}

// A delta that inserts `text` into a result of its size (base size `src`).
std::string InsertDelta(std::size_t src, const std::string& text) {
  std::string d;
  d.push_back(static_cast<char>(src));  // < 128 here
  d.push_back(static_cast<char>(text.size()));
  d.push_back(static_cast<char>(text.size()));
  return d + text;
}

// A pack and its version-2 index, written byte by byte.
struct HandPack {
  struct Obj {
    git_oid oid;
    std::string entry;  // header and data
  };
  std::vector<Obj> objs;

  void Whole(const git_oid& oid, int type, const std::string& content) {
    objs.push_back({oid, EntryHeader(type, content.size()) + Zlib(content)});
  }
  // A REF_DELTA that makes `text` out of a base of `base_size` bytes.
  void RefDelta(const git_oid& oid, const git_oid& base, std::size_t base_size,
                const std::string& text) {
    const std::string delta = InsertDelta(base_size, text);
    objs.push_back({oid, EntryHeader(kPackRefDelta, delta.size()) + Raw(base) +
                             Zlib(delta)});
  }
  void RefDelta(const git_oid& oid, const git_oid& base) {
    const std::string delta = InsertDelta(4, "text");
    objs.push_back({oid, EntryHeader(kPackRefDelta, delta.size()) + Raw(base) +
                             Zlib(delta)});
  }
  // An OFS_DELTA whose base distance is `distance` (0: itself).
  void OfsDelta(const git_oid& oid, unsigned char distance) {
    const std::string delta = InsertDelta(4, "text");
    objs.push_back({oid, EntryHeader(kPackOfsDelta, delta.size()) +
                             std::string(1, static_cast<char>(distance)) +
                             Zlib(delta)});
  }

  // Writes pack-<name>.pack and .idx into `pack_dir`.
  void Write(const std::string& pack_dir, const std::string& name) const {
    std::string pack = "PACK" + Be32(2) + Be32(objs.size());
    std::vector<std::pair<std::string, uint32_t>> index;  // (oid, offset)
    for (const Obj& o : objs) {
      index.emplace_back(Raw(o.oid), static_cast<uint32_t>(pack.size()));
      pack += o.entry;
    }
    git_oid sum;
    git_odb_hash(&sum, pack.data(), pack.size(), GIT_OBJECT_BLOB);
    pack += Raw(sum);
    std::sort(index.begin(), index.end());
    std::string idx = "\377tOc" + Be32(2);
    for (unsigned b = 0; b < 256; ++b) {
      uint32_t n = 0;
      for (const auto& e : index) {
        if (static_cast<unsigned char>(e.first[0]) <= b) ++n;
      }
      idx += Be32(n);
    }
    for (const auto& e : index) idx += e.first;
    for (std::size_t i = 0; i < index.size(); ++i) idx += Be32(0);  // CRCs
    for (const auto& e : index) idx += Be32(e.second);
    idx += Raw(sum);
    git_oid idx_sum;
    git_odb_hash(&idx_sum, idx.data(), idx.size(), GIT_OBJECT_BLOB);
    idx += Raw(idx_sum);
    WriteFile(pack_dir + "/pack-" + name + ".pack", pack);
    WriteFile(pack_dir + "/pack-" + name + ".idx", idx);
  }
};

std::vector<std::string> PackFiles(const std::string& pack_dir,
                                   const std::string& ext) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(pack_dir)) {
    if (e.path().extension() == ext) out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

void Patch(const std::string& path, std::size_t at, const std::string& bytes) {
  ::chmod(path.c_str(), 0644);
  std::string data = ReadFile(path);
  REQUIRE(at + bytes.size() <= data.size());
  data.replace(at, bytes.size(), bytes);
  WriteFile(path, data);
}

// A repository with `k1` in a packed commit and `k2` in a loose one on top.
struct PackedRepo {
  TestRepo repo;
  std::string pack_dir;
  PackedRepo(const std::string& k1, const std::string& k2) {
    repo.Write("a.env", "TOKEN=" + k1 + "\n");
    repo.Commit("first");
    repo.Git({"repack", "-adq"});
    repo.Write("b.env", "TOKEN=" + k2 + "\n");
    repo.Commit("second");
    pack_dir = repo.Sub(".git/objects/pack");
  }
};

GitScanResult ScanWith(const std::string& path, GitProvenanceMode mode,
                       Diagnostics* diagnostics) {
  GitScanOptions o;
  o.provenance = mode;
  return Scan(path, o, diagnostics);
}

bool Found(const GitScanResult& r, const std::string& key) {
  return !WithSecret(r, key).empty();
}

const GitProvenanceMode kModes[] = {GitProvenanceMode::kCommitWalk,
                                    GitProvenanceMode::kTreePass};

}  // namespace

TEST_SUITE("object store health (git)") {
  TEST_CASE("issue 20 item 2: index validation names what git would") {
    HandPack hp;
    hp.Whole(FakeOid("x"), 3, "hello");
    TempDir dir;
    hp.Write(dir.path(), "t");
    const std::string idx = ReadFile(dir.Sub("pack-t.idx"));
    const std::string pack = ReadFile(dir.Sub("pack-t.pack"));
    auto u = [](const std::string& s) {
      return reinterpret_cast<const unsigned char*>(s.data());
    };
    PackIndexTable t;
    REQUIRE(CheckPackIndex(u(idx), idx.size(), &t).empty());
    CHECK(t.count == 1);
    CHECK(CheckPackAgainstIndex(u(pack), pack.size(), t).empty());
    CHECK(FindBadPackEntries(u(pack), pack.size(), t).empty());
    struct Row {
      std::size_t at;
      std::string bytes;
      std::string reason;
    };
    const Row rows[] = {
        {8 + 255 * 4, Be32(0xffffffffu), "wrong index v2 file size"},
        {8 + 10 * 4, Be32(7), "index fanout table is not sorted"},
        {4, Be32(3), "unsupported index version 3"},
    };
    for (const Row& r : rows) {
      CAPTURE(r.reason);
      std::string bad = idx;
      bad.replace(r.at, r.bytes.size(), r.bytes);
      PackIndexTable bt;
      CHECK(CheckPackIndex(u(bad), bad.size(), &bt) == r.reason);
    }
    // The pack's trailer is what the index records: a truncated pack shows.
    CHECK(CheckPackAgainstIndex(u(pack), pack.size() - 3, t).find("checksum") !=
          std::string::npos);
  }

  TEST_CASE(
      "issue 20 items 1 and 9: delta cycles and missing bases are named, "
      "never handed to libgit2, and intact secrets are found") {
    const std::string k1 = Key(2001), k2 = Key(2002);
    PackedRepo r(k1, k2);
    const git_oid a = FakeOid("self"), b = FakeOid("b"), c = FakeOid("c"),
                  d = FakeOid("tree-d"), e = FakeOid("tree-e"),
                  f = FakeOid("ofs-self"), g = FakeOid("missing-base");
    // A tree and commit of git's own, naming the hostile objects, on a ref;
    // and a ref straight at a cycle member. Made before the pack exists,
    // so git never reads it.
    const std::string tree = r.repo.Git(
        {"mktree", "--missing"}, "",
        "100644 blob " + GitHex(a) + "\ta.txt\n100644 blob " + GitHex(b) +
            "\tb.txt\n040000 tree " + GitHex(d) + "\tdir\n100644 blob " +
            GitHex(f) + "\tf.txt\n100644 blob " + GitHex(g) + "\tg.txt\n");
    const std::string head = r.repo.Git({"rev-parse", "HEAD"});
    const std::string commit =
        r.repo.Git({"commit-tree", tree, "-p", head, "-m", "hostile"});
    WriteFile(r.repo.Sub(".git/refs/heads/hostile"), commit + "\n");
    WriteFile(r.repo.Sub(".git/refs/heads/cycle"), GitHex(c) + "\n");
    HandPack hp;
    hp.Whole(FakeOid("filler"), 3, "filler");
    hp.RefDelta(a, a);  // its own base
    hp.RefDelta(b, c);  // a two-object cycle of blobs
    hp.RefDelta(c, b);
    hp.RefDelta(d, e);  // and of trees
    hp.RefDelta(e, d);
    hp.OfsDelta(f, 0);                     // an offset delta on itself
    hp.RefDelta(g, FakeOid("not-there"));  // a base the pack lacks
    hp.Write(r.pack_dir, "hostile");

    for (GitProvenanceMode mode : kModes) {
      CAPTURE(static_cast<int>(mode));
      Diagnostics diag(nullptr);
      GitScanResult res = ScanWith(r.repo.path(), mode, &diag);
      CHECK(Found(res, k1));
      CHECK(Found(res, k2));
      const std::string text = diag.Text();
      // One diagnostic names the pack and each object with its offset.
      CHECK(text.find("pack-hostile.pack") != std::string::npos);
      for (const git_oid* o : {&a, &b, &c, &d, &e, &f, &g}) {
        CHECK_MESSAGE(text.find(GitHex(*o) + " at offset") != std::string::npos,
                      GitHex(*o) << "\n"
                                 << text);
      }
      CHECK(text.find("delta cycle") != std::string::npos);
      CHECK(text.find("missing from the pack") != std::string::npos);
      CHECK(res.stats.skipped_unreadable >= 7);
    }
  }

  TEST_CASE(
      "a pack checked clean is remembered, and checked again once either "
      "of its files changes") {
    const std::string k1 = Key(2031), k2 = Key(2032);
    PackedRepo r(k1, k2);
    testing::TempDir cache;
    const std::string records = cache.path() + "/packs";
    GitScanOptions o;
    o.provenance = GitProvenanceMode::kTreePass;
    o.verified_pack_dir = records;
    auto count_records = [&] {
      std::error_code ec;
      std::size_t n = 0;
      for (std::filesystem::directory_iterator it(records, ec), end;
           !ec && it != end; it.increment(ec)) {
        ++n;
      }
      return n;
    };
    for (int run = 0; run < 2; ++run) {
      Diagnostics diag(nullptr);
      GitScanResult res = Scan(r.repo.path(), o, &diag);
      CHECK(Found(res, k1));
      CHECK(Found(res, k2));
      CHECK(diag.warnings() == 0);
      CHECK(count_records() == 1);  // the one pack, recorded once
    }
    // The pack rewritten at the same size, its first entry given the
    // reserved type 5: only the walk over the entries sees it. The record
    // no longer matches the pack, so the damage is found as without one.
    const std::vector<std::string> packs = PackFiles(r.pack_dir, ".pack");
    REQUIRE(packs.size() == 1);
    const std::string before = ReadFile(packs[0]);
    REQUIRE(before.size() > 12);
    const char type5 = static_cast<char>((before[12] & 0x8f) | 0x50);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    Patch(packs[0], 12, std::string(1, type5));
    REQUIRE(ReadFile(packs[0]).size() == before.size());
    Diagnostics diag(nullptr);
    GitScanResult res = Scan(r.repo.path(), o, &diag);
    CHECK(diag.Text().find("malformed entry header") != std::string::npos);
    CHECK(count_records() == 1);  // a damaged pack is never recorded
  }

  TEST_CASE(
      "issue 20 item 2: an .idx whose fanout claims 2^32 objects is "
      "named, not opened; loose objects are still scanned") {
    const std::string k1 = Key(2011), k2 = Key(2012);
    PackedRepo r(k1, k2);
    const std::vector<std::string> idx = PackFiles(r.pack_dir, ".idx");
    REQUIRE(idx.size() == 1);
    Patch(idx[0], 8 + 255 * 4, Be32(0xffffffffu));
    for (GitProvenanceMode mode : kModes) {
      Diagnostics diag(nullptr);
      GitScanResult res = ScanWith(r.repo.path(), mode, &diag);
      CHECK(Found(res, k2));
      CHECK_FALSE(Found(res, k1));
      CHECK(diag.Text().find("wrong index v2 file size") != std::string::npos);
      CHECK(res.stats.skipped_unreadable >= 1);
    }
    // --staged reads through libgit2 only: it must not see the pack either.
    const std::string k3 = Key(2013);
    r.repo.Write("c.env", "TOKEN=" + k3 + "\n");
    r.repo.Git({"add", "c.env"});
    GitScanOptions staged;
    staged.staged = true;
    Diagnostics diag(nullptr);
    GitScanResult res = Scan(r.repo.path(), staged, &diag);
    CHECK(Found(res, k3));
    CHECK(diag.Text().find("wrong index v2 file size") != std::string::npos);
  }

  TEST_CASE(
      "issue 20 item 12: a truncated pack and a pack without its index "
      "are named once with the reason and counted as unread") {
    const std::string k1 = Key(2021), k2 = Key(2022);
    for (const bool truncate : {true, false}) {
      CAPTURE(truncate);
      PackedRepo r(k1, k2);
      for (int i = 0; i < 6; ++i) {  // refs into the lost pack
        r.repo.Git({"branch", "b" + std::to_string(i), "HEAD~1"});
      }
      const std::vector<std::string> packs = PackFiles(r.pack_dir, ".pack");
      REQUIRE(packs.size() == 1);
      if (truncate) {
        ::chmod(packs[0].c_str(), 0644);
        REQUIRE(::truncate(
                    packs[0].c_str(),
                    static_cast<off_t>(ReadFile(packs[0]).size() - 40)) == 0);
      } else {
        std::filesystem::remove(PackFiles(r.pack_dir, ".idx")[0]);
      }
      for (GitProvenanceMode mode : kModes) {
        Diagnostics diag(nullptr);
        GitScanResult res = ScanWith(r.repo.path(), mode, &diag);
        const std::string text = diag.Text();
        CHECK(Found(res, k2));
        CHECK(text.find(std::filesystem::path(packs[0]).filename().string()) !=
              std::string::npos);
        CHECK(text.find(truncate ? "checksum does not match" : "no .idx") !=
              std::string::npos);
        CHECK(res.stats.skipped_unreadable >= 1);
        // One line for the refs into it, not one per ref.
        CHECK(text.find("6 refs point to missing objects") !=
              std::string::npos);
        CHECK(text.find("ref points to a missing object") == std::string::npos);
      }
    }
  }
  TEST_CASE(
      "issue 20 item 1: SIGTERM ends a scan stuck where it cannot poll, "
      "with exit 3 once the grace period is over") {
    // An alternates file that is a FIFO with no writer: opening it blocks
    // (in sprawl's pack check, or in libgit2), where no flag is polled.
    TestRepo repo;
    repo.Write("a.txt", "x\n");
    repo.Commit("one");
    const std::string fifo = repo.Sub(".git/objects/info/alternates");
    std::filesystem::create_directories(repo.Sub(".git/objects/info"));
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    CommandOptions o;
    o.env = {{"SPRAWL_INTERRUPT_GRACE", "2"}};
    o.timeout_seconds = 120;
    o.while_running = [](pid_t pid) {
      // Signal once it is blocked opening the FIFO (or after 60 s).
      const std::string wchan = "/proc/" + std::to_string(pid) + "/wchan";
      for (int i = 0; i < 600; ++i) {
        std::ifstream in(wchan);
        std::string where;
        std::getline(in, where);
        if (where.find("wait_for_partner") != std::string::npos) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      ::kill(pid, SIGTERM);
    };
    const CommandResult r =
        RunCommand({SPRAWL_BINARY, "git", repo.path(), "--no-cache"}, o);
    CHECK(r.exit_code == 3);
    CHECK(r.err.find("interrupted") != std::string::npos);
    CHECK(r.seconds < 30);
  }

  TEST_CASE(
      "issue 20 item 11: an index claiming 2^32 entries is refused, "
      "not allocated; --staged ends cleanly") {
    TestRepo repo;
    repo.Write("a.txt", "x\n");
    repo.Commit("one");
    repo.Write("b.env", "TOKEN=" + Key(2031) + "\n");
    repo.Git({"add", "b.env"});
    Patch(repo.Sub(".git/index"), 8, Be32(0xffffffffu));
    CommandOptions o;
    o.timeout_seconds = 120;
    std::vector<std::string> argv = {SPRAWL_BINARY, "git", "--staged",
                                     repo.path(), "--no-cache"};
    if (testing::kSanitized) {
      // ASan's allocator aborts on a 2^32-entry allocation by itself.
      MESSAGE("address-space limit skipped under a sanitizer");
    } else {
      argv.insert(argv.begin(),
                  {"/usr/bin/prlimit",
                   "--as=" + std::to_string(std::size_t{2} << 30)});
    }
    const CommandResult r = RunCommand(argv, o);
    CAPTURE(r.err);
    CHECK(r.exit_code != 134);
    CHECK(r.exit_code < 128);
    CHECK(r.err.find("terminate called") == std::string::npos);
  }

  // The 80 MB run used to end in SIGSEGV: Hyperscan's rule compiler writes
  // through a posix_memalign it never checked (AllocationCrashGuard).
  TEST_CASE(
      "issue 20 item 11: out of memory under a small address-space "
      "limit is a clean end, never an abort") {
    if (testing::kSanitized) {
      // A sanitizer reserves terabytes of shadow address space at start-up;
      // under an 80 MB address-space limit it cannot even start.
      MESSAGE("SKIPPED under a sanitizer: prlimit --as leaves no room for "
              "its shadow memory");
      return;
    }
    TestRepo repo;
    // One large text blob (48 MiB) with a key at its end.
    std::string big;
    big.reserve(48u << 20);
    while (big.size() < (48u << 20)) big += "filler line of text\n";
    big += "TOKEN=" + Key(2041) + "\n";
    repo.Write("big.txt", big);
    repo.Write("small.env", "TOKEN=" + Key(2042) + "\n");
    repo.Commit("big");
    // Bytes (prlimit takes no suffixes): from too little for the blob to
    // enough.
    for (const std::string limit : {"50000000", "80000000", "160000000"}) {
      CAPTURE(limit);
      CommandOptions o;
      o.timeout_seconds = 120;
      const CommandResult r = RunCommand(
          {"/usr/bin/prlimit", std::string("--as=") + limit, SPRAWL_BINARY,
           "git", repo.path(), "--no-cache", "--threads", "2"},
          o);
      CAPTURE(r.err);
      CHECK(r.exit_code != 134);
      CHECK(r.exit_code < 128);
      CHECK(r.err.find("terminate called") == std::string::npos);
      CAPTURE(r.exit_code);
      // A clean end: the keys found (exit 1), or an error / incomplete scan
      // (2 / 3) that says why; never a pass while short of memory.
      CHECK((r.exit_code == 1 || r.exit_code == 2 || r.exit_code == 3));
      if (r.exit_code != 1) {
        CHECK(r.err.find("out of memory") != std::string::npos);
      }
      if (limit == "50000000") CHECK(r.exit_code != 1);
    }
  }
  TEST_CASE(
      "issue 20 item 14: a 12,000-deep REF_DELTA chain is read in "
      "linear time, its top found") {
    TestRepo repo;
    repo.Write("a.txt", "x\n");
    repo.Commit("one");
    constexpr int kDepth = 12000;
    auto content = [](int i) { return "version " + std::to_string(i) + "\n"; };
    const std::string key = Key(2051);
    const std::string top = "TOKEN=" + key + "\n";
    std::vector<git_oid> oids;
    for (int i = 0; i <= kDepth; ++i) {
      const std::string c = i == kDepth ? top : content(i);
      git_oid oid;
      git_odb_hash(&oid, c.data(), c.size(), GIT_OBJECT_BLOB);
      oids.push_back(oid);
    }
    const std::string tree =
        repo.Git({"mktree", "--missing"}, "",
                 "100644 blob " + GitHex(oids.back()) + "\tdeep.env\n");
    const std::string commit =
        repo.Git({"commit-tree", tree, "-p", "HEAD", "-m", "deep"});
    WriteFile(repo.Sub(".git/refs/heads/deep"), commit + "\n");
    HandPack hp;
    hp.Whole(oids[0], 3, content(0));
    for (int i = 1; i <= kDepth; ++i) {
      hp.RefDelta(oids[i], oids[i - 1], content(i - 1).size(),
                  i == kDepth ? top : content(i));
    }
    hp.Write(repo.Sub(".git/objects/pack"), "deep");
    for (GitProvenanceMode mode : kModes) {
      CAPTURE(static_cast<int>(mode));
      Diagnostics diag(nullptr);
      const auto start = std::chrono::steady_clock::now();
      GitScanResult res = ScanWith(repo.path(), mode, &diag);
      const double seconds = std::chrono::duration<double>(
                                 std::chrono::steady_clock::now() - start)
                                 .count();
      CHECK_MESSAGE(Found(res, key), diag.Text());
      CHECK(res.stats.skipped_unreadable == 0);
      // Quadratic work (72M chain steps) took 15 s and more; linear is a
      // fraction of a second. The bound only catches the quadratic case.
      CHECK(seconds < 10);
    }
  }
}

}  // namespace sprawl::testing
