// The command line: parses argv with CLI11 into option structs, runs the
// subcommand and decides the exit code. The only place that sees argv or
// exit codes.
#pragma once

namespace sprawl {

constexpr int kExitOk = 0;
constexpr int kExitPolicy = 1;
constexpr int kExitError = 2;

int RunCli(int argc, char** argv);

}  // namespace sprawl
