#include "scanner/match/rule_checker.h"

#include <re2/re2.h>

#include "scanner/base/redact.h"
#include "scanner/match/checksum.h"

namespace sprawl {
namespace {

// The likeliest reason the matcher dropped a positive example.
std::string WhyDropped(const Rule& rule, const RuleExample& ex) {
  if (rule.checksum != Checksum::kNone &&
      ChecksumVerifies(rule.checksum, ex.secret) == rule.checksum_mismatch) {
    return std::string("its ") + ChecksumName(rule.checksum) + " checksum " +
           (rule.checksum_mismatch ? "verifies" : "does not verify");
  }
  return "dropped by a filter such as min_entropy, keywords or the "
         "placeholder check, or not matched";
}

}  // namespace

std::vector<RuleProblem> CheckRules(const Matcher& matcher) {
  std::vector<RuleProblem> problems;
  auto scratch = matcher.NewScratch();
  const auto& rules = matcher.rules();
  RE2::Options opts;
  opts.set_encoding(RE2::Options::EncodingLatin1);
  opts.set_log_errors(false);
  std::vector<Match> matches;
  for (uint32_t i = 0; i < rules.size(); ++i) {
    const Rule& rule = rules[i];
    const std::string where = rule.origin + ":" + std::to_string(rule.line);
    auto add = [&](const std::string& what) {
      problems.push_back({rule.id, where, what});
    };
    RE2 re(rule.pattern, opts);
    if (!re.ok()) {
      add("pattern does not compile in RE2: " + re.error());
      continue;
    }
    for (std::size_t e = 0; e < rule.examples.size(); ++e) {
      const RuleExample& ex = rule.examples[e];
      const std::string label = "example " + std::to_string(e + 1) + " (" +
                                RedactSecret(ex.secret, rule.prefix) + ")";
      std::string captured;
      if (!RE2::PartialMatch(ex.text, re, &captured)) {
        add(label + ": RE2 finds no match");
      } else if (captured != ex.secret) {
        add(label + ": RE2 captures " + RedactSecret(captured, rule.prefix) +
            " instead of the expected secret");
      }
      matches.clear();
      matcher.Scan(ex.text, scratch.get(), &matches);
      bool found = false;
      for (const Match& m : matches) {
        if (m.rule != i) continue;
        const std::string got =
            ex.text.substr(m.secret_begin, m.secret_end - m.secret_begin);
        if (got == ex.secret) found = true;
      }
      if (!found) {
        add(label + ": not reported by the matcher (" +
            RuleEngineName(matcher.engine(i)) + "; " + WhyDropped(rule, ex) +
            ")");
      }
    }
    for (std::size_t e = 0; e < rule.negative_examples.size(); ++e) {
      matches.clear();
      matcher.Scan(rule.negative_examples[e], scratch.get(), &matches);
      for (const Match& m : matches) {
        if (m.rule == i) {
          add("negative example " + std::to_string(e + 1) +
              " is reported as a match");
          break;
        }
      }
    }
  }
  return problems;
}

}  // namespace sprawl
