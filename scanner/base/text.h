// Small text helpers shared by every module: UTF-8 validation, escaping of
// path bytes for display and JSON, line/column arithmetic, entropy.
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sprawl {

bool IsValidUtf8(std::string_view s);

// Returns `s` unchanged when it is valid UTF-8 without control characters;
// otherwise replaces each offending byte with `\xNN` (and \n, \t with \n, \t)
// so a hostile file name cannot forge lines in a report or a terminal.
std::string EscapeForDisplay(std::string_view s);

// Shannon entropy of `s` in bits per byte.
double ShannonEntropy(std::string_view s);

// Counts '\n' in [data, data+n).
std::size_t CountNewlines(const char* data, std::size_t n);

// "1.5 MiB"-style size for messages.
std::string HumanBytes(uint64_t n);

// Lower-case ASCII copy.
std::string AsciiLower(std::string_view s);

// Trims ASCII whitespace on both ends.
std::string_view Trim(std::string_view s);

}  // namespace sprawl
