// Fuzz target: the pack formats a hostile repository controls. The input is
// parsed as a pack entry header, and split (its first byte gives the base's
// length) into a delta base and delta instructions that ApplyDelta runs.
// Properties: no out-of-bounds access (ASan); a successful delta result
// has the declared size, and its recorded copy runs lie inside the base and
// the result and reproduce the result's bytes.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_util.h"
#include "scanner/git/pack_format.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using namespace sprawl;
  PackEntryHeader h;
  if (ParsePackEntryHeader(data, data + size, &h)) {
    FUZZ_ASSERT(h.data >= data && h.data <= data + size);
    FUZZ_ASSERT(h.type >= kPackCommit && h.type <= kPackRefDelta);
  }
  if (size == 0) return 0;
  const std::size_t base_len = std::min<std::size_t>(data[0], size - 1);
  const std::string_view base(reinterpret_cast<const char*>(data + 1), base_len);
  const std::string_view delta(reinterpret_cast<const char*>(data + 1 + base_len),
                               size - 1 - base_len);
  std::string out;
  std::vector<DeltaCopy> copies;
  if (!ApplyDelta(base, delta, 1 << 16, &out, &copies)) return 0;
  FUZZ_ASSERT(out.size() <= (1 << 16));
  for (const DeltaCopy& c : copies) {
    FUZZ_ASSERT(uint64_t{c.from} + c.size <= base.size());
    FUZZ_ASSERT(uint64_t{c.to} + c.size <= out.size());
    FUZZ_ASSERT(std::memcmp(out.data() + c.to, base.data() + c.from, c.size) == 0);
  }
  return 0;
}
