// Delta-aware scanning (issue 19): Matcher::ScanDelta on a delta of a base
// gives exactly what Matcher::Scan gives on the same bytes, matches and raw
// Hyperscan hits alike, whatever the copy/insert seams cut through. The
// texts are built from the built-in rules' own examples, so every rule's
// secrets land on every kind of boundary: inside a copied run, split
// between a run and inserted bytes, split between two runs copied from
// different places of the base, at either end of the data, and in runs too
// short to carry anything.
#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "scanner/match/matcher.h"
#include "tests/test_util.h"

namespace sprawl {
namespace {

struct Scanned {
  std::vector<Match> matches;
  std::vector<HsHit> raw;
};

Scanned Full(const Matcher& m, const std::string& text) {
  auto scratch = m.NewScratch();
  Scanned s;
  m.Scan(text, scratch.get(), &s.matches, &s.raw);
  return s;
}

Scanned Delta(const Matcher& m, const std::string& text,
              const std::vector<HsHit>& base_raw,
              const std::vector<CopiedRun>& runs) {
  auto scratch = m.NewScratch();
  Scanned s;
  m.ScanDelta(text, base_raw, runs, scratch.get(), &s.matches, &s.raw);
  return s;
}

bool SameMatches(const std::vector<Match>& a, const std::vector<Match>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].rule != b[i].rule || a[i].match_begin != b[i].match_begin ||
        a[i].match_end != b[i].match_end ||
        a[i].secret_begin != b[i].secret_begin ||
        a[i].secret_end != b[i].secret_end) {
      return false;
    }
  }
  return true;
}

// Text pieces: every example of every built-in rule, and filler.
std::vector<std::string> Pieces(const Matcher& m) {
  std::vector<std::string> pieces;
  for (const Rule& r : m.rules()) {
    for (const RuleExample& e : r.examples) pieces.push_back(e.text + "\n");
  }
  return pieces;
}

class Builder {
 public:
  explicit Builder(uint32_t seed) : rng_(seed) {}
  std::size_t Below(std::size_t n) {
    return n == 0 ? 0 : std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_);
  }
  std::string Filler() {
    static const char kWords[][12] = {"let ", "x = ", "key", "\n", "token ",
                                      "# ", "value: ", "\"", "=", " "};
    std::string f;
    const std::size_t n = 1 + Below(12);
    for (std::size_t i = 0; i < n; ++i) f += kWords[Below(10)];
    return f;
  }

 private:
  std::mt19937 rng_;
};

}  // namespace

