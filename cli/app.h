// The command line: parses argv with CLI11 into option structs, runs the
// subcommand and decides the exit code. The only place that sees argv or
// exit codes.
#pragma once

namespace sprawl {

constexpr int kExitOk = 0;
constexpr int kExitPolicy = 1;
constexpr int kExitError = 2;
// The scan could not read everything it was asked to (unreadable input,
// nothing read, over a limit, interrupted) and nothing outranks it.
constexpr int kExitIncomplete = 3;

int RunCli(int argc, char** argv);

}  // namespace sprawl
