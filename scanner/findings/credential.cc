#include "scanner/findings/credential.h"

#include <algorithm>
#include <map>

#include "scanner/base/hash.h"

namespace sprawl {

std::string Fingerprinter::operator()(std::string_view secret) const {
  if (key_) return "hmac-sha256:" + HmacSha256Hex(*key_, secret);
  return "sha256:" + Sha256Hex(secret);
}

int RuleSpecificity(const Rule& rule) {
  return static_cast<int>(rule.confidence) * 10000 +
         static_cast<int>(std::min<std::size_t>(rule.prefix.size(), 99)) * 10 +
         (rule.keywords.empty() ? 0 : 1);
}

std::vector<Credential> GroupCredentials(std::vector<Finding> findings,
                                         const std::vector<Rule>& rules,
                                         const Fingerprinter& fingerprint) {
  std::map<std::string, Credential> by_secret;
  for (Finding& f : findings) {
    auto [it, inserted] = by_secret.try_emplace(f.secret);
    Credential& c = it->second;
    if (inserted) {
      c.secret = f.secret;
      c.rule = f.rule;
    }
    c.rules.push_back(f.rule);
    c.locations.push_back(std::move(f.location));
  }
  std::vector<Credential> out;
  out.reserve(by_secret.size());
  for (auto& [secret, c] : by_secret) {
    std::sort(c.rules.begin(), c.rules.end());
    c.rules.erase(std::unique(c.rules.begin(), c.rules.end()), c.rules.end());
    // Most specific rule names the credential; ties go to the lower id.
    c.rule = *std::max_element(
        c.rules.begin(), c.rules.end(), [&](uint32_t a, uint32_t b) {
          const int sa = RuleSpecificity(rules[a]);
          const int sb = RuleSpecificity(rules[b]);
          if (sa != sb) return sa < sb;
          return rules[a].id > rules[b].id;
        });
    std::sort(c.locations.begin(), c.locations.end(), LocationLess);
    c.locations.erase(std::unique(c.locations.begin(), c.locations.end(),
                                  LocationEqual),
                      c.locations.end());
    c.fingerprint = fingerprint(c.secret);
    out.push_back(std::move(c));
  }
  std::sort(out.begin(), out.end(),
            [](const Credential& a, const Credential& b) {
              return a.fingerprint < b.fingerprint;
            });
  return out;
}

}  // namespace sprawl
