#include "scanner/match/allocation_crash_guard.h"

#include <signal.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <mutex>

namespace sprawl {

namespace {

// The guarded thread's message; read by the handler (initial-exec TLS of the
// executable, safe in a signal handler).
thread_local const char* t_message = nullptr;
thread_local int t_exit_code = 0;

std::mutex g_mutex;
int g_active = 0;  // guards alive, under g_mutex
struct sigaction g_old_segv;
struct sigaction g_old_bus;

void Handler(int sig) {
  if (t_message != nullptr) {
    const char* m = t_message;
    ssize_t ignored = ::write(STDERR_FILENO, m, std::strlen(m));
    ignored = ::write(STDERR_FILENO, "\n", 1);
    (void)ignored;
    ::_exit(t_exit_code);
  }
  // Another thread: put back what was there; the fault repeats on return
  // and is handled as it would have been without the guard.
  ::sigaction(sig, sig == SIGSEGV ? &g_old_segv : &g_old_bus, nullptr);
}

// A fault from a stack that the address-space limit kept from growing
// needs a stack of its own to run the handler on.
constexpr std::size_t kAltStackSize = std::size_t{64} << 10;
thread_local std::unique_ptr<char[]> t_alt_stack;

}  // namespace

AllocationCrashGuard::AllocationCrashGuard(const char* message, int exit_code)
    : previous_message_(t_message), previous_exit_code_(t_exit_code) {
  stack_t current{};
  if (::sigaltstack(nullptr, &current) == 0 &&
      (current.ss_flags & SS_DISABLE)) {
    if (t_alt_stack == nullptr) {
      t_alt_stack.reset(new (std::nothrow) char[kAltStackSize]);
    }
    if (t_alt_stack != nullptr) {
      stack_t alt{};
      alt.ss_sp = t_alt_stack.get();
      alt.ss_size = kAltStackSize;
      installed_alt_stack_ = ::sigaltstack(&alt, nullptr) == 0;
    }
  }
  {
    std::lock_guard<std::mutex> lock(g_mutex);
    if (g_active++ == 0) {
      struct sigaction sa {};
      sa.sa_handler = Handler;
      sa.sa_flags = SA_ONSTACK | SA_NODEFER;
      sigemptyset(&sa.sa_mask);
      ::sigaction(SIGSEGV, &sa, &g_old_segv);
      ::sigaction(SIGBUS, &sa, &g_old_bus);
    }
  }
  t_exit_code = exit_code;
  t_message = message;
}

AllocationCrashGuard::~AllocationCrashGuard() {
  t_message = previous_message_;
  t_exit_code = previous_exit_code_;
  {
    std::lock_guard<std::mutex> lock(g_mutex);
    if (--g_active == 0) {
      ::sigaction(SIGSEGV, &g_old_segv, nullptr);
      ::sigaction(SIGBUS, &g_old_bus, nullptr);
    }
  }
  if (installed_alt_stack_) {
    stack_t off{};
    off.ss_flags = SS_DISABLE;
    ::sigaltstack(&off, nullptr);
  }
}

}  // namespace sprawl
