// The pack format parsers (scanner/git/pack_format.h) on hand-made
// entries: header fields of each entry type, delta copy and insert runs,
// and every way a delta can be malformed.
#include "scanner/git/pack_format.h"

#include "scanner/git/mapped_file.h"
#include "tests/test_util.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

namespace sprawl {
namespace {

std::string Varint(uint64_t n) {
  std::string out;
  do {
    const unsigned char b = n & 0x7f;
    n >>= 7;
    out.push_back(static_cast<char>(n != 0 ? (b | 0x80) : b));
  } while (n != 0);
  return out;
}

std::string Delta(std::size_t src, std::size_t dst, const std::string& ops) {
  return Varint(src) + Varint(dst) + ops;
}

TEST_SUITE("pack format") {
  TEST_CASE("entry headers of whole objects and both delta kinds") {
    PackEntryHeader h;
    // A blob (type 3) of 300 bytes: size 300 = 0b1_0010_1100.
    const unsigned char blob[] = {0x80 | 0x30 | 0x0c, 0x12, 0x78};
    REQUIRE(ParsePackEntryHeader(blob, blob + sizeof blob, &h));
    CHECK(h.type == 3);
    CHECK(h.size == 300);
    CHECK(h.data == blob + 2);
    // OFS_DELTA, size 5, base 1000 bytes back (git's offset encoding).
    const unsigned char ofs[] = {0x65, 0x86, 0x68, 0x78};
    REQUIRE(ParsePackEntryHeader(ofs, ofs + sizeof ofs, &h));
    CHECK(h.type == kPackOfsDelta);
    CHECK(h.base_distance == 1000);
    CHECK(h.data == ofs + 3);
    // REF_DELTA needs 20 bytes of base oid.
    unsigned char ref[22] = {0x75};
    CHECK(ParsePackEntryHeader(ref, ref + sizeof ref, &h));
    CHECK(h.base_oid == ref + 1);
    CHECK_FALSE(ParsePackEntryHeader(ref, ref + 20, &h));
    // Type 5 is reserved; a size varint may not run off the end.
    const unsigned char bad[] = {0x50};
    CHECK_FALSE(ParsePackEntryHeader(bad, bad + 1, &h));
    const unsigned char cut[] = {0xb0, 0x80};
    CHECK_FALSE(ParsePackEntryHeader(cut, cut + 2, &h));
  }

  TEST_CASE("a delta copies and inserts, and lists its copy runs") {
    const std::string base = "0123456789abcdefghij";
    // copy 5 bytes from offset 10, insert "XY", copy 3 bytes from 0.
    const std::string ops = std::string("\x91\x0a\x05", 3) + "\x02XY" +
                            std::string("\x90\x03", 2);
    std::string out;
    std::vector<DeltaCopy> copies;
    REQUIRE(ApplyDelta(base, Delta(base.size(), 10, ops), 1 << 20, &out,
                       &copies));
    CHECK(out == "abcdeXY012");
    REQUIRE(copies.size() == 2);
    CHECK(copies[0].to == 0);
    CHECK(copies[0].from == 10);
    CHECK(copies[0].size == 5);
    CHECK(copies[1].to == 7);
    CHECK(copies[1].from == 0);
    CHECK(copies[1].size == 3);
  }

  TEST_CASE("malformed deltas are refused") {
    const std::string base = "0123456789";
    std::string out;
    struct Case {
      const char* name;
      std::string delta;
    };
    const Case cases[] = {
        {"wrong base size", Delta(9, 1, "\x01x")},
        {"copy past the base", Delta(10, 5, std::string("\x91\x08\x05", 3))},
        {"result longer than declared", Delta(10, 1, "\x02xy")},
        {"result shorter than declared", Delta(10, 3, "\x01x")},
        {"insert past the end", Delta(10, 4, "\x04xy")},
        {"reserved opcode 0", Delta(10, 1, std::string("\x00x", 2))},
        {"over the size limit", Delta(10, 2000, "\x01x")},
        {"truncated header", std::string("\x8a", 1)},
    };
    for (const Case& c : cases) {
      CAPTURE(c.name);
      CHECK_FALSE(ApplyDelta(base, c.delta, 1000, &out, nullptr));
    }
  }
  // The resident kB of the mapping that starts at `at`, from smaps.
  long ResidentKb(const void* at) {
    std::ifstream smaps("/proc/self/smaps");
    std::string line;
    bool in = false;
    while (std::getline(smaps, line)) {
      unsigned long begin = 0;
      unsigned long end = 0;
      if (std::sscanf(line.c_str(), "%lx-%lx ", &begin, &end) == 2) {
        in = begin == reinterpret_cast<unsigned long>(at);
      } else if (in && line.starts_with("Rss:")) {
        return std::stol(line.substr(4));
      }
    }
    return -1;
  }

  TEST_CASE("a mapping read past its release mark drops its resident pages") {
    testing::TempDir dir;
    const std::string path = dir.path() + "/pack";
    constexpr std::size_t kMiB = std::size_t{1} << 20;
    {
      std::ofstream out(path, std::ios::binary);
      const std::string mib(kMiB, 'x');
      for (int i = 0; i < 8; ++i) out << mib;
    }
    const MappedFile file(path, 2 * kMiB);
    REQUIRE(file.size() == 8 * kMiB);
    long peak = 0;
    volatile unsigned sum = 0;
    for (std::size_t off = 0; off < file.size(); off += 4096) {
      sum = sum + file.data()[off];
      file.NoteRead(4096);
      if (off % kMiB == 0) peak = std::max(peak, ResidentKb(file.data()));
    }
    const long end = ResidentKb(file.data());
    REQUIRE(end >= 0);
    // Read whole, 8 MiB would be resident; released every 2 MiB, at most
    // about 2 MiB (plus the kernel's read-around) ever is.
    CHECK(peak <= 3 * 1024);
    CHECK(end <= 3 * 1024);
    // Released pages read back the file's bytes.
    CHECK(file.data()[file.size() - 1] == 'x');
    CHECK(file.data()[0] == 'x');
  }
}  // TEST_SUITE

}  // namespace
}  // namespace sprawl
