// Rule: one secret format, loaded from a YAML rule pack (see rules/README.md).
// Plain data, immutable once loaded; safe to share across threads.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sprawl {

enum class Confidence { kLow = 0, kMedium = 1, kHigh = 2 };

const char* ConfidenceName(Confidence c);

// A structural check of the captured secret beyond its pattern, applied in
// the RE2 confirm step (rules/README.md, field `checksum`).
enum class Checksum {
  kNone = 0,
  kGithubCrc32 = 1,   // last 6 chars: base-62 CRC-32 of the rest after '_'
  kPypiMacaroon = 2,  // base64url body parses as a v2 macaroon for PyPI
};

// The pack-file name of a checksum ("github-crc32"); "" for kNone.
const char* ChecksumName(Checksum c);

// A positive example: `text` must yield exactly one match of the rule whose
// capture group equals `secret`.
struct RuleExample {
  std::string text;
  std::string secret;
};

struct Rule {
  std::string id;        // stable `provider.kind`, never reused
  std::string name;      // human name
  std::string provider;  // e.g. openai
  std::string category;  // ai | cloud | scm | ci | payments | ...
  std::string pattern;   // RE2/Hyperscan syntax; group 1 is the secret
  std::string prefix;    // public prefix a redacted preview may show
  Confidence confidence = Confidence::kHigh;
  std::vector<std::string> keywords;  // one must occur near the match
  double min_entropy = 0.0;           // bits/byte of the secret, 0 = none
  Checksum checksum = Checksum::kNone;  // the secret must verify...
  bool checksum_mismatch = false;       // ...or, if set, must fail to
  std::vector<RuleExample> examples;
  std::vector<std::string> negative_examples;
  std::vector<std::string> references;  // provider documentation URLs
  std::string description;              // optional remarks

  std::string origin;  // pack file name (`builtin:openai.yaml` or a path)
  int line = 0;        // line of the rule in that file, 1-based
};

}  // namespace sprawl
