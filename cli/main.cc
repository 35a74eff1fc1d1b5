// sprawl entry point: everything lives in cli/app.cc; this file only hands
// over argv and returns the exit code (0 pass, 1 policy failure, 2 error).
#include "cli/app.h"

int main(int argc, char** argv) { return sprawl::RunCli(argc, argv); }