TEST_SUITE("delta scan") {
  TEST_CASE("a delta scanned against its base finds what a full scan finds") {
    const Matcher& m = testing::BuiltinMatcher();
    REQUIRE(m.delta_reach() > 0);
    const std::vector<std::string> pieces = Pieces(m);
    REQUIRE(pieces.size() > 100);
    int carried_total = 0;
    for (uint32_t seed = 1; seed <= 60; ++seed) {
      CAPTURE(seed);
      Builder rnd(seed);
      // A base of examples and filler.
      std::string base;
      while (base.size() < 6000 + rnd.Below(6000)) {
        base += rnd.Below(3) == 0 ? rnd.Filler() : pieces[rnd.Below(pieces.size())];
      }
      const Scanned b = Full(m, base);
      // A target: runs copied from anywhere in the base (long, short, cut
      // through a secret), inserted examples (whole or cut), filler.
      std::string target;
      std::vector<CopiedRun> runs;
      const int ops = 4 + static_cast<int>(rnd.Below(16));
      for (int op = 0; op < ops; ++op) {
        switch (rnd.Below(4)) {
          case 0:
          case 1: {  // copy
            const std::size_t from = rnd.Below(base.size());
            const std::size_t size =
                1 + rnd.Below(std::min<std::size_t>(base.size() - from,
                                                    rnd.Below(2) ? 4000 : 60));
            runs.push_back({target.size(), from, size});
            target.append(base, from, size);
            break;
          }
          case 2: {  // an example, whole or from/to its middle
            std::string p = pieces[rnd.Below(pieces.size())];
            if (rnd.Below(2) == 0) p = p.substr(rnd.Below(p.size()));
            if (rnd.Below(2) == 0) p = p.substr(0, 1 + rnd.Below(p.size()));
            target += p;
            break;
          }
          default:
            target += rnd.Filler();
        }
      }
      const Scanned full = Full(m, target);
      const Scanned delta = Delta(m, target, b.raw, runs);
      CHECK(SameMatches(full.matches, delta.matches));
      CHECK(full.raw == delta.raw);
      carried_total += static_cast<int>(full.matches.size());
    }
    // The texts were made of examples: the comparison was about something.
    CHECK(carried_total > 60);
  }

  TEST_CASE("a secret across every kind of seam, and unchanged content") {
    const Matcher& m = testing::BuiltinMatcher();
    const std::string key =
        testing::SyntheticToken("sk-proj-", testing::kUrlSafe, 56, 91);
    const std::string line = "OPENAI_API_KEY=" + key + "\n";
    std::string base;
    for (int i = 0; i < 40; ++i) base += "filler line " + std::to_string(i) + "\n";
    const std::size_t at = base.size();
    base += line;
    for (int i = 0; i < 40; ++i) base += "more filler " + std::to_string(i) + "\n";
    const Scanned b = Full(m, base);
    REQUIRE_FALSE(b.matches.empty());
    const std::size_t mid = at + 15 + key.size() / 2;  // inside the key
    struct Case {
      const char* name;
      std::string text;
      std::vector<CopiedRun> runs;
    };
    std::vector<Case> cases;
    // The base itself, one run: everything carried, nothing rescanned.
    cases.push_back({"whole copy", base, {{0, 0, base.size()}}});
    // The key's first half copied, its second half inserted.
    cases.push_back({"copy then insert inside the key", base,
                     {{0, 0, mid}}});
    // The key's first half inserted, the rest copied.
    cases.push_back({"insert then copy inside the key", base,
                     {{mid, mid, base.size() - mid}}});
    // Two runs meeting inside the key, copied from different places: the
    // second half comes from a second copy of the line further on.
    {
      std::string text = base.substr(0, mid) + base.substr(mid);
      cases.push_back({"seam of two runs inside the key", text,
                       {{0, 0, mid}, {mid, mid, base.size() - mid}}});
    }
    // The key made of two runs from places that do not continue each other.
    {
      std::string doubled = base + base;
      const Scanned bb = Full(m, doubled);
      std::string text = doubled.substr(0, mid) +
                         doubled.substr(base.size() + mid);
      const Scanned full = Full(m, text);
      const Scanned delta =
          Delta(m, text, bb.raw,
                {{0, 0, mid}, {mid, base.size() + mid, base.size() - mid}});
      CHECK(SameMatches(full.matches, delta.matches));
      CHECK(full.raw == delta.raw);
    }
    // The key at the very start and the very end of the data.
    cases.push_back({"key at the start", base.substr(at),
                     {{0, at, base.size() - at}}});
    cases.push_back({"key at the end", base.substr(0, at + line.size() - 1),
                     {{0, 0, at + line.size() - 1}}});
    // The key removed: the copied runs skip it.
    {
      std::string text = base.substr(0, at) + base.substr(at + line.size());
      cases.push_back({"key deleted", text,
                       {{0, 0, at}, {at, at + line.size(), base.size() - at - line.size()}}});
    }
    for (const Case& c : cases) {
      CAPTURE(c.name);
      const Scanned full = Full(m, c.text);
      const Scanned delta = Delta(m, c.text, b.raw, c.runs);
      CHECK(SameMatches(full.matches, delta.matches));
      CHECK(full.raw == delta.raw);
    }
  }
}

}  // namespace sprawl
