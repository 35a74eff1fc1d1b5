// ThreadErrors: carries an exception (std::bad_alloc above all) out of a
// worker thread instead of letting it reach std::terminate and abort the
// process with no report. Each worker body runs through Run; after joining,
// the owner calls Rethrow, so the failure surfaces on the calling thread,
// where the command's top level turns it into a clean error (exit 3, the
// scan incomplete). The first exception wins. Thread-safe.
#pragma once

#include <exception>
#include <mutex>
#include <utility>

namespace sprawl {

class ThreadErrors {
 public:
  template <typename F>
  void Run(F&& f) noexcept {
    try {
      std::forward<F>(f)();
    } catch (...) {
      std::lock_guard<std::mutex> lock(mu_);
      if (!first_) first_ = std::current_exception();
    }
  }
  // Throws the first exception a Run caught, if any.
  void Rethrow() {
    std::exception_ptr e;
    {
      std::lock_guard<std::mutex> lock(mu_);
      e = std::exchange(first_, nullptr);
    }
    if (e) std::rethrow_exception(e);
  }

 private:
  std::mutex mu_;
  std::exception_ptr first_;
};

}  // namespace sprawl
