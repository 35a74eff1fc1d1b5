// sprawl entry point: everything lives in cli/app.cc; this file only hands
// over argv and returns the exit code (0 pass, 1 policy failure, 2 error,
// 3 incomplete scan).
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <new>

#include "cli/app.h"

int main(int argc, char** argv) {
  // libgit2 stamps reflog entries with mktime(), and glibc's mktime re-reads
  // the time zone on every call: with TZ unset it frees and re-allocates
  // its cached name each time, from every thread fetching a mirror at once
  // (a data race under TSan). TZ=":/etc/localtime" is what an unset TZ
  // means; set, the cached name matches and mktime leaves it alone.
  if (std::getenv("TZ") == nullptr) setenv("TZ", ":/etc/localtime", 1);
  tzset();
  try {
    return sprawl::RunCli(argc, argv);
  } catch (const std::bad_alloc&) {
    // Out of memory where no worker could recover (ThreadErrors carries it
    // here): a clean message and the incomplete-scan exit, never an abort.
    std::fputs(
        "sprawl: error: out of memory; the scan is incomplete and no report "
        "was written (lower --threads, or raise the memory limit)\n",
        stderr);
    return 3;
  }
}
