// UTF-16 text (issue 20 item 10): with a BOM (little- and big-endian) and
// BOM-less UTF-16LE, a key in it is found by `dir`, `git` and `stdin`,
// with its line and column in the decoded UTF-8 text; binary content is
// still skipped.
#include "scanner/scan/utf16_text.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <string>

#include "scanner/scan/dir_scan.h"
#include "tests/git_test_repo.h"

namespace sprawl::testing {
namespace {

std::string Utf16(const std::string& ascii, Utf16Kind kind, bool bom) {
  std::string out;
  const bool le = kind == Utf16Kind::kLittleEndian;
  if (bom) out += le ? "\xff\xfe" : "\xfe\xff";
  for (char c : ascii) {
    if (le) {
      out += c;
      out += '\0';
    } else {
      out += '\0';
      out += c;
    }
  }
  return out;
}

struct Form {
  const char* name;
  Utf16Kind kind;
  bool bom;
};
const Form kForms[] = {
    {"UTF-16LE with BOM", Utf16Kind::kLittleEndian, true},
    {"UTF-16BE with BOM", Utf16Kind::kBigEndian, true},
    {"UTF-16LE without BOM", Utf16Kind::kLittleEndian, false},
};

}  // namespace

TEST_SUITE("utf16 text") {
  TEST_CASE("sniffing tells UTF-16 from UTF-8 and from binary") {
    for (const Form& f : kForms) {
      CAPTURE(f.name);
      CHECK(SniffUtf16(Utf16("name = value\r\n", f.kind, f.bom)) == f.kind);
    }
    CHECK(SniffUtf16("plain text, no NUL") == Utf16Kind::kNone);
    CHECK(SniffUtf16("") == Utf16Kind::kNone);
    // Binary: NULs at even and odd offsets alike.
    std::string bin;
    for (int i = 0; i < 200; ++i)
      bin += std::string(
          "\x7f"
          "ELF\0\0\x01\0",
          8);
    CHECK(SniffUtf16(bin) == Utf16Kind::kNone);
  }

  TEST_CASE("decoding: BMP, surrogate pairs, unpaired surrogates") {
    // "A", U+20AC, U+1F600 (D83D DE00), lone D800, "z".
    const std::string le(
        "\xff\xfe"
        "A\0\xac\x20\x3d\xd8\x00\xde\x00\xd8z\0",
        14);
    CHECK(DecodeUtf16(le, Utf16Kind::kLittleEndian) ==
          "A\xe2\x82\xac\xf0\x9f\x98\x80\xef\xbf\xbdz");
    const std::string be("\xfe\xff\0A\x20\xac", 6);
    CHECK(DecodeUtf16(be, Utf16Kind::kBigEndian) == "A\xe2\x82\xac");
  }

  TEST_CASE(
      "issue 20 item 10: a key in UTF-16 text is found in dir, stdin "
      "and git, at its line and column in the decoded text") {
    const std::string key = Key(3001);
    const std::string text = "# exported\r\nTOKEN=" + key + "\r\n";
    for (const Form& f : kForms) {
      CAPTURE(f.name);
      const std::string bytes = Utf16(text, f.kind, f.bom);
      TempDir dir;
      WriteFile(dir.Sub("settings.reg"), bytes);
      DirScanOptions o;
      o.roots = {dir.path()};
      o.threads = 1;
      Diagnostics quiet(nullptr);
      auto r = ScanDirectories(o, TestMatcher(), &quiet);
      REQUIRE(r.ok());
      REQUIRE(r->findings.size() == 1);
      CHECK(r->findings[0].secret == key);
      CHECK(r->findings[0].location.line == 2);
      CHECK(r->findings[0].location.column == 7);
      CHECK(r->stats.skipped_binary == 0);

      const int fd = ::open(dir.Sub("settings.reg").c_str(), O_RDONLY);
      REQUIRE(fd >= 0);
      auto s = ScanStream(fd, "-", "stdin", TestMatcher(), &quiet);
      ::close(fd);
      REQUIRE(s.ok());
      REQUIRE(s->findings.size() == 1);
      CHECK(s->findings[0].secret == key);
      CHECK(s->findings[0].location.line == 2);

      TestRepo repo;
      repo.Write("settings.reg", bytes);
      repo.Commit("utf-16");
      GitScanResult g = Scan(repo.path());
      REQUIRE(g.findings.size() == 1);
      CHECK(g.findings[0].secret == key);
      CHECK(g.findings[0].location.line == 2);
      CHECK(g.findings[0].location.column == 7);
    }
  }
}

}  // namespace sprawl::testing
