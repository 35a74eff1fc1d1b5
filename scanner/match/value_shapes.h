// Value shapes: recognisers for strings that fill a secret-shaped slot but
// are not secrets (hex digests, UUIDs, version strings, file paths, words
// and identifiers), used by a rule's `reject` field (rules/README.md).
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

namespace sprawl {

bool LooksLikeHexDigest(std::string_view v);  // 32/40/56/64/96/128 hex
bool LooksLikeUuid(std::string_view v);       // 8-4-4-4-12 hex
bool LooksLikeVersion(std::string_view v);    // v1.2.3-rc.1+build
bool LooksLikePath(std::string_view v);       // src/app/main.py, ./x/y
bool LooksLikeWords(std::string_view v);      // access_token_v2, fooBarBaz

// True when `v` has one of the shapes whose RejectValue flag is set.
bool IsRejectedValue(std::string_view v, uint32_t reject);

}  // namespace sprawl
