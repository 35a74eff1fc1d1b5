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

// Returns `s` unchanged when it is valid UTF-8 without control characters
// (C0, DEL, C1) or backslashes; otherwise replaces each offending byte with
// `\xNN` (newline and tab with `\n`, `\t`, a backslash with `\\`), so a
// hostile file name cannot forge lines or send escape sequences (OSC 52,
// OSC 8, CSI) to a terminal, and a real newline and a typed `\n` differ.
// For raw bytes, applied once (it is not idempotent).
std::string EscapeForDisplay(std::string_view s);

// EscapeForDisplay without the backslash rule: idempotent, so it may be
// applied to text that was escaped already (diagnostics, error messages,
// report fields of any origin) and still keeps every control byte out.
std::string EscapeControls(std::string_view s);

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
