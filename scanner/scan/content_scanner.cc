#include "scanner/scan/content_scanner.h"

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <algorithm>
#include <cstring>
#include <utility>

#include "scanner/base/text.h"
#include "scanner/findings/credential.h"
#include "scanner/scan/encoded_spans.h"

namespace sprawl {

ContentScanner::ContentScanner(const Matcher& matcher, std::size_t segment_size)
    : matcher_(matcher),
      scratch_(matcher.NewScratch()),
      segment_size_(std::max<std::size_t>(segment_size, 2 * matcher.overlap())) {}

// Segment ownership: a segment starting at `start` (absolute) whose buffer
// ends at `end` owns a match beginning at mb iff
//   (start == 0 || mb >= start + L) && (last || mb < end - C + L)
// where C = matcher overlap (max match width + L) and L = keyword lookbehind.
// The next segment starts at end - C, so every match and its keyword context
// lies wholly inside the one segment that owns it: none is lost or doubled.
void ContentScanner::ScanSegment(std::string_view buf, uint64_t start,
                                 bool last, std::vector<Hit>* out) {
  const std::size_t first = out->size();
  matches_.clear();
  if (history_ != nullptr && history_->base_hits != nullptr &&
      history_->copies != nullptr) {
    matcher_.ScanDelta(buf, *history_->base_hits, *history_->copies,
                       scratch_.get(), &matches_, history_->record);
  } else if (history_ != nullptr) {
    matcher_.Scan(buf, scratch_.get(), &matches_, history_->record);
  } else {
    matcher_.Scan(buf, scratch_.get(), &matches_);
  }
  DropShadowedMatches();
  const uint64_t kL = Matcher::kLookbehind;
  const uint64_t kC = matcher_.overlap();
  const uint64_t end = start + buf.size();
  uint64_t counted_to = 0;  // buffer offset up to which lines are counted
  uint64_t lines = lines_before_;
  int64_t last_nl = last_newline_;
  for (const Match& m : matches_) {
    const uint64_t mb = start + m.match_begin;
    if (start != 0 && mb < start + kL) continue;
    if (!last && mb + kC >= end + kL) continue;
    const uint64_t off = m.secret_begin;
    if (off > counted_to) {
      const char* p = buf.data() + counted_to;
      std::size_t n = off - counted_to;
      std::size_t c = CountNewlines(p, n);
      if (c > 0) {
        lines += c;
        const void* nl = memrchr(p, '\n', n);
        last_nl = static_cast<int64_t>(start + counted_to +
                                       (static_cast<const char*>(nl) - p));
      }
      counted_to = off;
    }
    Hit h;
    h.rule = m.rule;
    h.secret.assign(buf.data() + m.secret_begin,
                    m.secret_end - m.secret_begin);
    h.offset = start + off;
    h.line = lines + 1;
    h.column = static_cast<uint64_t>(static_cast<int64_t>(h.offset) - last_nl);
    out->push_back(std::move(h));
  }
  const std::size_t plain_end = out->size();
  ScanEncoded(buf, start, last, out);
  // Both runs are in offset order; the segment's hits come out as one run
  // (a hit inside an encoded span sits at the span's first byte, which can
  // precede plain hits already taken).
  std::inplace_merge(out->begin() + static_cast<std::ptrdiff_t>(first),
                     out->begin() + static_cast<std::ptrdiff_t>(plain_end),
                     out->end(), [](const Hit& a, const Hit& b) {
                       return a.offset < b.offset;
                     });
}

// Secrets hidden in encoded spans (encoded_spans.h): each span owned by this
// segment is decoded and scanned, to a depth of two encodings, and every
// secret found in the decoded bytes is a hit at the span's first byte. The
// spans' own matches have been taken (at most kMaxSpans a segment, each at
// most kMaxEncodedSpan bytes), so the cost stays bounded.
void ContentScanner::ScanEncoded(std::string_view buf, uint64_t start,
                                 bool last, std::vector<Hit>* out) {
  const uint64_t kL = Matcher::kLookbehind;
  const uint64_t kC = matcher_.overlap();
  const uint64_t end = start + buf.size();
  const std::size_t first = out->size();
  std::vector<std::pair<uint32_t, std::string>> found;
  for (const EncodedSpan& span : FindEncodedSpans(buf)) {
    const uint64_t at = start + span.begin;
    if (start != 0 && at < start + kL) continue;
    if (!last && at + kC >= end + kL) continue;
    found.clear();
    DecodedSecrets(span, 1, &found);
    if (found.empty()) continue;
    const uint64_t lines = lines_before_ + CountNewlines(buf.data(), span.begin);
    const void* nl = memrchr(buf.data(), '\n', span.begin);
    const int64_t last_nl =
        nl != nullptr ? static_cast<int64_t>(
                            start + (static_cast<const char*>(nl) - buf.data()))
                      : last_newline_;
    for (auto& [rule, secret] : found) {
      Hit h;
      h.rule = rule;
      h.secret = std::move(secret);
      h.offset = at;
      h.line = lines + 1;
      h.column = static_cast<uint64_t>(static_cast<int64_t>(at) - last_nl);
      out->push_back(std::move(h));
    }
  }
  std::stable_sort(out->begin() + static_cast<std::ptrdiff_t>(first),
                   out->end(), [](const Hit& a, const Hit& b) {
                     return a.offset < b.offset;
                   });
}

void ContentScanner::DecodedSecrets(
    const EncodedSpan& span, int depth,
    std::vector<std::pair<uint32_t, std::string>>* found) {
  std::vector<Match> matches;
  matcher_.Scan(span.scan_text, scratch_.get(), &matches);
  for (const Match& m : matches) {
    if (m.secret_begin < span.decoded_at) continue;
    std::pair<uint32_t, std::string> hit(
        m.rule,
        span.scan_text.substr(m.secret_begin, m.secret_end - m.secret_begin));
    if (std::find(found->begin(), found->end(), hit) == found->end()) {
      found->push_back(std::move(hit));
    }
  }
  if (depth >= 2) return;
  for (const EncodedSpan& inner : FindEncodedSpans(
           std::string_view(span.scan_text).substr(span.decoded_at))) {
    DecodedSecrets(inner, depth + 1, found);
  }
}

// Two rules capturing overlapping but different spans (a provider rule and
// the generic one, say) would report one secret twice under two
// fingerprints; the less specific match is dropped. Identical spans are kept:
// they merge into one credential later.
void ContentScanner::DropShadowedMatches() {
  const auto& rules = matcher_.rules();
  std::vector<bool> drop(matches_.size(), false);
  for (std::size_t i = 0; i < matches_.size(); ++i) {
    for (std::size_t j = i + 1; j < matches_.size(); ++j) {
      const Match& a = matches_[i];
      const Match& b = matches_[j];
      if (b.secret_begin >= a.secret_end) break;
      if (a.secret_begin == b.secret_begin && a.secret_end == b.secret_end) {
        continue;
      }
      const int sa = RuleSpecificity(rules[a.rule]);
      const int sb = RuleSpecificity(rules[b.rule]);
      if (sa == sb) continue;
      drop[sa < sb ? i : j] = true;
    }
  }
  std::size_t k = 0;
  for (std::size_t i = 0; i < matches_.size(); ++i) {
    if (!drop[i]) matches_[k++] = matches_[i];
  }
  matches_.resize(k);
}

void ContentScanner::StartClock() {
  timed_out_ = false;
  Matcher::SetDeadline(
      scratch_.get(),
      time_limit_ > 0
          ? std::chrono::steady_clock::now() +
                std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                    std::chrono::duration<double>(time_limit_))
          : std::chrono::steady_clock::time_point::max());
}

