#include "scanner/match/matcher.h"

#include <hs/hs.h>
#include <re2/re2.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <new>
#include <optional>
#include <sstream>

#include "scanner/base/check.h"
#include "scanner/base/hash.h"
#include "scanner/base/private_file.h"
#include "scanner/base/text.h"
#include "scanner/match/allocation_crash_guard.h"
#include "scanner/match/checksum.h"
#include "scanner/match/placeholder.h"
#include "scanner/match/value_shapes.h"

namespace sprawl {

const char* RuleEngineName(RuleEngine e) {
  switch (e) {
    case RuleEngine::kHyperscan: return "hyperscan";
    case RuleEngine::kPrefilter: return "hyperscan-prefilter+re2";
    case RuleEngine::kRe2Only: return "re2";
  }
  return "?";
}

namespace {

// Bytes before the secret in which a rule keyword may appear.
constexpr std::size_t kKeywordLookbehind = Matcher::kLookbehind;

struct HsDatabaseDeleter {
  void operator()(hs_database_t* db) const { hs_free_database(db); }
};
struct HsScratchDeleter {
  void operator()(hs_scratch_t* s) const { hs_free_scratch(s); }
};
struct HsCompileErrorDeleter {
  void operator()(hs_compile_error_t* e) const { hs_free_compile_error(e); }
};
using HsDatabase = std::unique_ptr<hs_database_t, HsDatabaseDeleter>;
using HsScratch = std::unique_ptr<hs_scratch_t, HsScratchDeleter>;
using HsCompileError =
    std::unique_ptr<hs_compile_error_t, HsCompileErrorDeleter>;

RE2::Options Re2Options() {
  RE2::Options o;
  o.set_encoding(RE2::Options::EncodingLatin1);  // bytes, like Hyperscan
  o.set_log_errors(false);
  return o;
}

unsigned HsFlags(RuleEngine e) {
  return e == RuleEngine::kPrefilter ? HS_FLAG_PREFILTER : 0u;
}

// Token boundaries around a pattern: a leading `\b` or `(?:^|[^...])` and a
// trailing `\b` or `(?:[^...]|$)`. Hyperscan scans a class repeat next to
// one at ~50 MB/s; the rule set went from 0.49 s to 0.19 s on 75 MB of
// /usr/include without them (bench/RESULTS.md). Hyperscan compiles the
// pattern without its boundaries, which matches wherever the pattern does;
// RE2 checks them in the confirm step on a window kBoundaryReach bytes wider
// on each side.
constexpr uint64_t kBoundaryReach = 2;

// Delta scans (ScanDelta) rescan delta_reach bytes around every change, and
// delta_reach follows the widest expression: the few wider than this are
// matched over the whole content by a second database instead.
constexpr uint64_t kDeltaWidthCap = 320;

bool PlainClass(std::string_view cls) {
  return cls.find_first_of("[]()|") == std::string_view::npos;
}

// Length of a leading boundary of `p`, 0 when it has none.
std::size_t LeadingBoundary(std::string_view p) {
  if (p.substr(0, 2) == "\\b") return 2;
  constexpr std::string_view kHead = "(?:^|[^";
  if (p.substr(0, kHead.size()) != kHead) return 0;
  const std::size_t close = p.find("])", kHead.size());
  if (close == std::string_view::npos ||
      !PlainClass(p.substr(kHead.size(), close - kHead.size()))) {
    return 0;
  }
  return close + 2;
}

// Length of `p` without a trailing boundary, p.size() when it has none.
std::size_t TrailingBoundary(std::string_view p) {
  if (p.size() >= 2 && p.substr(p.size() - 2) == "\\b") {
    std::size_t slashes = 0;
    for (std::size_t i = p.size() - 1; i-- > 0 && p[i] == '\\';) ++slashes;
    if (slashes % 2 == 1) return p.size() - 2;
  }
  constexpr std::string_view kHead = "(?:[^";
  constexpr std::string_view kTail = "]|$)";
  if (p.size() < kHead.size() + kTail.size() ||
      p.substr(p.size() - kTail.size()) != kTail) {
    return p.size();
  }
  const std::size_t head = p.rfind(kHead);
  if (head == std::string_view::npos ||
      !PlainClass(p.substr(head + kHead.size(),
                           p.size() - kTail.size() - head - kHead.size()))) {
    return p.size();
  }
  return head;
}

// What Hyperscan compiles for a rule: its anchor when it has one, else its
// pattern without token boundaries.
std::string HsExpression(const Rule& rule) {
  if (!rule.anchor.empty()) return rule.anchor;
  const std::string_view p = rule.pattern;
  const std::size_t end = TrailingBoundary(p);
  const std::size_t begin = LeadingBoundary(p.substr(0, end));
  // Cutting the start or end of a pattern only loosens its first or last
  // alternative, so the cut expression still matches a superset.
  if (begin >= end || (begin == 0 && end == p.size())) return rule.pattern;
  return std::string(p.substr(begin, end - begin));
}

// Case-insensitive search of an ASCII needle.
bool ContainsNoCase(std::string_view hay, std::string_view needle) {
  if (needle.size() > hay.size()) return false;
  for (std::size_t i = 0; i + needle.size() <= hay.size(); ++i) {
    std::size_t k = 0;
    while (k < needle.size()) {
      char a = hay[i + k];
      char b = needle[k];
      if (a >= 'A' && a <= 'Z') a = static_cast<char>(a - 'A' + 'a');
      if (b >= 'A' && b <= 'Z') b = static_cast<char>(b - 'A' + 'a');
      if (a != b) break;
      ++k;
    }
    if (k == needle.size()) return true;
  }
  return false;
}

// The filters of the confirm step (rules/README.md, "How a rule matches"):
// entropy, placeholder, checksum, then keywords near the secret.
bool PassesFilters(const Rule& rule, std::string_view data, const Match& m) {
  const std::string_view secret =
      data.substr(m.secret_begin, m.secret_end - m.secret_begin);
  if (rule.min_entropy > 0 && ShannonEntropy(secret) < rule.min_entropy) {
    return false;
  }
  if (LooksLikePlaceholder(secret, rule.prefix)) return false;
  if (rule.reject != 0 && IsRejectedValue(secret, rule.reject)) return false;
  // A companion rule (checksum_mismatch) takes exactly what its checksummed
  // twin drops, so a secret is never reported by both.
  if (rule.checksum != Checksum::kNone &&
      ChecksumVerifies(rule.checksum, secret) == rule.checksum_mismatch) {
    return false;
  }
  if (rule.keywords.empty()) return true;
  const std::size_t kb =
      m.secret_begin > kKeywordLookbehind
          ? std::min<std::size_t>(m.match_begin,
                                  m.secret_begin - kKeywordLookbehind)
          : 0;
  const std::string_view context = data.substr(kb, m.match_end - kb);
  for (const auto& k : rule.keywords) {
    if (ContainsNoCase(context, k)) return true;
  }
  return false;
}

}  // namespace

struct Matcher::Impl {
  std::vector<Rule> rules;
  std::vector<RuleEngine> engines;
  std::vector<uint64_t> windows;  // RE2 window per rule, before a hit's end
  std::vector<uint64_t> ahead;    // ...and after it (anchored rules)
  HsDatabase db;
  HsScratch prototype;
  std::vector<uint32_t> hs_ids;      // Hyperscan expression id -> rule
  // Delta scans (ScanDelta): the widest bounded expression plus look-around
  // bytes, which Hyperscan ids have unbounded width, and a database of just
  // those (compiled on first use).
  uint64_t delta_reach = 0;
  std::vector<bool> unbounded_id;
  bool any_unbounded = false;
  std::string whole_cache_path;  // empty: no cache
  mutable std::once_flag whole_once;
  mutable HsDatabase whole_db;
  mutable bool whole_failed = false;
  std::vector<uint32_t> re2_only;    // rules scanned by RE2 over everything
  std::size_t overlap = 0;
  bool from_cache = false;

