// sprawl entry point: everything lives in cli/app.cc; this file only hands
// over argv and returns the exit code (0 pass, 1 policy failure, 2 error,
// 3 incomplete scan).
#include <cstdio>
#include <new>

#include "cli/app.h"

int main(int argc, char** argv) {
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
