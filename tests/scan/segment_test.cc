// ContentScanner streaming: content read through a file descriptor in
// overlapping segments yields every secret exactly once, at the same line
// and byte column as if the whole content had been scanned at once.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "scanner/ruleset/rule_loader.h"
#include "scanner/scan/content_scanner.h"
#include "tests/test_util.h"

namespace sprawl {
namespace {

using testing::kAlnum;
using testing::SyntheticGithubToken;
using testing::SyntheticToken;

constexpr std::size_t kSegment = 4096;

// One bounded rule: a small overlap, so a 4 KiB segment is honoured.
const Matcher& SmallMatcher() {
  static const std::unique_ptr<Matcher> matcher = [] {
    auto m = testing::BuildMatcherFromYaml(
        "rules:\n" +
        testing::RuleYaml("test.tok", R"(\b(tok_[A-Za-z0-9]{32})\b)"));
    REQUIRE_MESSAGE(m.ok(), m.error().message);
    return std::move(m).value();
  }();
  return *matcher;
}

// Multi-line filler of exactly `size` bytes with lines of varying length.
std::string Filler(std::size_t size) {
  static const char* kLines[] = {
      "lorem ipsum dolor sit amet\n", "consectetur adipiscing elit, sed do\n",
      "\n", "eiusmod tempor\n", "incididunt ut labore et dolore magna\n"};
  std::string out;
  out.reserve(size + 64);
  for (std::size_t i = 0; out.size() < size; ++i) out += kLines[i % 5];
  out.resize(size);
  return out;
}

// Puts `token` at `offset` of `content`, separated by spaces from its
// neighbours so word boundaries hold.
void Place(std::string* content, std::size_t offset, std::string_view token) {
  content->replace(offset, token.size(), token);
  if (offset > 0) (*content)[offset - 1] = ' ';
  if (offset + token.size() < content->size()) {
    (*content)[offset + token.size()] = ' ';
  }
}

enum class Transport { kFile, kPipe };

// Streams `content` through ScanFd; the first `head_len` bytes are handed
// over as already-read head, as the directory scanner does.
std::vector<Hit> Stream(ContentScanner* scanner, const std::string& content,
                        Transport transport, std::size_t head_len) {
  const std::size_t h = std::min(head_len, content.size());
  std::string head = content.substr(0, h);
  std::vector<Hit> hits;
  uint64_t bytes = 0;
  if (transport == Transport::kFile) {
    // A memory-backed regular file: thousands of rewrites, no disk I/O.
    const int fd = ::memfd_create("segment_test", MFD_CLOEXEC);
    REQUIRE(fd >= 0);
    std::size_t at = 0;
    while (at < content.size()) {
      const ssize_t w = ::write(fd, content.data() + at, content.size() - at);
      REQUIRE(w > 0);
      at += static_cast<std::size_t>(w);
    }
    REQUIRE(::lseek(fd, static_cast<off_t>(h), SEEK_SET) ==
            static_cast<off_t>(h));
    Status st = scanner->ScanFd(fd, head, &hits, &bytes);
    ::close(fd);
    REQUIRE_MESSAGE(st.ok(), st.error().message);
  } else {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    std::thread writer([&] {
      std::size_t at = h;
      while (at < content.size()) {
        // Small uneven writes: reads return short, partial segments.
        const std::size_t n = std::min<std::size_t>(1000, content.size() - at);
        const ssize_t w = ::write(fds[1], content.data() + at, n);
        if (w <= 0) break;
        at += static_cast<std::size_t>(w);
      }
      ::close(fds[1]);
    });
    Status st = scanner->ScanFd(fds[0], head, &hits, &bytes);
    writer.join();
    ::close(fds[0]);
    REQUIRE_MESSAGE(st.ok(), st.error().message);
  }
  CHECK(bytes == content.size());
  return hits;
}

// Describes how `hits` differ from exactly one hit of `token` at `offset`.
std::string Mismatch(const std::vector<Hit>& hits, const std::string& content,
                     std::size_t offset, const std::string& token) {
  std::ostringstream why;
  if (hits.size() != 1) {
    why << hits.size() << " hits";
  } else if (hits[0].secret != token) {
    why << "secret differs";
  } else if (hits[0].offset != offset) {
    why << "offset " << hits[0].offset;
  } else if (hits[0].line != testing::LineAt(content, offset) ||
             hits[0].column != testing::ColumnAt(content, offset)) {
    why << "at " << hits[0].line << ":" << hits[0].column << ", expected "
        << testing::LineAt(content, offset) << ":"
        << testing::ColumnAt(content, offset);
  } else {
    return "";
  }
  return "offset " + std::to_string(offset) + ": " + why.str();
}

TEST_SUITE("segment") {
  TEST_CASE(
      "a secret at any offset around segment boundaries is found "
      "exactly once at its line and column") {
    struct Row {
      const char* name;
      Transport transport;
      std::size_t head_len;
    };
    const Row rows[] = {
        {"regular file", Transport::kFile, 0},
        {"regular file with a short head", Transport::kFile, 100},
        {"regular file with a head longer than a segment", Transport::kFile,
         kSegment + 1000},
        {"pipe with short reads", Transport::kPipe, 0},
    };
    const Matcher& matcher = SmallMatcher();
    const std::size_t overlap = matcher.overlap();
    REQUIRE(2 * overlap < kSegment);  // else the scanner enlarges segments
    const std::string token = SyntheticToken("tok_", kAlnum, 32, 7);
    for (const Row& row : rows) {
      INFO(row.name);
      ContentScanner scanner(matcher, kSegment);
      std::vector<std::string> failures;
      int tried = 0;
      for (std::size_t k = 1; k <= 3; ++k) {
        const std::size_t lo = k * kSegment - overlap - 40;
        const std::size_t hi = k * kSegment + overlap + 40;
        for (std::size_t offset = lo; offset <= hi; ++offset) {
          std::string content = Filler(4 * kSegment + 3 * overlap);
          Place(&content, offset, token);
          const auto hits =
              Stream(&scanner, content, row.transport, row.head_len);
          ++tried;
          std::string why = Mismatch(hits, content, offset, token);
          if (!why.empty()) failures.push_back(why);
        }
      }
      CAPTURE(tried);
      for (std::size_t i = 0; i < failures.size() && i < 5; ++i) {
        FAIL_CHECK(failures[i]);
      }
      CHECK(failures.empty());
    }
  }

  TEST_CASE(
      "built-in rules at their smallest segment size find a secret "
      "once at every sampled offset around the boundaries") {
    const Matcher& matcher = testing::BuiltinMatcher();
    ContentScanner scanner(matcher, 0);  // clamped to twice the overlap
    const std::size_t segment = 2 * matcher.overlap();
    const std::size_t overlap = matcher.overlap();
    const std::string token = SyntheticGithubToken("ghp_", 8);
    std::vector<std::string> failures;
    for (std::size_t k = 1; k <= 2; ++k) {
      for (std::size_t offset = k * segment - overlap - 64;
           offset <= k * segment + overlap + 64; offset += 37) {
        std::string content = Filler(3 * segment + 2 * overlap);
        Place(&content, offset, token);
        const auto hits = Stream(&scanner, content, Transport::kFile, 0);
        std::string why = Mismatch(hits, content, offset, token);
        if (!why.empty()) failures.push_back(why);
      }
    }
    for (std::size_t i = 0; i < failures.size() && i < 5; ++i) {
      FAIL_CHECK(failures[i]);
    }
    CHECK(failures.empty());
  }

  TEST_CASE(
      "a 10 MB single-line file reports secrets near its end at the "
      "right byte column") {
    const Matcher& matcher = testing::BuiltinMatcher();
    ContentScanner scanner(matcher);  // default 8 MiB segments
    const std::size_t size = 10u << 20;
    std::string content;
    content.reserve(size);
    while (content.size() < size) content += "lorem ipsum ";
    content.resize(size);
    struct Secret {
      std::size_t offset;
      std::string token;
    };
    const std::vector<Secret> secrets = {
        {(8u << 20) - 20, SyntheticGithubToken("ghp_", 21)},
        {size - 300, SyntheticToken("glpat-", testing::kUrlSafe, 20, 22)},
        {size - 60, SyntheticToken("gsk_", kAlnum, 52, 23)},
    };
    for (const Secret& s : secrets) Place(&content, s.offset, s.token);
    REQUIRE(content.find('\n') == std::string::npos);
    const auto hits = Stream(&scanner, content, Transport::kFile, 0);
    REQUIRE(hits.size() == secrets.size());
    for (std::size_t i = 0; i < secrets.size(); ++i) {
      CAPTURE(i);
      CHECK(hits[i].secret == secrets[i].token);
      CHECK(hits[i].line == 1);
      CHECK(hits[i].column == secrets[i].offset + 1);
    }
  }

  TEST_CASE(
      "line numbers stay right across many segments of many lines and "
      "match a whole-buffer scan") {
    const Matcher& matcher = SmallMatcher();
    std::string content;
    std::vector<std::size_t> offsets;
    std::vector<std::string> tokens;
    for (int line = 0; line < 60000; ++line) {
      if (line % 997 == 0) {
        const std::string token =
            SyntheticToken("tok_", kAlnum, 32, 1000 + line);
        content.append(static_cast<std::size_t>(line % 37), '.');
        content += ' ';
        offsets.push_back(content.size());
        tokens.push_back(token);
        content += token;
        content += " end\n";
      } else {
        content.append(static_cast<std::size_t>(line % 53), 'a');
        content += '\n';
      }
    }
    ContentScanner streaming(matcher, kSegment);
    const auto hits = Stream(&streaming, content, Transport::kFile, 0);
    REQUIRE(hits.size() == tokens.size());
    for (std::size_t i = 0; i < tokens.size(); ++i) {
      CAPTURE(i);
      CHECK(hits[i].secret == tokens[i]);
      CHECK(hits[i].line == testing::LineAt(content, offsets[i]));
      CHECK(hits[i].column == testing::ColumnAt(content, offsets[i]));
    }
    ContentScanner whole(matcher, kSegment);
    std::vector<Hit> buffered;
    whole.ScanBuffer(content, &buffered);
    REQUIRE(buffered.size() == hits.size());
    for (std::size_t i = 0; i < hits.size(); ++i) {
      CAPTURE(i);
      CHECK(buffered[i].offset == hits[i].offset);
      CHECK(buffered[i].line == hits[i].line);
      CHECK(buffered[i].column == hits[i].column);
    }
  }
}

}  // namespace
}  // namespace sprawl
