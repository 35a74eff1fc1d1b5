// AllocationCrashGuard: while one is alive on a thread, a SIGSEGV or SIGBUS
// raised on that thread ends the process with a fixed message on stderr and
// a fixed exit code instead of a crash. It exists for third-party code that
// dereferences an allocation it never checked: Hyperscan's compiler (its
// AlignedAllocator returns posix_memalign's null) crashes when the address
// space runs out (issue 20 item 11). A fault on any other thread keeps its
// previous handling. Thread-safe; guards on several threads may overlap.
#pragma once

namespace sprawl {

class AllocationCrashGuard {
 public:
  // `message` must outlive the guard; it is written as is (with a newline).
  AllocationCrashGuard(const char* message, int exit_code);
  ~AllocationCrashGuard();
  AllocationCrashGuard(const AllocationCrashGuard&) = delete;
  AllocationCrashGuard& operator=(const AllocationCrashGuard&) = delete;

 private:
  const char* previous_message_;
  int previous_exit_code_;
  bool installed_alt_stack_ = false;
};

}  // namespace sprawl
