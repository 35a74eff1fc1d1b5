// Fuzz target: the segment boundary property of ContentScanner::ScanFd. The
// input decides a secret (tok_ + 32 alphanumerics), the offset it is planted
// at, the filler around it, how many bytes arrive as an already-read head,
// and whether the rest comes from a regular file (memfd) or a pipe fed in
// short uneven writes. With segments at their smallest (twice the matcher
// overlap), the secret must be found exactly once, at the offset, line and
// byte column a whole-buffer scan reports.
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "fuzz/fuzz_util.h"
#include "scanner/match/placeholder.h"
#include "scanner/scan/content_scanner.h"

namespace {

using namespace sprawl;

const Matcher& TokenMatcher() {
  static const std::unique_ptr<Matcher> matcher = [] {
    const std::string pack =
        "rules:\n"
        "  - id: test.tok\n"
        "    name: fuzz token\n"
        "    provider: test\n"
        "    category: generic\n"
        "    pattern: '\\b(tok_[A-Za-z0-9]{32})\\b'\n"
        "    examples: ['a tok_0123456789abcdefABCDEF0123456789 b',\n"
        "               'tok_ZYXWVUTSRQPONMLKJIHGFEDCBA987654']\n"
        "    negative_examples: ['tok_short']\n"
        "    references: ['https://example.invalid/docs']\n";
    auto rules = ParseRulePack(pack, "fuzz.yaml");
    if (!rules.ok()) fuzz::Violation(rules.error().message.c_str());
    Diagnostics quiet(nullptr);
    auto m = Matcher::Build(std::move(rules).value(), MatcherOptions{}, &quiet);
    if (!m.ok()) fuzz::Violation(m.error().message.c_str());
    return std::move(m).value();
  }();
  return *matcher;
}

// Reads little-endian integers off the front of the input.
struct Reader {
  const uint8_t* p;
  size_t n;
  uint32_t U16() {
    uint32_t v = 0;
    for (int i = 0; i < 2; ++i) v |= static_cast<uint32_t>(Byte()) << (8 * i);
    return v;
  }
  uint8_t Byte() {
    if (n == 0) return 0;
    --n;
    return *p++;
  }
};

std::vector<Hit> Stream(const std::string& content, size_t head_len,
                        bool pipe_transport, uint8_t chunk_seed) {
  static ContentScanner scanner(TokenMatcher(), 0);
  std::vector<Hit> hits;
  uint64_t bytes = 0;
  const size_t h = std::min(head_len, content.size());
  std::string head = content.substr(0, h);
  if (!pipe_transport) {
    const int fd = ::memfd_create("segment_fuzz", MFD_CLOEXEC);
    FUZZ_ASSERT(fd >= 0);
    FUZZ_ASSERT(::write(fd, content.data(), content.size()) ==
                static_cast<ssize_t>(content.size()));
    FUZZ_ASSERT(::lseek(fd, static_cast<off_t>(h), SEEK_SET) ==
                static_cast<off_t>(h));
    FUZZ_ASSERT(scanner.ScanFd(fd, head, &hits, &bytes).ok());
    ::close(fd);
  } else {
    int fds[2];
    FUZZ_ASSERT(::pipe(fds) == 0);
    std::thread writer([&] {
      size_t at = h;
      size_t step = 1 + chunk_seed;
      while (at < content.size()) {
        const size_t n = std::min(step, content.size() - at);
        const ssize_t w = ::write(fds[1], content.data() + at, n);
        if (w <= 0) break;
        at += static_cast<size_t>(w);
        step = 1 + (step * 7 + 13) % 700;  // uneven short writes
      }
      ::close(fds[1]);
    });
    FUZZ_ASSERT(scanner.ScanFd(fds[0], head, &hits, &bytes).ok());
    writer.join();
    ::close(fds[0]);
  }
  FUZZ_ASSERT(bytes == content.size());
  return hits;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const char kAlnum[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  Reader r{data, size};
  const uint32_t offset_seed = r.U16();
  const uint32_t head_seed = r.U16();
  const uint8_t flags = r.Byte();
  std::string token = "tok_";
  for (int i = 0; i < 32; ++i) token += kAlnum[r.Byte() % 62];
  if (LooksLikePlaceholder(token, "tok_")) return 0;
  // Filler: the rest of the input, repeated up to a length the flags pick
  // (so small inputs still cross several segments). '_' never appears in
  // it, so it cannot hold another token.
  const std::size_t overlap = TokenMatcher().overlap();
  const std::size_t target = (flags & 0x3) * overlap + (offset_seed % 4096);
  std::string content;
  if (r.n == 0) {
    content.assign(target, ' ');
  } else {
    while (content.size() < target) {
      content.append(reinterpret_cast<const char*>(r.p), r.n);
    }
    content.resize(target);
  }
  for (char& c : content) {
    if (c == '_') c = '-';
  }
  const std::size_t at = offset_seed % (content.size() + 1);
  content.insert(at, " " + token + " ");
  const std::size_t secret_at = at + 1;

  static ContentScanner buffered(TokenMatcher());  // one scratch per process
  std::vector<Hit> whole;
  buffered.ScanBuffer(content, &whole);
  FUZZ_ASSERT(whole.size() == 1);
  FUZZ_ASSERT(whole[0].offset == secret_at);
  FUZZ_ASSERT(whole[0].secret == token);

  const std::vector<Hit> hits =
      Stream(content, head_seed % (content.size() + 1), (flags & 0x4) != 0,
             static_cast<uint8_t>(flags >> 3));
  FUZZ_ASSERT(hits.size() == 1);
  FUZZ_ASSERT(hits[0].secret == token);
  FUZZ_ASSERT(hits[0].offset == whole[0].offset);
  FUZZ_ASSERT(hits[0].line == whole[0].line);
  FUZZ_ASSERT(hits[0].column == whole[0].column);
  return 0;
}
