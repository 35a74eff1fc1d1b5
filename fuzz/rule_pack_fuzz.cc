// Fuzz target: the rule-pack loader (ParseRulePack) on arbitrary text. It must
// return a value or an Error, never crash, throw or recurse without bound.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "scanner/ruleset/rule_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto rules = sprawl::ParseRulePack(text, "fuzz.yaml");
  if (!rules.ok() && rules.error().message.empty()) __builtin_trap();
  return 0;
}
