#include "scanner/match/lazy_matcher.h"

namespace sprawl {

Result<const Matcher*> LazyMatcher::Get() {
  std::call_once(once_, [this] {
    auto built = build_();
    if (built.ok()) {
      matcher_ = std::move(built).value();
    } else {
      error_ = built.error();
    }
    build_ = nullptr;  // frees what the builder captured (rules, packs)
    built_.store(true);
  });
  if (matcher_ == nullptr) return error_;
  return static_cast<const Matcher*>(matcher_.get());
}

bool LazyMatcher::built() const { return built_.load(); }

}  // namespace sprawl