  // RE2 objects compile lazily, once, thread-safely.
  mutable std::vector<std::unique_ptr<RE2>> re2;
  mutable std::unique_ptr<std::once_flag[]> re2_once;

  const RE2& Re2(uint32_t rule) const {
    std::call_once(re2_once[rule], [&] {
      re2[rule] = std::make_unique<RE2>(rules[rule].pattern, Re2Options());
    });
    return *re2[rule];
  }
};

class Matcher::Scratch {
 public:
  HsScratch hs;
  HsScratch whole;  // for Impl::whole_db, allocated on first delta scan
  std::vector<HsHit>* record = nullptr;  // raw hits, while a scan records
  // ScanDelta: hits of one window scan are kept when their end lies in
  // [keep_from, keep_to] (buffer offsets), shifted by `shift`.
  std::vector<HsHit> collected;
  uint64_t keep_from = 0;
  uint64_t keep_to = 0;
  uint64_t shift = 0;
  struct Window {
    uint32_t rule;
    uint64_t begin;
    uint64_t end;
  };
  struct Open {
    bool active = false;
    uint64_t begin = 0;
    uint64_t end = 0;
  };
  std::vector<Open> open;        // per rule, the window being extended
  std::vector<Window> windows;   // closed windows
  const Matcher::Impl* impl = nullptr;
  std::vector<Match> pending;
  // Scan deadline (time_point::max() = none) and whether a scan hit it.
  std::chrono::steady_clock::time_point deadline =
      std::chrono::steady_clock::time_point::max();
  bool expired = false;
  uint32_t hits_since_check = 0;

