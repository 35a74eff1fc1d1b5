// Fuzz target: the inventory loader (ParseInventory) on arbitrary text. A
// value or an Error naming the file; never a crash, throw or unbounded
// recursion. A loaded inventory's lookups point inside its vectors.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/fuzz_util.h"
#include "scanner/inventory/inventory.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sprawl;
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto inv = ParseInventory(text, "fuzz.yaml");
  if (!inv.ok()) {
    FUZZ_ASSERT(!inv.error().message.empty());
    return 0;
  }
  for (const auto& [fp, i] : inv->credential_by_fingerprint) {
    FUZZ_ASSERT(i < inv->credentials.size());
  }
  for (const auto& [id, i] : inv->consumer_by_id) {
    FUZZ_ASSERT(i < inv->consumers.size());
  }
  for (const auto& [fp, i] : inv->allow_by_fingerprint) {
    FUZZ_ASSERT(i < inv->allow.size());
  }
  for (const auto& c : inv->credentials) (void)inv->OwnerOf(c);
  return 0;
}
