// Helpers shared by the libFuzzer targets: the built-in matcher (compiled once
// per process, shared read-only) and a checked abort that prints why. Not for
// production code; single-process, built only with SPRAWL_FUZZ=ON.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string_view>

#include "scanner/base/diagnostics.h"
#include "scanner/match/matcher.h"
#include "scanner/ruleset/rule_loader.h"

namespace sprawl::fuzz {

// A property violation: the fuzzer records the input as a crash.
[[noreturn]] inline void Violation(const char* what) {
  std::fprintf(stderr, "fuzz property violated: %s\n", what);
  std::abort();
}

#define FUZZ_ASSERT(cond)                          \
  do {                                             \
    if (!(cond)) ::sprawl::fuzz::Violation(#cond); \
  } while (0)

// Every built-in rule, compiled without the on-disk cache.
inline const Matcher& BuiltinMatcher() {
  static const std::unique_ptr<Matcher> matcher = [] {
    auto rules = LoadBuiltinRules();
    if (!rules.ok()) Violation("built-in rules do not load");
    Diagnostics quiet(nullptr);
    auto m = Matcher::Build(std::move(rules).value(), MatcherOptions{}, &quiet);
    if (!m.ok()) Violation("built-in rules do not compile");
    return std::move(m).value();
  }();
  return *matcher;
}

}  // namespace sprawl::fuzz
