// Private cache files (the compiled-rules cache): a directory created 0700
// and files 0600 whatever the umask, refused when owned by another user or
// writable by group or others, read without following a symlink, and
// sealed with a SHA-256 of their content so a truncated or replaced file
// ("{"rules":[]}") is detected and ignored rather than trusted. The seal is
// a trailer line "\n#sprawl-sha256:<64 hex>\n" after the payload. Free
// functions; thread-safe (writes go through a unique temporary + rename).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sprawl {

// Creates `dir` (and parents) so that `dir` itself is 0700; false with
// `why` when it is not a directory we own or cannot be made private.
bool EnsurePrivateDir(const std::string& dir, std::string* why);

// Writes `payload` sealed to `path` (0600) inside a private `dir`.
bool WriteSealedFile(const std::string& dir, const std::string& path,
                     std::string_view payload, std::string* why);

// The payload of a sealed file; nullopt when absent (`why` empty) or
// refused: not a regular file, not ours, group/other-writable, over
// `max_size`, or a seal that does not verify (`why` says which).
std::optional<std::string> ReadSealedFile(const std::string& path,
                                          std::size_t max_size,
                                          std::string* why);

}  // namespace sprawl
