// FlatSet: an open-addressing hash set of small trivially copyable keys,
// stored inline (no node per key), for the history walk's seen-sets of
// millions of (path, oid) keys. Insert-only; not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace sprawl {

template <typename Key, typename Hash>
class FlatSet {
 public:
  // True when `key` was not in the set (and is now).
  bool Insert(const Key& key) {
    if ((size_ + 1) * 4 > slots_.size() * 3) Grow();
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t s = Hash()(key) & mask;; s = (s + 1) & mask) {
      if (!used_[s]) {
        used_[s] = true;
        slots_[s] = key;
        ++size_;
        return true;
      }
      if (slots_[s] == key) return false;
    }
  }
  bool Contains(const Key& key) const {
    if (slots_.empty()) return false;
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t s = Hash()(key) & mask; used_[s]; s = (s + 1) & mask) {
      if (slots_[s] == key) return true;
    }
    return false;
  }
  std::size_t size() const { return size_; }

 private:
  void Grow() {
    std::vector<Key> old_slots = std::move(slots_);
    std::vector<bool> old_used = std::move(used_);
    const std::size_t n = old_slots.empty() ? 64 : old_slots.size() * 2;
    slots_.assign(n, Key{});
    used_.assign(n, false);
    size_ = 0;
    for (std::size_t i = 0; i < old_slots.size(); ++i) {
      if (old_used[i]) Insert(old_slots[i]);
    }
  }

  std::vector<Key> slots_;
  std::vector<bool> used_;
  std::size_t size_ = 0;
};

}  // namespace sprawl
