// Checksums: the structural checks a rule's `checksum` field names
// (rules/README.md), run on a captured secret in the RE2 confirm step.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "scanner/ruleset/rule.h"

namespace sprawl {

// True when `secret` passes the check `kind`; always true for kNone.
bool ChecksumVerifies(Checksum kind, std::string_view secret);

// GitHub's token checksum (github.blog, "Behind GitHub's new authentication
// token formats", 2021; npm_ tokens use the same scheme): the CRC-32 (IEEE
// 802.3, as zlib computes it) of `payload`, in base 62 with the digits
// 0-9A-Za-z, left-padded with '0' to 6 characters.
std::string GithubChecksum(std::string_view payload);

// Whether `body` (base64url, no padding) decodes to a version-2 macaroon
// (libmacaroons doc/format.txt) whose location is pypi.org or test.pypi.org,
// with a 32-byte signature ending the buffer exactly.
bool IsPypiMacaroon(std::string_view body);

}  // namespace sprawl
