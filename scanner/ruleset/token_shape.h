// TokenShape: the shape of a keyword-anchored secret (alphabet, length, case,
// optional literal prefix), as a compact detector in a rule pack declares it
// (rules/README.md, "Compact detectors"). It renders as the regex of the
// secret and of the characters that may not follow it. DetectorInfo keeps
// what a detector was expanded from, so `rules check` can synthesise
// examples. Plain values; immutable once loaded; thread-safe to share.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sprawl {

enum class TokenAlphabet {
  kHex,        // 0-9 a-f
  kAlnum,      // A-Z a-z 0-9
  kBase64,     // A-Z a-z 0-9 + /, optional = padding
  kBase64Url,  // A-Z a-z 0-9 _ -
  kDigits,     // 0-9
  kUuid,       // 8-4-4-4-12 hex (length is always 36)
};

enum class TokenCase { kAny, kLower, kUpper };

struct TokenShape {
  TokenAlphabet alphabet = TokenAlphabet::kHex;
  TokenCase letter_case = TokenCase::kAny;
  uint32_t min_length = 0;  // of the body, after `prefix`
  uint32_t max_length = 0;
  std::string prefix;       // literal, case-sensitive ("" = none)
};

// "hex", "alnum", "base64", "base64url", "digits", "uuid"; false if unknown.
bool ParseTokenAlphabet(std::string_view name, TokenAlphabet* out);
const char* TokenAlphabetName(TokenAlphabet a);

// The characters of the body as a regex class body ("0-9a-f").
std::string ShapeClass(const TokenShape& shape);
// Every character of `alphabet` under `letter_case`, for generators.
std::string ShapeCharacters(const TokenShape& shape);
// The secret: escaped prefix + body (`[0-9a-f]{40}`, uuid groups, padding).
std::string ShapeRegex(const TokenShape& shape);
// Characters that may not follow a secret: every token character, so a
// match never ends inside a longer run (`[^A-Za-z0-9_+/=-]`).
inline constexpr std::string_view kTokenTerminator =
    "(?:[^A-Za-z0-9_+/=-]|$)";
// A default entropy floor for the shape (bits/byte): hex and uuid 3.0,
// digits 2.5, others 3.5 (3.0 under 24 characters).
double DefaultMinEntropy(const TokenShape& shape);

// What a compact detector was expanded from.
struct DetectorInfo {
  TokenShape shape;
  std::vector<std::string> names;  // keywords that prefix a variable name
  std::vector<std::string> hosts;  // API host names (header context)
};

// Whether a keyword's '_' matches any separator or none: only when the part
// before its first '_' has 5 characters or more, so the literal Hyperscan
// anchors on stays rare (`here_api` stays literal: `here` is in `where`).
bool LooseKeyword(std::string_view keyword);

// Regex-escapes a literal for Hyperscan and RE2 alike.
std::string EscapeRegexLiteral(std::string_view text);

// The pattern of an expanded detector (rules/README.md): group 1 is the
// secret, preceded by one of the contexts (assignment to a name holding a
// keyword and a secret word, a constructor call, or an auth header within a
// few lines after a host name) and followed by a non-token character.
std::string DetectorPattern(const DetectorInfo& info);

// What Hyperscan compiles for a detector instead of its pattern: the
// case-insensitive alternation of its keywords and hosts, every one of which
// starts a match of DetectorPattern. Literal alternations compile in
// microseconds; the full pattern's 256-byte gap took Hyperscan ~0.1 s of CPU
// per detector. RE2 confirms DetectorPattern after each anchor hit.
std::string DetectorAnchor(const DetectorInfo& info);
// Bytes after the end of an anchor hit within which every DetectorPattern
// match that starts at that anchor ends.
uint32_t DetectorReach(const DetectorInfo& info);

}  // namespace sprawl
