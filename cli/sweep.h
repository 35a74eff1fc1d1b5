// The sweep-family subcommands: `sweep` (many repositories into a
// datastore), `report` (render a datastore, no rescan) and `merge` (combine
// shard datastores). Registered on the root CLI::App by app.cc; each Run*
// returns the exit code.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/common.h"

namespace sprawl {

struct SweepCommands;  // parsed flags of the three subcommands

// Registers the subcommands on `app`; the result lives as long as `app`.
std::shared_ptr<SweepCommands> AddSweepCommands(CLI::App* app,
                                                CommonOptions* common);

// When one of the subcommands was parsed, runs it and stores its exit code
// in `*exit_code`; returns false otherwise.
bool RunSweepCommands(const SweepCommands& commands,
                      const CommonOptions& common, int* exit_code);

}  // namespace sprawl
