#include "scanner/findings/pairing.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <tuple>

#include "scanner/base/redact.h"

namespace sprawl {
namespace {

// The file or blob a location lies in.
using Place = std::tuple<std::string, std::string, std::string, std::string>;

Place PlaceOf(const Location& l) {
  return {l.source, l.repo, l.path, l.git ? l.git->blob : std::string()};
}

struct Occurrence {
  std::size_t credential;  // index of the identifier credential
  std::size_t location;
  uint32_t rule;           // the identifier rule
  uint64_t line;
};

}  // namespace

void PairCredentials(const std::vector<Rule>& rules,
                     std::vector<Credential>* credentials) {
  // Target rule index -> identifier rules naming it.
  std::map<std::string, uint32_t> by_id;
  for (uint32_t i = 0; i < rules.size(); ++i) by_id[rules[i].id] = i;
  std::map<uint32_t, std::vector<uint32_t>> identifiers_of;
  bool any = false;
  for (uint32_t i = 0; i < rules.size(); ++i) {
    for (const auto& target : rules[i].identifies) {
      auto it = by_id.find(target);
      if (it == by_id.end()) continue;
      identifiers_of[it->second].push_back(i);
      any = true;
    }
  }
  if (!any) return;
  std::vector<Credential>& creds = *credentials;
  // Every occurrence of an identifier, by place.
  std::map<Place, std::vector<Occurrence>> occurrences;
  for (std::size_t c = 0; c < creds.size(); ++c) {
    for (uint32_t r : creds[c].rules) {
      if (rules[r].identifies.empty()) continue;
      for (std::size_t l = 0; l < creds[c].locations.size(); ++l) {
        const Location& loc = creds[c].locations[l];
        occurrences[PlaceOf(loc)].push_back({c, l, r, loc.line});
      }
    }
  }
  std::set<std::pair<std::size_t, std::size_t>> paired;  // (cred, location)
  for (Credential& s : creds) {
    std::set<uint32_t> wanted;
    for (uint32_t r : s.rules) {
      auto it = identifiers_of.find(r);
      if (it != identifiers_of.end()) {
        wanted.insert(it->second.begin(), it->second.end());
      }
    }
    if (wanted.empty()) continue;
    // The nearest identifier over every location of the secret; ties go to
    // the smaller value, so the result does not depend on the order found.
    const Occurrence* best = nullptr;
    uint64_t best_distance = 0;
    for (const Location& loc : s.locations) {
      auto it = occurrences.find(PlaceOf(loc));
      if (it == occurrences.end()) continue;
      for (const Occurrence& o : it->second) {
        if (!wanted.count(o.rule) || &creds[o.credential] == &s) continue;
        const uint64_t d = loc.line > o.line ? loc.line - o.line : o.line - loc.line;
        if (d > static_cast<uint64_t>(std::max(rules[o.rule].within_lines, 0))) {
          continue;
        }
        paired.insert({o.credential, o.location});
        if (best == nullptr || d < best_distance ||
            (d == best_distance &&
             creds[o.credential].secret < creds[best->credential].secret)) {
          best = &o;
          best_distance = d;
        }
      }
    }
    if (best == nullptr) continue;
    const Credential& id = creds[best->credential];
    const Rule& rule = rules[best->rule];
    s.identifier = rule.identifier_only ? id.secret
                                        : RedactSecret(id.secret, rule.prefix);
  }
  std::vector<Credential> kept;
  kept.reserve(creds.size());
  for (std::size_t c = 0; c < creds.size(); ++c) {
    const Credential& cred = creds[c];
    bool only = !cred.rules.empty();
    bool identifier = false;
    for (uint32_t r : cred.rules) {
      only = only && rules[r].identifier_only;
      identifier = identifier || !rules[r].identifies.empty();
    }
    if (only) continue;
    if (identifier) {
      bool all = true;
      for (std::size_t l = 0; l < cred.locations.size(); ++l) {
        all = all && paired.count({c, l}) > 0;
      }
      if (all && !cred.locations.empty()) continue;
    }
    kept.push_back(std::move(creds[c]));
  }
  creds = std::move(kept);
}

}  // namespace sprawl
