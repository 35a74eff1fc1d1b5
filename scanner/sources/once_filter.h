// OnceFilter: remembers the keys offered to it, so a diagnostic is printed
// once however many threads come across the same thing. Thread-safe.
#pragma once

#include <mutex>
#include <string>
#include <unordered_set>

namespace sprawl {

// True the first time a key is offered: several HistoryIndex segments walked
// on different threads share one, so a diagnostic about the same submodule
// or broken tree is printed once. Thread-safe.
class OnceFilter {
 public:
  bool First(std::string key);

 private:
  std::mutex mu_;
  std::unordered_set<std::string> seen_;
};

}  // namespace sprawl
