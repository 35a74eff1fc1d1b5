// ContentScanner: runs the Matcher over one piece of content (a buffer, or a
// file descriptor streamed in overlapping segments with bounded memory) and
// turns matches into Hits with 1-based line and byte column. One per worker
// thread: it owns that worker's Matcher::Scratch. Not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "scanner/base/result.h"
#include "scanner/match/matcher.h"
#include "scanner/scan/encoded_spans.h"

namespace sprawl {

class ContentScanner {
 public:
  // `segment_size` bounds memory when streaming (plus matcher overlap).
  explicit ContentScanner(const Matcher& matcher,
                          std::size_t segment_size = 8u << 20);

  // Scans content already in memory; appends hits in offset order.
  void ScanBuffer(std::string_view data, std::vector<Hit>* out);

  // ScanBuffer for history (scan/blob_scan.cc): with `record`, keeps the
  // matcher's raw hits of `data` there; with `base_hits` and `copies`,
  // `data` is a delta of content whose raw hits those are, and the matcher
  // only reads near the bytes the delta did not copy (Matcher::ScanDelta).
  // The hits are the same as ScanBuffer's either way.
  struct History {
    const std::vector<HsHit>* base_hits = nullptr;
    const std::vector<CopiedRun>* copies = nullptr;
    std::vector<HsHit>* record = nullptr;
  };
  void ScanBuffer(std::string_view data, std::vector<Hit>* out,
                  const History& history);

  // Streams `fd` to EOF. `head` (may be empty) holds bytes already read from
  // it and comes first. Stops with an error on a read failure, keeping the
  // hits found so far. `bytes` receives the total length read.
  Status ScanFd(int fd, const std::string& head, std::vector<Hit>* out,
                uint64_t* bytes);

  const Matcher& matcher() const { return matcher_; }

  // Each later ScanBuffer/ScanFd stops once it has run `seconds` (0 = no
  // limit), keeping the hits found before; timed_out() tells whether the
  // last one did.
  void set_time_limit(double seconds) { time_limit_ = seconds; }
  bool timed_out() const { return timed_out_; }

 private:
  // Scans buf = content[start, start+buf.size()); keeps matches owned by this
  // segment (see the .cc) and converts them to hits.
  void ScanSegment(std::string_view buf, uint64_t start, bool last,
                   std::vector<Hit>* out);

  // Decodes the encoded spans this segment owns and appends the secrets
  // inside them as hits at the spans (encoded_spans.h).
  void ScanEncoded(std::string_view buf, uint64_t start, bool last,
                   std::vector<Hit>* out);
  // (rule, secret) of every match inside `span`'s decoded bytes, and inside
  // encodings nested in them while `depth` < 2.
  void DecodedSecrets(const EncodedSpan& span, int depth,
                      std::vector<std::pair<uint32_t, std::string>>* found);

  void DropShadowedMatches();
  void StartClock();

  const Matcher& matcher_;
  Matcher::ScratchPtr scratch_;
  const History* history_ = nullptr;  // during a ScanBuffer with History
  std::size_t segment_size_;
  std::vector<Match> matches_;
  std::unique_ptr<char[]> buffer_;  // streaming buffer, reused
  std::size_t buffer_cap_ = 0;
  // Line bookkeeping across segments.
  uint64_t lines_before_ = 0;     // newlines in content[0, start)
  int64_t last_newline_ = -1;     // absolute offset of the last one there
  double time_limit_ = 0;
  bool timed_out_ = false;
};

}  // namespace sprawl
