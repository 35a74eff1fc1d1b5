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
  void Scan(std::string_view data, Scratch* scratch,
            std::vector<Match>* out) const;

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
  std::unique_ptr<Impl> impl_;
};

}  // namespace sprawl
