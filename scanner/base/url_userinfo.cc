#include "scanner/base/url_userinfo.h"

#include <vector>

namespace sprawl {
namespace {

// [begin, end) of the userinfo (without its '@') of `url`; begin == end
// when there is none.
std::pair<std::size_t, std::size_t> UserinfoSpan(std::string_view url) {
  const std::size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return {0, 0};
  const std::size_t begin = scheme + 3;
  std::size_t end = url.find_first_of("/?#", begin);
  if (end == std::string_view::npos) end = url.size();
  const std::size_t at = url.substr(0, end).rfind('@');
  if (at == std::string_view::npos || at < begin) return {0, 0};
  return {begin, at};
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto hex = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 &&
        hex(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

void ReplaceAll(std::string* text, std::string_view what) {
  if (what.empty()) return;
  for (std::size_t at = text->find(what); at != std::string::npos;
       at = text->find(what, at + 3)) {
    text->replace(at, what.size(), "***");
  }
}

}  // namespace

std::string StripUrlUserinfo(std::string_view url) {
  const auto [begin, end] = UserinfoSpan(url);
  if (begin == 0 && end == 0) return std::string(url);
  std::string out(url.substr(0, begin));
  out.append(url.substr(end + 1));
  return out;
}

std::string ScrubUrlUserinfo(std::string text, std::string_view url) {
  const auto [begin, end] = UserinfoSpan(url);
  if (begin == 0 && end == 0) return text;
  const std::string_view info = url.substr(begin, end - begin);
  std::vector<std::string> secrets{std::string(info), PercentDecode(info)};
  if (const std::size_t colon = info.find(':');
      colon != std::string_view::npos) {
    secrets.emplace_back(info.substr(colon + 1));
    secrets.push_back(PercentDecode(info.substr(colon + 1)));
  } else {
    // A bare token as the user (https://TOKEN@host) is the secret.
    secrets.push_back(PercentDecode(info));
  }
  for (const std::string& s : secrets) ReplaceAll(&text, s);
  return text;
}

}  // namespace sprawl
