// The containers of the tree pass's per-thread share (git_tree_share.h):
// sizes a small test history never reaches (a chunk holds 2^20 entries).
#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

#include "scanner/sources/git_tree_share.h"

namespace sprawl::tree_pass {
namespace {

Kept Entry(uint32_t i) {
  return Kept(i % kMaxNames, i * 7 + 1, EntryKind::kTree, (i & 1) != 0);
}

bool Same(const Kept& a, const Kept& b) {
  return a.name() == b.name() && a.ref() == b.ref() && a.kind() == b.kind() &&
         a.matters() == b.matters();
}

TEST_SUITE("tree share") {
  TEST_CASE("ChunkedVector::AppendFrom copies runs across chunk boundaries") {
    constexpr uint32_t kChunk = 1u << 20;
    ChunkedVector<Kept> v;
    std::vector<Kept> model;
    for (uint32_t i = 0; i < kChunk + 1000; ++i) {
      v.push_back(Entry(i));
      model.push_back(Entry(i));
    }
    // Runs that start and end in different chunks, that make the
    // destination cross into a new chunk, and an empty one.
    const std::vector<std::pair<std::size_t, std::size_t>> runs = {
        {kChunk - 10, kChunk + 10},
        {5, 5},
        {100, kChunk - 500},
        {0, 3000},
        {kChunk - 1, kChunk + 1}};
    for (const auto& [begin, end] : runs) {
      v.AppendFrom(begin, end);
      for (std::size_t i = begin; i < end; ++i) model.push_back(model[i]);
      REQUIRE(v.size() == model.size());
    }
    for (std::size_t i = 0; i < model.size(); ++i) {
      if (!Same(v[i], model[i])) {
        FAIL_CHECK("entry " << i << " differs");
        break;
      }
    }
  }

  TEST_CASE("Kept packs name, ref, kind and matters into 8 bytes") {
    static_assert(sizeof(Kept) == 8);
    const Kept k(kMaxNames - 1, kOidRef | 12345, EntryKind::kSubmodule, true);
    CHECK(k.name() == kMaxNames - 1);
    CHECK(k.ref() == (kOidRef | 12345));
    CHECK(k.kind() == EntryKind::kSubmodule);
    CHECK(k.matters());
    Kept changed = k;
    changed.set_ref(7);
    CHECK(changed.ref() == 7);
    CHECK(changed.name() == kMaxNames - 1);
  }
}  // TEST_SUITE

}  // namespace
}  // namespace sprawl::tree_pass
