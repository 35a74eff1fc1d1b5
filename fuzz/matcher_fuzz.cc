// Fuzz target: every built-in rule over arbitrary bytes through
// ContentScanner::ScanBuffer. Properties: no crash or sanitizer report, hits
// come in offset order, each secret is the bytes at its offset (or was decoded
// from an encoded span that starts there), and line and column agree with the
// content. The matcher, scanner and hit buffer are
// built once per process, in LLVMFuzzerInitialize: compiling ~800 rules under
// the fuzz instrumentation takes seconds, and inside the first input it would
// count against libFuzzer's per-input -timeout (a slow CI machine reported it
// as a hang). An input costs only the scan and the checks.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_util.h"
#include "scanner/scan/content_scanner.h"
#include "scanner/scan/encoded_spans.h"

namespace {

sprawl::ContentScanner& Scanner() {
  static sprawl::ContentScanner scanner(sprawl::fuzz::BuiltinMatcher());
  return scanner;
}

bool StartsEncodedSpan(std::string_view content, uint64_t offset) {
  for (const sprawl::EncodedSpan& span : sprawl::FindEncodedSpans(content)) {
    if (span.begin == offset) return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  Scanner();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sprawl;
  ContentScanner& scanner = Scanner();
  const std::string_view content(reinterpret_cast<const char*>(data), size);
  static std::vector<Hit> hits;
  hits.clear();
  scanner.ScanBuffer(content, &hits);
  // Lines are counted incrementally: hits come in offset order.
  uint64_t previous = 0;
  uint64_t lines = 1;
  int64_t last_newline = -1;
  for (const Hit& h : hits) {
    FUZZ_ASSERT(h.offset >= previous);
    FUZZ_ASSERT(h.offset <= size);
    if (content.substr(h.offset, h.secret.size()) != h.secret) {
      // Only a secret decoded out of an encoded span differs from the bytes
      // at its offset, and that offset is the span's first byte.
      FUZZ_ASSERT(StartsEncodedSpan(content, h.offset));
    }
    for (uint64_t i = previous; i < h.offset; ++i) {
      if (content[i] == '\n') {
        ++lines;
        last_newline = static_cast<int64_t>(i);
      }
    }
    previous = h.offset;
    FUZZ_ASSERT(h.line == lines);
    FUZZ_ASSERT(static_cast<int64_t>(h.column) ==
                static_cast<int64_t>(h.offset) - last_newline);
  }
  return 0;
}
