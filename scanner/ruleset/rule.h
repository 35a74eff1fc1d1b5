// Rule: one secret format, loaded from a YAML rule pack (see rules/README.md).
// Plain data, immutable once loaded; safe to share across threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scanner/ruleset/token_shape.h"

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

// Kinds of values a rule refuses even when its pattern matches them (field
// `reject` of a pack, rules/README.md): they are bit flags.
enum RejectValue : uint32_t {
  kRejectHexDigest = 1u << 0,  // 32/40/56/64/96/128 hex: MD5, SHA-1, SHA-2
  kRejectUuid = 1u << 1,       // 8-4-4-4-12 hex
  kRejectVersion = 1u << 2,    // 1.2.3, v2.0.1-rc1, 20240101
  kRejectPath = 1u << 3,       // a/b/c.ext, ./x, C:\x, URLs without userinfo
  kRejectWords = 1u << 4,      // identifiers and words: snake/camel/kebab
};
// "hex-digest", "uuid", "version", "path", "words"; 0 if unknown.
uint32_t RejectValueFromName(std::string_view name);
const char* RejectValueName(uint32_t flag);

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
  // When set, Hyperscan compiles `anchor` instead of `pattern`, and RE2
  // confirms `pattern` from the anchor's start to `reach` bytes after its
  // end. Every match of `pattern` must start with a match of `anchor`.
  // Compact detectors set both (their keywords); packs cannot.
  std::string anchor;
  uint32_t reach = 0;
  std::string prefix;    // public prefix a redacted preview may show
  Confidence confidence = Confidence::kHigh;
  std::vector<std::string> keywords;  // one must occur near the match
  double min_entropy = 0.0;           // bits/byte of the secret, 0 = none
  Checksum checksum = Checksum::kNone;  // the secret must verify...
  bool checksum_mismatch = false;       // ...or, if set, must fail to
  uint32_t reject = 0;  // RejectValue flags
  // Multi-part credentials (rules/README.md, "Identifiers"): this rule's
  // match names the credential of any rule in `identifies` found within
  // `within_lines` lines of it in the same file or blob.
  std::vector<std::string> identifies;
  int within_lines = 5;
  bool identifier_only = false;  // never a credential on its own
  std::vector<RuleExample> examples;
  std::vector<std::string> negative_examples;
  std::vector<std::string> references;  // provider documentation URLs
  std::string description;              // optional remarks

  // Set when the rule was expanded from a compact detector (`detectors:`);
  // `rules check` synthesises examples from it.
  std::optional<DetectorInfo> detector;

  std::string origin;  // pack file name (`builtin:openai.yaml` or a path)
  int line = 0;        // line of the rule in that file, 1-based
};

}  // namespace sprawl
