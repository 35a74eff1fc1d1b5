#include "scanner/ruleset/rule_cache.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "scanner/base/hash.h"
#include "scanner/base/private_file.h"

namespace sprawl {

std::string RulesCacheKey(const std::vector<PackText>& packs) {
  Sha256 h;
  // v2: rules carry `checksum` and `checksum_mismatch`; v3: `reject`,
  // identifier pairing and rules expanded from compact detectors; v4: the
  // detectors' Hyperscan `anchor` and `reach`.
  h.Update("sprawl-rules-v4");
  h.Update(SPRAWL_VERSION);
  for (const auto& p : packs) {
    h.Update(std::string_view("\0", 1));
    h.Update(p.origin);
    h.Update(std::string_view("\0", 1));
    h.Update(p.text);
  }
  return h.HexDigest();
}

std::optional<std::vector<Rule>> LoadCachedRules(const std::string& dir,
                                                 const std::string& key,
                                                 std::string* why) {
  std::string ignored;
  if (why == nullptr) why = &ignored;
  auto text = ReadSealedFile(dir + "/rules-" + key + ".json", 256u << 20, why);
  if (!text) return std::nullopt;
  try {
    nlohmann::json j = nlohmann::json::parse(*text);
    std::vector<Rule> rules;
    for (const auto& r : j.at("rules")) {
      Rule rule;
      rule.id = r.at("id");
      rule.name = r.at("name");
      rule.provider = r.at("provider");
      rule.category = r.at("category");
      rule.pattern = r.at("pattern");
      rule.anchor = r.at("anchor");
      rule.reach = r.at("reach").get<uint32_t>();
      if (rule.reach > (1u << 20)) {
        *why = "reach out of range";
        return std::nullopt;
      }
      rule.prefix = r.at("prefix");
      rule.confidence = static_cast<Confidence>(r.at("confidence").get<int>());
      rule.keywords = r.at("keywords").get<std::vector<std::string>>();
      rule.min_entropy = r.at("min_entropy");
      const int checksum = r.at("checksum").get<int>();
      if (checksum < 0 ||
          checksum > static_cast<int>(Checksum::kPypiMacaroon)) {
        *why = "unknown checksum kind";
        return std::nullopt;
      }
      rule.checksum = static_cast<Checksum>(checksum);
      rule.checksum_mismatch = r.at("checksum_mismatch").get<bool>();
      rule.reject = r.at("reject").get<uint32_t>();
      rule.identifies = r.at("identifies").get<std::vector<std::string>>();
      rule.within_lines = r.at("within_lines").get<int>();
      rule.identifier_only = r.at("identifier_only").get<bool>();
      rule.references = r.at("references").get<std::vector<std::string>>();
      rule.origin = r.at("origin");
      rule.line = r.at("line");
      rules.push_back(std::move(rule));
    }
    // Packs always hold rules: an empty entry would blind every scan.
    if (rules.empty()) {
      *why = "holds no rules";
      return std::nullopt;
    }
    return rules;
  } catch (const std::exception&) {
    *why = "not a rules cache";
    return std::nullopt;
  }
}

bool HasCachedRules(const std::string& dir, const std::string& key) {
  return ::access((dir + "/rules-" + key + ".json").c_str(), R_OK) == 0;
}

void StoreCachedRules(const std::string& dir, const std::string& key,
                      const std::vector<Rule>& rules) {
  nlohmann::json arr = nlohmann::json::array();
  for (const Rule& r : rules) {
    arr.push_back({{"id", r.id},
                   {"name", r.name},
                   {"provider", r.provider},
                   {"category", r.category},
                   {"pattern", r.pattern},
                   {"anchor", r.anchor},
                   {"reach", r.reach},
                   {"prefix", r.prefix},
                   {"confidence", static_cast<int>(r.confidence)},
                   {"keywords", r.keywords},
                   {"min_entropy", r.min_entropy},
                   {"checksum", static_cast<int>(r.checksum)},
                   {"checksum_mismatch", r.checksum_mismatch},
                   {"reject", r.reject},
                   {"identifies", r.identifies},
                   {"within_lines", r.within_lines},
                   {"identifier_only", r.identifier_only},
                   {"references", r.references},
                   {"origin", r.origin},
                   {"line", r.line}});
  }
  std::string why;  // a cache that cannot be written is only slower
  WriteSealedFile(dir, dir + "/rules-" + key + ".json",
                  nlohmann::json{{"rules", arr}}.dump(), &why);
}

}  // namespace sprawl