void ContentScanner::ScanBuffer(std::string_view data, std::vector<Hit>* out) {
  lines_before_ = 0;
  last_newline_ = -1;
  StartClock();
  ScanSegment(data, 0, true, out);
  timed_out_ = Matcher::DeadlinePassed(scratch_.get());
}

void ContentScanner::ScanBuffer(std::string_view data, std::vector<Hit>* out,
                                const History& history) {
  // One segment: a whole buffer is the only case where the matcher's raw
  // hits describe the content (segments would each record their own).
  history_ = &history;
  ScanBuffer(data, out);
  history_ = nullptr;
}

Status ContentScanner::ScanFd(int fd, const std::string& head, std::vector<Hit>* out,
                              uint64_t* bytes) {
  lines_before_ = 0;
  last_newline_ = -1;
  StartClock();
  const std::size_t carry = matcher_.overlap();
  const std::size_t cap = std::max(segment_size_ + carry, head.size());
  // One buffer per scanner, reused across files and never zero-filled.
  if (buffer_cap_ < cap) {
    buffer_.reset(new char[cap]);
    buffer_cap_ = cap;
  }
  char* buf = buffer_.get();
  if (!head.empty()) head.copy(buf, head.size());
  std::size_t len = head.size();
  uint64_t start = 0;
  uint64_t total = len;
  bool eof = false;
  Status status;
  for (;;) {
    while (!eof && len < cap) {
      const ssize_t n = ::read(fd, buf + len, cap - len);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        status = Error{std::string("read failed: ") + std::strerror(errno)};
        eof = true;
        break;
      }
      if (n == 0) {
        eof = true;
        break;
      }
      len += static_cast<std::size_t>(n);
      total += static_cast<uint64_t>(n);
    }
    ScanSegment(std::string_view(buf, len), start, eof, out);
    if (Matcher::DeadlinePassed(scratch_.get())) {
      timed_out_ = true;
      break;
    }
    if (eof) break;
    // Keep the last `carry` bytes; account lines of what is dropped.
    const std::size_t drop = len - carry;
    const std::size_t c = CountNewlines(buf, drop);
    if (c > 0) {
      lines_before_ += c;
      const void* nl = memrchr(buf, '\n', drop);
      last_newline_ = static_cast<int64_t>(
          start + (static_cast<const char*>(nl) - buf));
    }
    std::memmove(buf, buf + drop, carry);
    len = carry;
    start += drop;
  }
  if (bytes != nullptr) *bytes = total;
  return status;
}

}  // namespace sprawl
