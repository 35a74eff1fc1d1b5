#include "scanner/match/synthetic_cases.h"

#include <algorithm>
#include <cctype>
#include <random>

#include "scanner/base/hash.h"
#include "scanner/base/text.h"
#include "scanner/match/placeholder.h"

namespace sprawl {
namespace {

uint64_t SeedOf(const std::string& id) {
  const std::string hex = Sha256Hex(id).substr(0, 16);
  return std::stoull(hex, nullptr, 16);
}

std::string Upper(std::string s) {
  for (char& c : s) {
    c = (c == '-' || c == '.' || c == ' ') ? '_'
                                           : static_cast<char>(std::toupper(
                                                 static_cast<unsigned char>(c)));
  }
  return s;
}

std::string Squash(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
  }
  return out;
}

std::string Lower(std::string s) {
  for (char& c : s) {
    c = (c == ' ') ? '_'
                   : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return s;
}

// A token the rule's own filters keep: entropy at or above the floor and
// nothing the placeholder check rejects.
std::string GoodToken(const Rule& rule, std::size_t length, uint64_t seed) {
  const TokenShape& shape = rule.detector->shape;
  for (uint64_t attempt = 0;; ++attempt) {
    std::string t = RandomToken(shape, length, seed + attempt * 7919);
    const std::string_view body = std::string_view(t).substr(shape.prefix.size());
    if (ShannonEntropy(t) >= rule.min_entropy &&
        !LooksLikePlaceholder(t, shape.prefix) &&
        AsciiLower(body).find("key") == std::string::npos && attempt < 1000) {
      return t;
    }
    if (attempt >= 1000) return t;
  }
}

// Contexts a key of `kw` is written in; {} marks the token.
std::vector<std::pair<std::string, std::string>> NameContexts(
    const std::string& kw) {
  const std::string up = Upper(kw);
  const std::string low = Lower(kw);
  const std::string sq = Squash(kw);
  return {
      {"env file", up + "_API_KEY={}"},
      {"yaml", low + "_key: \"{}\""},
      {"json camelCase", "{\"" + sq + "ApiKey\": \"{}\"}"},
      {"java properties", low + ".api.key={}"},
      {"shell export", "export " + up + "_TOKEN='{}'"},
      {"python", low + "_api_key = \"{}\""},
      {"javascript", "const " + sq + "Key = '{}';"},
      {"go", sq + "Token := \"{}\""},
  };
}

std::string Fill(const std::string& context, const std::string& token) {
  std::string out = context;
  const std::size_t at = out.find("{}");
  out.replace(at, 2, token);
  return out;
}

}  // namespace

std::string RandomToken(const TokenShape& shape, std::size_t length,
                        uint64_t seed) {
  std::mt19937_64 gen(seed);
  TokenShape body_shape = shape;
  if (shape.alphabet == TokenAlphabet::kUuid) {
    body_shape.alphabet = TokenAlphabet::kHex;
  }
  const std::string chars = ShapeCharacters(body_shape);
  std::uniform_int_distribution<std::size_t> pick(0, chars.size() - 1);
  std::string out = shape.prefix;
  for (std::size_t i = 0; i < length; ++i) {
    if (shape.alphabet == TokenAlphabet::kUuid &&
        (i == 8 || i == 13 || i == 18 || i == 23)) {
      out.push_back('-');
      continue;
    }
    out.push_back(chars[pick(gen)]);
  }
  return out;
}

SyntheticCases MakeSyntheticCases(const Rule& rule) {
  SyntheticCases cases;
  if (!rule.detector) return cases;
  const DetectorInfo& info = *rule.detector;
  const TokenShape& shape = info.shape;
  const uint64_t seed = SeedOf(rule.id);
  uint64_t n = 0;
  auto token = [&](std::size_t length) {
    return GoodToken(rule, length, seed + 1000003 * ++n);
  };
  const std::size_t mid = (shape.min_length + shape.max_length) / 2;
  // The first keyword that can be part of a variable name.
  std::string name;
  for (const auto& k : info.names) {
    if (std::all_of(k.begin(), k.end(), [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
        })) {
      name = k;
      break;
    }
  }
  if (!name.empty()) {
    for (const auto& [label, ctx] : NameContexts(name)) {
      const std::string t = token(mid);
      cases.positives.push_back({label, Fill(ctx, t), t});
    }
  }
  for (const auto& host : info.hosts) {
    const std::string t = token(shape.max_length);
    cases.positives.push_back(
        {"curl header near " + host,
         "curl https://" + host + "/v1/items \\\n  -H \"Authorization: Bearer " +  // NOLINT(performance-inefficient-string-concatenation)
             t + "\"",
         t});
    const std::string u = token(shape.min_length);
    cases.positives.push_back(
        {"python headers near " + host,
         "BASE = \"https://" + host + "\"\nheaders = {\"Authorization\": "
         "\"Token " + u + "\"}",  // NOLINT(performance-inefficient-string-concatenation)
         u});
  }
  // Near misses, each in the context the first positive used.
  const std::string ctx =
      name.empty() ? "curl https://" +
                         (info.hosts.empty() ? info.names.front()
                                             : info.hosts.front()) +
                         "/v1/items -H \"Authorization: Bearer {}\""
                   : NameContexts(name).front().second;
  if (shape.alphabet != TokenAlphabet::kUuid) {
    if (shape.min_length > 8) {
      cases.negatives.push_back(
          {"too short", Fill(ctx, token(shape.min_length - 1)), ""});
    }
    cases.negatives.push_back(
        {"too long", Fill(ctx, token(shape.max_length + 1)), ""});
  }
  // A character outside the alphabet (but inside a token) in the middle.
  {
    std::string t = token(mid);
    char bad = '_';
    if (shape.alphabet == TokenAlphabet::kHex ||
        shape.alphabet == TokenAlphabet::kUuid ||
        shape.alphabet == TokenAlphabet::kDigits) {
      bad = shape.letter_case == TokenCase::kUpper ? 'G' : 'g';
    } else if (shape.alphabet == TokenAlphabet::kBase64Url) {
      bad = '+';
    } else if (shape.letter_case != TokenCase::kAny) {
      bad = shape.letter_case == TokenCase::kLower ? 'Q' : 'q';
    }
    std::size_t at = shape.prefix.size() + (t.size() - shape.prefix.size()) / 2;
    if (t[at] == '-') ++at;
    t[at] = bad;
    cases.negatives.push_back({"wrong alphabet", Fill(ctx, t), ""});
  }
  if (name.empty()) {
    // Host-only detectors: the same header after an unrelated host.
    cases.negatives.push_back(
        {"host absent",
         Fill("curl https://api.widget-gadget.test/v1/items -H "
              "\"Authorization: Bearer {}\"",
              token(mid)),
         ""});
  } else {
    // The same contexts with an unrelated name: the keyword is the anchor.
    for (const auto& [label, c] : NameContexts("widget")) {
      if (label != "env file" && label != "json camelCase") continue;
      cases.negatives.push_back(
          {"keyword absent (" + label + ")", Fill(c, token(mid)), ""});
    }
  }
  {
    // A placeholder of the right shape.
    std::string filler = shape.prefix;
    for (std::size_t i = 0; i < mid; ++i) {
      filler.push_back(shape.alphabet == TokenAlphabet::kUuid &&
                               (i == 8 || i == 13 || i == 18 || i == 23)
                           ? '-'
                           : '0');
    }
    cases.negatives.push_back({"placeholder", Fill(ctx, filler), ""});
  }
  return cases;
}

}  // namespace sprawl
