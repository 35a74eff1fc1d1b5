#include "scanner/config/config_trust.h"

#include <set>
#include <vector>

#include "scanner/base/glob.h"
#include "scanner/base/repo_file.h"
#include "scanner/base/text.h"
#include "scanner/findings/report_builder.h"

namespace sprawl {
namespace {

constexpr const char* kHow =
    " (the scanned tree cannot weaken its own gate: pass it as a flag, or "
    "--trust-repo-config)";

}  // namespace

void RestrictRepositoryConfig(Config* config, Diagnostics* diagnostics,
                              const ConfigFloor& floor) {
  const std::string where = config->path;
  std::vector<std::string> kept;
  for (std::string& glob : config->exclude) {
    if (IsCatchAllPattern(glob)) {
      diagnostics->Warn(where, "exclude pattern '" + EscapeForDisplay(glob) +
                                   "' covers every file; not honoured" + kHow);
      continue;
    }
    kept.push_back(std::move(glob));
  }
  config->exclude = std::move(kept);
  if (config->fail_on) {
    auto listed = ParseFailOn(*config->fail_on);
    std::set<std::string> effective =
        listed.ok() ? *listed : std::set<std::string>();
    std::string dropped;
    for (const std::string& s : DefaultFailOn()) {
      if (effective.insert(s).second)
        dropped += (dropped.empty() ? "" : ", ") + s;
    }
    if (!dropped.empty()) {
      diagnostics->Warn(where, "policy.fail_on cannot remove " + dropped +
                                   "; they still fail" + kHow);
      std::string csv;
      for (const std::string& s : effective)
        csv += (csv.empty() ? "" : ",") + s;
      config->fail_on = csv;
    }
  }
  if (config->fail_on_new_only) {
    if (*config->fail_on_new_only) {
      diagnostics->Warn(where,
                        std::string("policy.fail_on_new_only ignored") + kHow);
    }
    config->fail_on_new_only.reset();
  }
  // The default floor is medium: the tree may lower it (stricter), never
  // raise it so that medium-confidence credentials stop failing.
  if (config->min_confidence && *config->min_confidence == "high") {
    diagnostics->Warn(where,
                      std::string("policy.min_confidence: high ignored") + kHow);
    config->min_confidence.reset();
  }
  if (config->incomplete_ok) {
    diagnostics->Warn(where,
                      std::string("policy.incomplete_ok ignored") + kHow);
    config->incomplete_ok.reset();
  }
  auto floor_size = [&](std::optional<uint64_t>* v, uint64_t min,
                        const char* name) {
    if (*v && **v < min) {
      diagnostics->Warn(where, std::string("limits.") + name +
                                   " below the default ignored" + kHow);
      v->reset();
    }
  };
  floor_size(&config->max_file_size, floor.max_file_size, "max_file_size");
  floor_size(&config->max_blob_size, floor.max_blob_size, "max_blob_size");
  floor_size(&config->max_yaml_size, floor.max_yaml_size, "max_yaml_size");
  if (config->scan_timeout && *config->scan_timeout != 0 &&
      *config->scan_timeout < floor.scan_timeout) {
    diagnostics->Warn(where, std::string("limits.scan_timeout below the "
                                         "default ignored") +
                                 kHow);
    config->scan_timeout.reset();
  }
}

IgnoreRules GitExclusions(const std::vector<std::string>& flags,
                          const Config& config, const std::string& config_root,
                          bool trusted, Diagnostics* diagnostics) {
  IgnoreRules rules;
  for (const auto& glob : config.exclude) rules.AddPattern("", glob);
  for (const auto& glob : flags) rules.AddPattern("", glob);
  const std::string path = config_root + "/.sprawlignore";
  auto text = ReadRepoFile(config_root, path);
  if (!text.ok()) {
    diagnostics->Warn("", text.error().message);
    return rules;
  }
  if (!*text) return rules;
  std::string_view rest = **text;
  while (!rest.empty()) {
    const std::size_t nl = rest.find('\n');
    const std::string_view line = rest.substr(0, nl);
    rest =
        nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    if (!trusted && IsCatchAllPattern(line)) {
      diagnostics->Warn(".sprawlignore",
                        std::string("a pattern that excludes every file is "
                                    "not honoured") +
                            kHow);
      continue;
    }
    rules.AddPattern("", line);
  }
  return rules;
}

}  // namespace sprawl