  bool Expired() {
    if (deadline == std::chrono::steady_clock::time_point::max()) return false;
    if (!expired && std::chrono::steady_clock::now() >= deadline) {
      expired = true;
    }
    return expired;
  }
};

namespace {

int OnHit(unsigned int id, unsigned long long /*from*/, unsigned long long to,
          unsigned int /*flags*/, void* ctx) {
  auto* s = static_cast<Matcher::Scratch*>(ctx);
  // Hyperscan stops when the callback returns non-zero: look at the clock
  // every few thousand hits, so a deadline can end a pathological scan.
  if (++s->hits_since_check >= 4096) {
    s->hits_since_check = 0;
    if (s->Expired()) return 1;
  }
  if (s->record != nullptr) s->record->push_back({id, to});
  const uint32_t rule = s->impl->hs_ids[id];
  const uint64_t w = s->impl->windows[rule];
  const uint64_t begin = to > w ? to - w : 0;
  const uint64_t end = to + s->impl->ahead[rule];
  auto& open = s->open[rule];
  // Hits of one rule arrive in order of their end: a window that starts
  // before the open one ends extends it.
  if (open.active && begin <= open.end) {
    open.begin = std::min(open.begin, begin);
    open.end = std::max<uint64_t>(open.end, end);
    return 0;
  }
  if (open.active) s->windows.push_back({rule, open.begin, open.end});
  open.active = true;
  open.begin = begin;
  open.end = end;
  return 0;
}

// ScanDelta's window scans: keeps the hits of bounded expressions whose end
// lies in the kept range, in the data's offsets.
int OnWindowHit(unsigned int id, unsigned long long /*from*/,
                unsigned long long to, unsigned int /*flags*/, void* ctx) {
  auto* s = static_cast<Matcher::Scratch*>(ctx);
  if (to >= s->keep_from && to <= s->keep_to &&
      !s->impl->unbounded_id[id]) {
    s->collected.push_back({id, to + s->shift});
  }
  return 0;
}

// ScanDelta's scan of the unbounded expressions over all the data.
int OnWholeHit(unsigned int id, unsigned long long /*from*/,
               unsigned long long to, unsigned int /*flags*/, void* ctx) {
  static_cast<Matcher::Scratch*>(ctx)->collected.push_back({id, to});
  return 0;
}

// Raw hits by end offset, then id, each once (overlapping blocks and
// overlapping delta ranges report some twice).
void SortHits(std::vector<HsHit>* hits) {
  std::sort(hits->begin(), hits->end(), [](const HsHit& a, const HsHit& b) {
    return a.to != b.to ? a.to < b.to : a.id < b.id;
  });
  hits->erase(std::unique(hits->begin(), hits->end()), hits->end());
}

// Serialized form: magic, rule count, per rule (engine, window before and
// after a hit), database.
constexpr char kCacheMagic[] = "SPRAWL-HSDB-2\n";

std::string CacheKey(const std::vector<Rule>& rules) {
  Sha256 h;
  h.Update(hs_version());
  // Bump when what Hyperscan compiles for a rule changes (HsExpression).
  h.Update("expressions-v3");
  h.Update(std::string_view("\0", 1));
  for (const Rule& r : rules) {
    h.Update(r.pattern);
    h.Update(std::string_view("\0", 1));
    h.Update(r.anchor);
    h.Update(std::to_string(r.reach));
    h.Update(std::string_view("\0", 1));
  }
  return h.HexDigest();
}

}  // namespace

Matcher::Matcher(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Matcher::~Matcher() = default;

const std::vector<Rule>& Matcher::rules() const { return impl_->rules; }
RuleEngine Matcher::engine(std::size_t rule) const {
  return impl_->engines[rule];
}
std::size_t Matcher::overlap() const { return impl_->overlap; }
bool Matcher::loaded_from_cache() const { return impl_->from_cache; }

namespace {

bool TryLoadCache(const std::string& path, Matcher::Impl* impl,
                  Diagnostics* diagnostics) {
  std::string why;
  std::optional<std::string> sealed = ReadSealedFile(path, 1u << 30, &why);
  if (!sealed) {
    if (!why.empty() && diagnostics != nullptr) {
      diagnostics->Warn(path, "compiled rules cache ignored (" + why +
                                  "); rules compiled again");
    }
    return false;
  }
  const std::string& bytes = *sealed;
  const std::size_t n = impl->rules.size();
  const std::size_t magic = sizeof(kCacheMagic) - 1;
  const std::size_t header = magic + 4 + n * 17;
  if (bytes.size() <= header || bytes.compare(0, magic, kCacheMagic) != 0) {
    return false;
  }
  uint32_t count = 0;
  std::memcpy(&count, bytes.data() + magic, 4);
  if (count != n) return false;
  const char* p = bytes.data() + magic + 4;
  std::vector<RuleEngine> engines(n);
  std::vector<uint64_t> windows(n);
  std::vector<uint64_t> ahead(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (static_cast<unsigned char>(p[0]) > 2) return false;
    engines[i] = static_cast<RuleEngine>(p[0]);
    std::memcpy(&windows[i], p + 1, 8);
    std::memcpy(&ahead[i], p + 9, 8);
    // The window bounds segment overlaps: refuse an absurd one.
    if (windows[i] > (1u << 24) || ahead[i] > (1u << 24)) return false;
    p += 17;
  }
  hs_database_t* db = nullptr;
  if (hs_deserialize_database(p, bytes.size() - header, &db) != HS_SUCCESS) {
    return false;
  }
  impl->db.reset(db);
  impl->engines = std::move(engines);
  impl->windows = std::move(windows);
  impl->ahead = std::move(ahead);
  return true;
}

void WriteCache(const std::string& dir, const std::string& path,
                const Matcher::Impl& impl) {
  char* bytes = nullptr;
  size_t length = 0;
  if (hs_serialize_database(impl.db.get(), &bytes, &length) != HS_SUCCESS) {
    return;
  }
  std::string out(kCacheMagic, sizeof(kCacheMagic) - 1);
  uint32_t count = static_cast<uint32_t>(impl.rules.size());
  out.append(reinterpret_cast<const char*>(&count), 4);
  for (std::size_t i = 0; i < impl.rules.size(); ++i) {
    out.push_back(static_cast<char>(impl.engines[i]));
    out.append(reinterpret_cast<const char*>(&impl.windows[i]), 8);
    out.append(reinterpret_cast<const char*>(&impl.ahead[i]), 8);
  }
  out.append(bytes, length);
  std::free(bytes);
  // Private, sealed, write-then-rename: concurrent runs never read a torn
  // file, and a tampered one is refused.
  std::string why;
  WriteSealedFile(dir, path, out, &why);
}

// What hs_compile_multi takes for a set of rules: each rule that Hyperscan
// matches gets the next expression id, in rule order (the ids hs_ids maps
// back); `keep(id)` picks which of them go into this database.
struct HsInput {
  std::vector<std::string> texts;
  std::vector<unsigned> flags;
  std::vector<unsigned> ids;
  std::vector<uint32_t> rule_of;  // parallel to texts
};

template <typename Keep>
HsInput HsInputOf(const Matcher::Impl& impl, Keep keep) {
  HsInput in;
  unsigned id = 0;
  for (uint32_t i = 0; i < impl.rules.size(); ++i) {
    if (impl.engines[i] == RuleEngine::kRe2Only) continue;
    if (keep(id)) {
      in.texts.push_back(impl.engines[i] == RuleEngine::kPrefilter
                             ? impl.rules[i].pattern
                             : HsExpression(impl.rules[i]));
      in.flags.push_back(HsFlags(impl.engines[i]));
      in.ids.push_back(id);
      in.rule_of.push_back(i);
    }
    ++id;
  }
  return in;
}

// hs_compile_multi over `in`. Hyperscan's compiler writes through a failed
// aligned allocation (SIGSEGV) when the address space runs out: the process
// ends cleanly instead (issue 20 item 11), with exit 2 if nothing was
// scanned yet and 3 if a scan was under way.
hs_error_t CompileGuarded(const HsInput& in, int exit_code,
                          hs_database_t** db, hs_compile_error_t** err) {
  std::vector<const char*> exprs;
  exprs.reserve(in.texts.size());
  for (const auto& t : in.texts) exprs.push_back(t.c_str());
  AllocationCrashGuard guard(
      exit_code == 2
          ? "sprawl: error: out of memory while compiling the rules with "
            "Hyperscan; nothing was scanned (raise the memory limit)"
          : "sprawl: error: out of memory while compiling the rules with "
            "Hyperscan; the scan is incomplete and no report was written "
            "(raise the memory limit)",
      exit_code);
  return hs_compile_multi(exprs.data(), in.flags.data(), in.ids.data(),
                          static_cast<unsigned>(exprs.size()), HS_MODE_BLOCK,
                          nullptr, db, err);
}

// Compiles the Hyperscan database, demoting rules it rejects.
Status CompileHyperscan(Matcher::Impl* impl, Diagnostics* diagnostics) {
  for (;;) {
    const HsInput in = HsInputOf(*impl, [](unsigned) { return true; });
    const std::vector<uint32_t>& rule_of = in.rule_of;
    if (in.texts.empty()) return Status::Ok();
    hs_database_t* db = nullptr;
    hs_compile_error_t* raw_err = nullptr;
    const hs_error_t rc = CompileGuarded(in, 2, &db, &raw_err);
    HsCompileError err(raw_err);
    if (rc == HS_SUCCESS) {
      impl->db.reset(db);
      return Status::Ok();
    }
    if (err == nullptr || err->expression < 0 ||
        static_cast<std::size_t>(err->expression) >= rule_of.size()) {
      return Error{std::string("Hyperscan could not compile the rule set: ") +
                   (err ? err->message : "unknown error")};
    }
    const uint32_t bad = rule_of[static_cast<std::size_t>(err->expression)];
    const Rule& rule = impl->rules[bad];
    // An anchor is already the cheap form: no prefilter step for it.
    RuleEngine next = impl->engines[bad] == RuleEngine::kHyperscan &&
                              rule.anchor.empty()
                          ? RuleEngine::kPrefilter
                          : RuleEngine::kRe2Only;
    if (diagnostics != nullptr) {
      diagnostics->Warn(rule.origin + ":" + std::to_string(rule.line),
                        "rule " + rule.id + ": Hyperscan: " + err->message +
                            "; falling back to " + RuleEngineName(next));
    }
    impl->engines[bad] = next;
  }
}

}  // namespace

Result<std::unique_ptr<Matcher>> Matcher::Build(std::vector<Rule> rules,
                                                const MatcherOptions& options,
                                                Diagnostics* diagnostics) {
  auto impl = std::make_unique<Impl>();
  impl->rules = std::move(rules);
  const std::size_t n = impl->rules.size();
  impl->engines.assign(n, RuleEngine::kHyperscan);
  impl->windows.assign(n, options.unbounded_window);
  impl->ahead.assign(n, 0);
  for (uint32_t i = 0; i < n; ++i) {
    const Rule& r = impl->rules[i];
    if (!r.anchor.empty()) {
      impl->ahead[i] = r.reach;
    } else if (HsExpression(r) != r.pattern) {
      impl->ahead[i] = kBoundaryReach;
    }
  }
  impl->re2.resize(n);
  impl->re2_once = std::make_unique<std::once_flag[]>(n);

  std::string cache_path;
  if (!options.cache_dir.empty()) {
    cache_path = options.cache_dir + "/rules-" + CacheKey(impl->rules) + ".hsdb";
    impl->whole_cache_path = options.cache_dir + "/rules-" +
                             CacheKey(impl->rules) + "-delta" +
                             std::to_string(kDeltaWidthCap) + ".hsdb";
    impl->from_cache =
        n > 0 && TryLoadCache(cache_path, impl.get(), diagnostics);
  }
  if (!impl->from_cache || options.eager_re2) {
    // Validate every pattern in RE2: a rule RE2 rejects is a broken pack.
    for (uint32_t i = 0; i < n; ++i) {
      const Rule& rule = impl->rules[i];
      const RE2& re = impl->Re2(i);
      const std::string where =
          rule.origin + ":" + std::to_string(rule.line) + ": rule " + rule.id;
      if (!re.ok()) {
        return Error{where + ": field 'pattern': RE2: " + re.error()};
      }
      if (re.NumberOfCapturingGroups() < 1) {
        return Error{where +
                     ": field 'pattern': needs a capture group for the secret"};
      }
    }
  }
  if (!impl->from_cache) {
    Status st = CompileHyperscan(impl.get(), diagnostics);
    if (!st.ok()) return st.error();
    for (uint32_t i = 0; i < n; ++i) {
      if (impl->engines[i] == RuleEngine::kRe2Only) continue;
      hs_expr_info_t* info = nullptr;
      hs_compile_error_t* raw_err = nullptr;
      const std::string expr = impl->engines[i] == RuleEngine::kPrefilter
                                   ? impl->rules[i].pattern
                                   : HsExpression(impl->rules[i]);
      if (hs_expression_info(expr.c_str(),
                             HsFlags(impl->engines[i]), &info,
                             &raw_err) == HS_SUCCESS) {
        if (info->max_width != UINT_MAX) {
          // A cut leading boundary sits up to kBoundaryReach bytes before
          // what Hyperscan matched.
          impl->windows[i] = std::max<uint64_t>(info->max_width, 1) +
                             (expr != impl->rules[i].pattern &&
                                      impl->rules[i].anchor.empty()
                                  ? kBoundaryReach
                                  : 0);
        }
        std::free(info);
      } else {
        HsCompileError drop(raw_err);
      }
    }
    if (!cache_path.empty() && impl->db != nullptr) {
      WriteCache(options.cache_dir, cache_path, *impl);
    }
  }
  for (uint32_t i = 0; i < n; ++i) {
    if (impl->engines[i] == RuleEngine::kRe2Only) {
      impl->re2_only.push_back(i);
    } else {
      impl->hs_ids.push_back(i);
    }
    impl->overlap = std::max<std::size_t>(
        impl->overlap, impl->windows[i] + impl->ahead[i]);
  }
  impl->overlap += kKeywordLookbehind;
  // Delta scans: a window of options.unbounded_window means Hyperscan gave
  // the expression no bounded width; such expressions go to whole_db.
  impl->unbounded_id.assign(impl->hs_ids.size(), false);
  for (std::size_t id = 0; id < impl->hs_ids.size(); ++id) {
    const uint32_t r = impl->hs_ids[id];
    // A prefilter expression is Hyperscan's approximation of the pattern:
    // its width is not the pattern's, so it is treated as unbounded.
    if (impl->windows[r] >= options.unbounded_window ||
        impl->windows[r] > kDeltaWidthCap ||
        impl->engines[r] == RuleEngine::kPrefilter) {
      impl->unbounded_id[id] = true;
      impl->any_unbounded = true;
    } else {
      // The match (at most windows[r] bytes), the byte before it (a leading
      // \b or ^) and slack for the byte after, which the hit's end sees.
      impl->delta_reach = std::max<uint64_t>(impl->delta_reach,
                                             impl->windows[r] + 2);
    }
  }
  if (impl->db != nullptr) {
    hs_scratch_t* scratch = nullptr;
    const hs_error_t rc = hs_alloc_scratch(impl->db.get(), &scratch);
    if (rc == HS_NOMEM) {
      return Error{"out of memory while allocating Hyperscan scratch space"};
    }
    if (rc != HS_SUCCESS) {
      return Error{"Hyperscan: cannot allocate scratch space"};
    }
    impl->prototype.reset(scratch);
  }
  return std::unique_ptr<Matcher>(new Matcher(std::move(impl)));
}

void Matcher::ScratchDeleter::operator()(Scratch* s) const { delete s; }

void Matcher::SetDeadline(Scratch* s,
                          std::chrono::steady_clock::time_point deadline) {
  s->deadline = deadline;
  s->expired = false;
  s->hits_since_check = 0;
}

bool Matcher::DeadlinePassed(Scratch* s) { return s->Expired(); }

Matcher::ScratchPtr Matcher::NewScratch() const {
  ScratchPtr s(new Scratch());
  s->impl = impl_.get();
  s->open.resize(impl_->rules.size());
  if (impl_->prototype != nullptr) {
    hs_scratch_t* clone = nullptr;
    const hs_error_t rc = hs_clone_scratch(impl_->prototype.get(), &clone);
    // Out of memory on a worker: ThreadErrors carries it to main, which
    // ends the run cleanly (issue 20 item 11).
    if (rc == HS_NOMEM) throw std::bad_alloc();
    SPRAWL_CHECK(rc == HS_SUCCESS);
    s->hs.reset(clone);
  }
  return s;
}

void Matcher::Scan(std::string_view data, Scratch* s, std::vector<Match>* out,
                   std::vector<HsHit>* record) const {
  const Impl& impl = *impl_;
  s->windows.clear();
  s->pending.clear();
  if (record != nullptr) record->clear();
  s->record = record;
  if (impl.db != nullptr && !data.empty()) {
    // Hyperscan takes a 32-bit length; callers segment larger inputs, but
    // stay correct regardless by scanning in overlapping blocks.
    constexpr std::size_t kMaxBlock = 1u << 30;
    std::size_t pos = 0;
    std::size_t first_record = 0;
    while (pos < data.size()) {
      const std::size_t len = std::min(kMaxBlock, data.size() - pos);
      // Offsets reported by Hyperscan are block-relative; shift them.
      const std::size_t first = s->windows.size();
      hs_scan(impl.db.get(), data.data() + pos, static_cast<unsigned>(len), 0,
              s->hs.get(), OnHit, s);
      for (uint32_t r = 0; r < s->open.size(); ++r) {
        auto& o = s->open[r];
        if (o.active) {
          s->windows.push_back({r, o.begin, o.end});
          o.active = false;
        }
      }
      for (std::size_t i = first; i < s->windows.size(); ++i) {
        s->windows[i].begin += pos;
        s->windows[i].end += pos;
      }
      if (record != nullptr) {
        for (std::size_t i = first_record; i < record->size(); ++i) {
          (*record)[i].to += pos;
        }
        first_record = record->size();
      }
      if (pos + len >= data.size()) break;
      pos += len - std::min(len, overlap());
    }
  }
  s->record = nullptr;
  if (record != nullptr) SortHits(record);
  Confirm(data, s, out);
}

uint64_t Matcher::delta_reach() const {
  return impl_->db != nullptr ? impl_->delta_reach : 0;
}


void Matcher::ScanDelta(std::string_view data,
                        const std::vector<HsHit>& base_hits,
                        const std::vector<CopiedRun>& copies, Scratch* s,
                        std::vector<Match>* out,
                        std::vector<HsHit>* record) const {
  const Impl& impl = *impl_;
  const uint64_t D = impl.delta_reach;
  constexpr std::size_t kMaxBlock = 1u << 30;
  if (impl.db == nullptr || D == 0 || data.size() >= kMaxBlock ||
      !WholeReady(s)) {
    Scan(data, s, out, record);
    return;
  }
  const uint64_t n = data.size();
  s->windows.clear();
  s->pending.clear();
  s->collected.clear();
  // Copied runs, neighbours that continue each other in the base joined.
  std::vector<CopiedRun> runs;
  runs.reserve(copies.size());
  for (const CopiedRun& c : copies) {
    if (c.size == 0 || c.to + c.size > n) continue;
    if (!runs.empty() && runs.back().to + runs.back().size == c.to &&
        runs.back().from + runs.back().size == c.from) {
      runs.back().size += c.size;
    } else {
      runs.push_back(c);
    }
  }
  // 1. The base's hits carried through the runs that hold all their bytes.
  for (const CopiedRun& r : runs) {
    if (r.size < D + 1) continue;
    // Base hits with end `to` in [r.from + D, r.from + r.size - 1].
    auto it = std::lower_bound(
        base_hits.begin(), base_hits.end(), r.from + D,
        [](const HsHit& h, uint64_t v) { return h.to < v; });
    for (; it != base_hits.end() && it->to + 1 <= r.from + r.size; ++it) {
      if (impl.unbounded_id[it->id]) continue;
      s->collected.push_back({it->id, it->to - r.from + r.to});
    }
  }
  // 2. Hyperscan over the bytes around everything that is not inside a run:
  // the inserted bytes, the seams between runs, both ends of the data. A
  // hit not carried ends in one of these ranges [lo, hi].
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  auto add = [&](uint64_t a, uint64_t b) {  // bytes [a, b) not copied
    const uint64_t lo = a > 0 ? a - 1 : 0;
    const uint64_t hi = std::min(n, b + D);
    if (!ranges.empty() && lo <= ranges.back().second + 1) {
      ranges.back().second = std::max(ranges.back().second, hi);
    } else {
      ranges.emplace_back(lo, hi);
    }
  };
  uint64_t at = 0;
  add(0, 0);
  for (const CopiedRun& r : runs) {
    add(at, r.to);  // inserted bytes before the run, or the seam
    at = r.to + r.size;
  }
  add(at, n);
  for (const auto& [lo, hi] : ranges) {
    const uint64_t begin = lo > D + 1 ? lo - D - 1 : 0;
    const uint64_t end = std::min(n, hi + 2);
    s->keep_from = lo - begin;
    s->keep_to = hi - begin;
    s->shift = begin;
    hs_scan(impl.db.get(), data.data() + begin,
            static_cast<unsigned>(end - begin), 0, s->hs.get(), OnWindowHit,
            s);
  }
  // 3. The unbounded expressions, over everything.
  if (impl.whole_db != nullptr && n > 0) {
    hs_scan(impl.whole_db.get(), data.data(), static_cast<unsigned>(n), 0,
            s->whole.get(), OnWholeHit, s);
  }
  SortHits(&s->collected);
  // Windows exactly as a full scan's OnHit would have built them.
  for (const HsHit& h : s->collected) {
    if (OnHit(h.id, 0, h.to, 0, s) != 0) break;
  }
  for (uint32_t r = 0; r < s->open.size(); ++r) {
    auto& o = s->open[r];
    if (o.active) {
      s->windows.push_back({r, o.begin, o.end});
      o.active = false;
    }
  }
  if (record != nullptr) record->swap(s->collected);
  Confirm(data, s, out);
}

// Compiles the database of unbounded expressions once, and gives `s` a
// scratch for it. False (a full scan then) when either fails.
bool Matcher::WholeReady(Scratch* s) const {
  const Impl& impl = *impl_;
  if (!impl.any_unbounded) return true;
  std::call_once(impl.whole_once, [&] {
    // Cached beside the main database: compiling it costs about a second.
    if (!impl.whole_cache_path.empty()) {
      std::string why;
      std::optional<std::string> sealed =
          ReadSealedFile(impl.whole_cache_path, 1u << 30, &why);
      hs_database_t* db = nullptr;
      if (sealed && hs_deserialize_database(sealed->data(), sealed->size(),
                                            &db) == HS_SUCCESS) {
        impl.whole_db.reset(db);
        return;
      }
    }
    const HsInput in = HsInputOf(
        impl, [&](unsigned id) { return impl.unbounded_id[id]; });
    hs_database_t* db = nullptr;
    hs_compile_error_t* raw_err = nullptr;
    // First compiled in the middle of a history scan: exit 3.
    const hs_error_t rc = CompileGuarded(in, 3, &db, &raw_err);
    HsCompileError err(raw_err);
    if (rc != HS_SUCCESS) {
      impl.whole_failed = true;
      return;
    }
    impl.whole_db.reset(db);
    char* bytes = nullptr;
    size_t length = 0;
    if (!impl.whole_cache_path.empty() &&
        hs_serialize_database(db, &bytes, &length) == HS_SUCCESS) {
      std::string why;
      const std::string dir =
          std::filesystem::path(impl.whole_cache_path).parent_path().string();
      WriteSealedFile(dir, impl.whole_cache_path, std::string(bytes, length),
                      &why);
      std::free(bytes);
    }
  });
  if (impl.whole_failed) return false;
  if (s->whole == nullptr) {
    hs_scratch_t* scratch = nullptr;
    if (hs_alloc_scratch(impl.whole_db.get(), &scratch) != HS_SUCCESS) {
      return false;
    }
    s->whole.reset(scratch);
  }
  return true;
}

void Matcher::Confirm(std::string_view data, Scratch* s,
                      std::vector<Match>* out) const {
  const Impl& impl = *impl_;
  for (uint32_t r : impl.re2_only) {
    s->windows.push_back({r, 0, data.size()});
  }
  std::sort(s->windows.begin(), s->windows.end(),
            [](const Scratch::Window& a, const Scratch::Window& b) {
              return a.rule != b.rule ? a.rule < b.rule : a.begin < b.begin;
            });
  const re2::StringPiece text(data.data(), data.size());
  uint64_t covered_rule = UINT32_MAX;
  uint64_t covered_end = 0;
  for (const auto& w : s->windows) {
    if (s->Expired()) break;
    const Rule& rule = impl.rules[w.rule];
    const RE2& re = impl.Re2(w.rule);
    if (!re.ok()) continue;
    std::size_t pos = w.begin;
    if (covered_rule == w.rule && pos < covered_end) pos = covered_end;
    const std::size_t end = std::min<std::size_t>(w.end, data.size());
    re2::StringPiece groups[2];
    while (pos < end &&
           re.Match(text, pos, end, RE2::UNANCHORED, groups, 2)) {
      const auto mb = static_cast<std::size_t>(groups[0].data() - data.data());
      const std::size_t me = mb + groups[0].size();
      pos = me > mb ? me : mb + 1;
      if (groups[1].data() == nullptr || groups[1].empty()) continue;
      Match m;
      m.rule = w.rule;
      m.match_begin = mb;
      m.match_end = me;
      m.secret_begin = static_cast<uint64_t>(groups[1].data() - data.data());
      m.secret_end = m.secret_begin + groups[1].size();
      if (PassesFilters(rule, data, m)) s->pending.push_back(m);
    }
    covered_rule = w.rule;
    covered_end = std::max<uint64_t>(pos, end);
  }
  std::sort(s->pending.begin(), s->pending.end(),
            [](const Match& a, const Match& b) {
              if (a.secret_begin != b.secret_begin) {
                return a.secret_begin < b.secret_begin;
              }
              if (a.rule != b.rule) return a.rule < b.rule;
              return a.secret_end < b.secret_end;
            });
  s->pending.erase(std::unique(s->pending.begin(), s->pending.end(),
                               [](const Match& a, const Match& b) {
                                 return a.rule == b.rule &&
                                        a.secret_begin == b.secret_begin &&
                                        a.secret_end == b.secret_end;
                               }),
                   s->pending.end());
  out->insert(out->end(), s->pending.begin(), s->pending.end());
}

}  // namespace sprawl
