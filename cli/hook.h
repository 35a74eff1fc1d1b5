// `sprawl hook install [--force] [REPO]`: writes a plain git pre-commit hook
// that runs `sprawl git --staged` and explains, in words, what it found, what
// it blocked and how to register or allow a credential. The hooks directory
// is git's own answer (`git rev-parse --git-path hooks`), so core.hooksPath
// is respected. Single-threaded; touches only the hook file.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace sprawl {

struct HookArgs {
  std::string repo = ".";  // repository (any directory inside its work tree)
  bool force = false;      // overwrite an existing pre-commit hook
};

// Registers `hook install` on `app`; returns the `install` subcommand so the
// caller can test `parsed()`.
CLI::App* AddHookCommands(CLI::App* app, HookArgs* args);

// The hook script for a sprawl binary at `sprawl_path` (absolute; the hook
// falls back to `sprawl` on PATH when it is gone). An empty path gives the
// portable variant checked in as scripts/pre-commit ($SPRAWL, else PATH).
std::string PreCommitHookScript(const std::string& sprawl_path);

// Installs the hook; returns the exit code (0, or 2 with a message).
int RunHookInstall(const HookArgs& args);

}  // namespace sprawl
