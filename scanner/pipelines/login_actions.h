// Official cloud login actions that accept either a long-lived key or OIDC:
// a step giving them a static key gets a pipeline finding of kind
// `static-cloud-key-in-login-action`. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string_view>

#include "scanner/findings/report.h"

namespace sprawl {

inline constexpr std::string_view kStaticCloudKeyKind =
    "static-cloud-key-in-login-action";

// For a step `uses: <uses>` with input `<input>: <value>`: a finding (kind
// and message set; path, key_path and line left to the caller) when the
// input hands the action a static cloud key, else nullopt. An empty value
// gives nothing.
std::optional<PipelineFindingEntry> CheckLoginInput(std::string_view uses,
                                                    std::string_view input,
                                                    std::string_view value);

}  // namespace sprawl
