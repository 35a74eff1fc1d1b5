// Config: `.sprawl/config.yaml` at the scanned root — policy, ignores, extra
// rule packs and limits. Flags override it. Unknown keys are errors naming
// file, line and field. Plain value; immutable once loaded.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "scanner/base/result.h"

namespace sprawl {

struct Config {
  std::string path;                       // file it came from ("" = none)
  std::vector<std::string> rules;         // extra packs, resolved to paths
  std::vector<std::string> exclude;       // gitignore-style globs
  std::optional<std::string> fail_on;     // comma-separated statuses
  std::optional<std::string> min_confidence;  // policy.min_confidence
  std::optional<std::string> inventory;   // inventory file, resolved
  std::optional<uint64_t> max_file_size;  // bytes
  std::optional<uint64_t> max_blob_size;  // bytes
  std::optional<uint64_t> max_yaml_size;  // bytes
  std::optional<double> scan_timeout;     // seconds per file or blob
  std::optional<int> threads;
  // policy.fail_on_new_only: in `git --range`, only credentials new to the
  // range fail the gate.
  std::optional<bool> fail_on_new_only;
  // policy.incomplete_ok: skips that do not make the scan incomplete
  // ("too-large,timed-out"; see scanner/findings/completeness.h).
  std::optional<std::string> incomplete_ok;
};

// Parses "123", "10MB", "50MiB", "1G" into bytes.
Result<uint64_t> ParseByteSize(const std::string& text);

// Parses seconds: "30", "2.5", "90s", "5m"; 0 means no limit.
Result<double> ParseSeconds(const std::string& text);

// Parses config text; relative paths resolve against `root`.
Result<Config> ParseConfig(const std::string& yaml_text,
                           const std::string& origin, const std::string& root);

// Loads `<root>/.sprawl/config.yaml` when it exists; an empty Config if not.
Result<Config> LoadConfigForRoot(const std::string& root);

}  // namespace sprawl
