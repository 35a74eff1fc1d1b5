#include "scanner/match/value_shapes.h"

#include <algorithm>
#include <cctype>

#include "scanner/ruleset/rule.h"

namespace sprawl {
namespace {

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
         (c >= 'A' && c <= 'F');
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsVowel(char c) {
  c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y';
}

// A path segment a person would type: lower-case letters, digits and
// `_ - .`, more letters than digits.
bool WordySegment(std::string_view s) {
  int letters = 0;
  int digits = 0;
  for (char c : s) {
    if (IsLower(c)) {
      ++letters;
    } else if (IsDigit(c)) {
      ++digits;
    } else if (c != '_' && c != '-' && c != '.') {
      return false;
    }
  }
  return letters > digits;
}

}  // namespace

bool LooksLikeHexDigest(std::string_view v) {
  static constexpr std::size_t kLengths[] = {32, 40, 56, 64, 96, 128};
  if (std::find(std::begin(kLengths), std::end(kLengths), v.size()) ==
      std::end(kLengths)) {
    return false;
  }
  const bool lower = std::none_of(v.begin(), v.end(), IsUpper);
  const bool upper = std::none_of(v.begin(), v.end(), IsLower);
  return (lower || upper) && std::all_of(v.begin(), v.end(), IsHex);
}

bool LooksLikeUuid(std::string_view v) {
  if (v.size() != 36) return false;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? v[i] != '-' : !IsHex(v[i])) return false;
  }
  return true;
}

bool LooksLikeVersion(std::string_view v) {
  std::size_t i = 0;
  if (i < v.size() && (v[i] == 'v' || v[i] == 'V')) ++i;
  const std::size_t start = i;
  while (i < v.size() && IsDigit(v[i])) ++i;
  if (i == start) return false;
  int dotted = 0;
  while (i + 1 < v.size() && v[i] == '.' && IsDigit(v[i + 1])) {
    ++i;
    while (i < v.size() && IsDigit(v[i])) ++i;
    ++dotted;
  }
  if (dotted == 0) return false;
  // A pre-release or build suffix of words and numbers: -rc.1, +build.5.
  for (; i < v.size(); ++i) {
    const char c = v[i];
    if (!(IsLower(c) || IsDigit(c) || c == '-' || c == '+' || c == '.' ||
          c == '_')) {
      return false;
    }
  }
  return true;
}

bool LooksLikePath(std::string_view v) {
  if (v.find('/') == std::string_view::npos) return false;
  if (v.find_first_of("+=") != std::string_view::npos) return false;
  int letters = 0;
  std::size_t begin = 0;
  int segments = 0;
  while (begin <= v.size()) {
    std::size_t end = v.find('/', begin);
    if (end == std::string_view::npos) end = v.size();
    const std::string_view seg = v.substr(begin, end - begin);
    if (!seg.empty() && seg != "." && seg != ".." && seg != "~") {
      if (!WordySegment(seg)) return false;
      ++segments;
      letters += static_cast<int>(std::count_if(seg.begin(), seg.end(), IsLower));
    }
    begin = end + 1;
  }
  return segments >= 2 && letters >= 3;
}

bool LooksLikeWords(std::string_view v) {
  // Runs: a lower-case word (optionally capitalised), an upper-case
  // acronym, or a number. Separators `_ - .` end a run. A word is a run of
  // three letters or more holding a vowel, or an acronym of up to five
  // capitals (HTTP, XML); random tokens rarely hold either.
  std::size_t chars = 0;       // non-separator characters
  std::size_t word_chars = 0;  // ...in words
  std::size_t i = 0;
  while (i < v.size()) {
    const char c = v[i];
    if (c == '_' || c == '-' || c == '.') {
      ++i;
      continue;
    }
    std::size_t j = i;
    if (IsDigit(c)) {
      while (j < v.size() && IsDigit(v[j])) ++j;
      if (j - i > 4) return false;
    } else if (IsUpper(c) || IsLower(c)) {
      ++j;
      bool acronym = false;
      if (IsUpper(c) && j < v.size() && IsUpper(v[j])) {
        while (j < v.size() && IsUpper(v[j])) ++j;
        // "HTTPServer": the last capital starts the next word.
        if (j < v.size() && IsLower(v[j]) && j - i > 1) --j;
        acronym = true;
      } else {
        while (j < v.size() && IsLower(v[j])) ++j;
      }
      const std::string_view run = v.substr(i, j - i);
      const bool vowel = std::any_of(run.begin(), run.end(), IsVowel);
      if (run.size() >= 3 && !vowel && !(acronym && run.size() <= 5)) {
        return false;
      }
      if (run.size() >= 3) word_chars += run.size();
    } else {
      return false;
    }
    chars += j - i;
    i = j;
  }
  // Words cover most of an identifier (`access_token_v2`: 11 of 13);
  // random tokens switch between letters, capitals and digits every one or
  // two characters.
  return word_chars > 0 && word_chars * 10 >= chars * 7;
}

bool IsRejectedValue(std::string_view v, uint32_t reject) {
  if ((reject & kRejectHexDigest) && LooksLikeHexDigest(v)) return true;
  if ((reject & kRejectUuid) && LooksLikeUuid(v)) return true;
  if ((reject & kRejectVersion) && LooksLikeVersion(v)) return true;
  if ((reject & kRejectPath) && LooksLikePath(v)) return true;
  if ((reject & kRejectWords) && LooksLikeWords(v)) return true;
  return false;
}

}  // namespace sprawl
