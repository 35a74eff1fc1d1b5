#include "scanner/sources/once_filter.h"

#include <utility>

namespace sprawl {

bool OnceFilter::First(std::string key) {
  std::lock_guard<std::mutex> lock(mu_);
  return seen_.insert(std::move(key)).second;
}

}  // namespace sprawl
