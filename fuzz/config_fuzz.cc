// Fuzz target: the config loader (ParseConfig) and the byte-size parser on
// arbitrary text: a value or an Error, never a crash or a throw.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/fuzz_util.h"
#include "scanner/config/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sprawl;
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto config = ParseConfig(text, "fuzz/.sprawl/config.yaml", "/fuzz-root");
  if (!config.ok()) FUZZ_ASSERT(!config.error().message.empty());
  if (size < 64) (void)ParseByteSize(text);
  return 0;
}
