// UTF-16 text files (Windows tools write them: .reg exports, PowerShell
// output, some .ini and .config files) would look binary to the NUL-byte
// probe and be skipped. These helpers recognise them and decode them to
// UTF-8 so they are scanned like any text; a finding's line and column then
// refer to the decoded UTF-8 text (columns in UTF-8 bytes). Pure functions;
// thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sprawl {

enum class Utf16Kind { kNone, kLittleEndian, kBigEndian };

// What the first bytes of some content say: a UTF-16 byte-order mark
// (FF FE little-endian, FE FF big-endian), or, without one, UTF-16LE text
// by its shape: mostly NUL bytes at odd offsets and almost none at even
// ones (ASCII-range text, as keys are). kNone for anything else.
Utf16Kind SniffUtf16(std::string_view head);

// Decodes UTF-16 `data` (its BOM, if any, dropped) to UTF-8; an unpaired
// surrogate becomes U+FFFD and a trailing odd byte is dropped.
std::string DecodeUtf16(std::string_view data, Utf16Kind kind);

}  // namespace sprawl
