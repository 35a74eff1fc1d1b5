// Matcher: all rules compiled once into one Hyperscan block-mode database
// (no start-of-match), with RE2 confirming each hit on a window ending at it
// and extracting capture group 1, the secret. Rules Hyperscan rejects fall
// back to its prefilter mode, then to RE2 alone, with a warning.
// A built Matcher is immutable and shared read-only by every worker; each
// worker owns one Matcher::Scratch (Hyperscan scratch + hit buffers).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "scanner/base/diagnostics.h"
#include "scanner/base/result.h"
#include "scanner/ruleset/rule.h"

namespace sprawl {

struct MatcherOptions {
  // Directory for the serialized Hyperscan database; empty disables caching.
  std::string cache_dir;
  // RE2 confirmation window for patterns without a bounded width.
  std::size_t unbounded_window = 16384;
  // Eagerly compile every RE2 (rules check); otherwise RE2s compile lazily.
  bool eager_re2 = false;
};

// One confirmed match; offsets are bytes into the scanned buffer.
struct Match {
  uint32_t rule = 0;
  uint64_t match_begin = 0;
  uint64_t match_end = 0;
  uint64_t secret_begin = 0;
  uint64_t secret_end = 0;
};

// A Match as a scan reports it: the secret's bytes, and where it is in the
// content (ContentScanner fills it).
struct Hit {
  uint32_t rule = 0;
  std::string secret;
  // Byte offset of the secret in the content; for a secret decoded out of an
  // encoded span (scan/encoded_spans.h), of the span's first byte.
  uint64_t offset = 0;
  uint64_t line = 0;    // 1-based
  uint64_t column = 0;  // 1-based, bytes
};

// One raw Hyperscan hit: the expression id and the end offset it reported.
// A scan can record them so a later delta of the same content is scanned
// only where it differs (Matcher::ScanDelta).
struct HsHit {
  uint32_t id = 0;
  uint64_t to = 0;
  bool operator==(const HsHit&) const = default;
};

// A run of a delta's result copied from its base: bytes [to, to + size) of
// the result are the base's bytes [from, from + size).
struct CopiedRun {
  uint64_t to = 0;
  uint64_t from = 0;
  uint64_t size = 0;
};

// How a rule is matched.
enum class RuleEngine { kHyperscan, kPrefilter, kRe2Only };
const char* RuleEngineName(RuleEngine e);

class Matcher {
 public:
  class Scratch;  // opaque; one per thread
  struct ScratchDeleter {
    void operator()(Scratch* s) const;
  };
  using ScratchPtr = std::unique_ptr<Scratch, ScratchDeleter>;
  struct Impl;  // opaque compiled state

  // Compiles `rules`. Fails (naming origin and rule id) when a pattern does
  // not compile in RE2 or has no capture group; Hyperscan failures only warn.
  static Result<std::unique_ptr<Matcher>> Build(std::vector<Rule> rules,
                                                const MatcherOptions& options,
                                                Diagnostics* diagnostics);
  ~Matcher();
  Matcher(const Matcher&) = delete;
  Matcher& operator=(const Matcher&) = delete;

  // A scratch for one thread. Never shared between threads.
  ScratchPtr NewScratch() const;

  // Appends every confirmed match in `data` to `out`, ordered by
  // (secret_begin, rule). Placeholders, keyword-less and low-entropy
  // candidates, and those failing the rule's checksum check (or, for a
  // `checksum_mismatch` rule, passing it) are dropped here.
  // With `record`, also replaces *record with the raw Hyperscan hits of
  // `data` (ordered by end offset), for ScanDelta on content derived from it.
  void Scan(std::string_view data, Scratch* scratch, std::vector<Match>* out,
            std::vector<HsHit>* record = nullptr) const;

  // The same matches as Scan(data), for `data` whose runs `copies` (in
  // ascending `to`, not overlapping) are copies of a base whose raw hits
  // (Scan or ScanDelta with `record`) are `base_hits`. Hyperscan reads only
  // the bytes near what was not copied: a hit whose expression's bytes (at
  // most delta_reach() before its end, one after) all lie inside one copied
  // run is the base's hit, moved. Expressions of unbounded width are
  // matched over all of `data` by a second, small database. `record` as for
  // Scan. Without a Hyperscan database, the same as Scan.
  void ScanDelta(std::string_view data, const std::vector<HsHit>& base_hits,
                 const std::vector<CopiedRun>& copies, Scratch* scratch,
                 std::vector<Match>* out,
                 std::vector<HsHit>* record = nullptr) const;
  // Bytes before a hit's end that a bounded expression's match (with its
  // one-byte look-behind) can span; 0 when ScanDelta cannot save anything.
  uint64_t delta_reach() const;

  // Scans with `scratch` stop early once `deadline` passes (checked every
  // few thousand Hyperscan hits and before each confirmation window); what
  // was confirmed before that is kept. time_point::max() = no deadline.
  static void SetDeadline(Scratch* scratch,
                          std::chrono::steady_clock::time_point deadline);
  // True once a scan with `scratch` has run past its deadline.
  static bool DeadlinePassed(Scratch* scratch);

  const std::vector<Rule>& rules() const;
  RuleEngine engine(std::size_t rule) const;
  // Bytes a caller splitting input into segments must overlap them by so no
  // match is lost at a boundary.
  std::size_t overlap() const;
  // Bytes before a match that keyword checks read (part of overlap()).
  static constexpr std::size_t kLookbehind = 128;
  bool loaded_from_cache() const;

 private:
  explicit Matcher(std::unique_ptr<Impl> impl);
  // The RE2 step: confirms the scratch's windows into `out`.
  void Confirm(std::string_view data, Scratch* s,
               std::vector<Match>* out) const;
  bool WholeReady(Scratch* s) const;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sprawl
