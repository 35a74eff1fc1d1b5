// Config trust: who may weaken the gate. The CI invocation (flags,
// environment) and, in `git --range A..B`, the base revision A are trusted.
// A config read from the tree being scanned (`dir`, `git`, `git --staged`,
// `stdin` in the working directory) is repository-supplied: it may make the
// gate stricter but not weaker, so RestrictRepositoryConfig drops (with a
// warning each) exclusions that cover every file, removals from the default
// fail_on set, policy.fail_on_new_only, policy.incomplete_ok, and limits
// below the defaults. `--trust-repo-config` skips it. docs/gate.md has the
// rule. Free functions; thread-compatible.
#pragma once

#include <cstdint>
#include <string>

#include "scanner/base/diagnostics.h"
#include "scanner/base/glob.h"
#include "scanner/config/config.h"

namespace sprawl {

// The defaults a repository-supplied config cannot go below.
struct ConfigFloor {
  uint64_t max_file_size = 50u << 20;
  uint64_t max_blob_size = 50u << 20;
  uint64_t max_yaml_size = 5u << 20;
  double scan_timeout = 60.0;  // 0 (no limit) is stricter, so allowed
};

// Removes from `config` what a repository-supplied config may not set.
void RestrictRepositoryConfig(Config* config, Diagnostics* diagnostics,
                              const ConfigFloor& floor = ConfigFloor());

// The exclusions of a git scan (every mode, and sweeps): the `--exclude`
// globs (trusted), the config's `exclude:` (restricted already when
// repository-supplied) and the `.sprawlignore` at `config_root` (the work
// tree, or a range's base), whose catch-all lines are dropped with a
// warning unless `trusted`. An unreadable or hostile .sprawlignore is a
// warning and ignored.
IgnoreRules GitExclusions(const std::vector<std::string>& flags,
                          const Config& config, const std::string& config_root,
                          bool trusted, Diagnostics* diagnostics);

}  // namespace sprawl
