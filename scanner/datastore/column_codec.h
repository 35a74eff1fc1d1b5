// How the datastore encodes structured values in its TEXT columns (JSON
// lists and the pipeline context of a location), and the column list of the
// repositories table. Internal to scanner/datastore/. Pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scanner/findings/finding.h"

namespace sprawl {

// The columns of a repositories row, in the order ReadRepository expects
// them (then ref_signature, from its own table, and the repository's
// inventory columns: see kRepoSelect).
inline constexpr std::string_view kRepoColumns =
    "repo, source, status, error, blobs_scanned, duration_ms, last_sweep, "
    "ref_tips";

// Every repository with its signature ("" = none), for ReadRepository;
// callers add a WHERE or ORDER BY on `r`.
inline constexpr std::string_view kRepoSelect =
    "SELECT r.repo, r.source, r.status, r.error, r.blobs_scanned, "
    "r.duration_ms, r.last_sweep, r.ref_tips, coalesce(s.signature, ''), "
    "r.inventory, r.inventory_error "
    "FROM repositories r LEFT JOIN ref_signatures s ON s.repo_id = r.id";

// A JSON array of strings (invalid UTF-8 replaced).
std::string JsonList(const std::vector<std::string>& v);
// The strings of a JSON array; anything else reads as empty.
std::vector<std::string> ParseList(const std::string& text);

// "" when the location has no pipeline context.
std::string PipelineJson(const Location& l);
std::optional<PipelineContext> ParsePipeline(const std::string& text);

// "" when the location has no developer-client context.
std::string ClientJson(const Location& l);
std::optional<ClientContext> ParseClient(const std::string& text);

}  // namespace sprawl
