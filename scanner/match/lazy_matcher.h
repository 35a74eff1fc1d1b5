// LazyMatcher: a Matcher built on first use. Most repositories of a
// periodic sweep are unchanged and need no rules at all; loading the
// Hyperscan database up front was a large share of a sweep with no new
// commits.
// Owns the matcher once built. Thread-safe: Get() may be called from any
// thread; the build runs once and concurrent callers wait for it.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>

#include "scanner/base/result.h"
#include "scanner/match/matcher.h"

namespace sprawl {

class LazyMatcher {
 public:
  using Builder = std::function<Result<std::unique_ptr<Matcher>>()>;

  explicit LazyMatcher(Builder build) : build_(std::move(build)) {}
  LazyMatcher(const LazyMatcher&) = delete;
  LazyMatcher& operator=(const LazyMatcher&) = delete;

  // The matcher, built on the first call; the build's Error (the same one
  // on every call) when it failed.
  Result<const Matcher*> Get();

  // Whether Get() has run the build (successfully or not).
  bool built() const;

 private:
  // Written once inside call_once, read only after it: call_once orders
  // the write before every reader.
  Builder build_;
  std::once_flag once_;
  std::unique_ptr<Matcher> matcher_;
  Error error_;
  std::atomic<bool> built_{false};
};

}  // namespace sprawl
