// Reporters: render a Report to bytes in one format each. They know no
// engine and no git; the raw secret appears only when the Report carries it
// (--show-secrets). Stateless functions; thread-safe.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "scanner/base/result.h"
#include "scanner/findings/report.h"

namespace sprawl {

struct RenderOptions {
  bool color = false;  // ANSI colour (text only; on a terminal)
  std::string date;    // YYYY-MM-DD the report is dated (markdown; --now)
};

// Human formats list at most this many locations per credential, then a
// count of the rest (the JSON report has them all).
inline constexpr std::size_t kMaxListedLocations = 20;
// A location's `refs` (JSON, JSON Lines) lists at most this many of the ref
// tips that hold it; `refs_count` says how many there are.
inline constexpr std::size_t kMaxListedRefs = 20;

// Names accepted by --format, in documentation order.
const std::vector<std::string>& ReportFormats();

// Unknown format names are an Error (exit 2).
Status RenderReport(const std::string& format, const Report& report,
                    const RenderOptions& options, std::ostream& out);

// A copy of `report` whose strings of repository or inventory origin hold
// no control byte (EscapeControls); paths are left to each reporter's
// EscapeForDisplay. RenderReport applies it to the human formats.
Report DisplaySafe(const Report& report);

// One file per format.
void RenderJson(const Report& report, std::ostream& out);
void RenderJsonLines(const Report& report, std::ostream& out);
void RenderText(const Report& report, const RenderOptions& options,
                std::ostream& out);
// SARIF 2.1.0 for code scanning (sarif_reporter.cc documents the mapping).
void RenderSarif(const Report& report, std::ostream& out);
// One row per location, RFC 4180, defused against formula injection.
void RenderCsv(const Report& report, std::ostream& out);
// The audit report: totals, AI keys, failing credentials, controls.
// Dated `options.date` (none when empty) and stamped with the version.
void RenderMarkdown(const Report& report, std::ostream& out,
                    const RenderOptions& options = {});
// JUnit XML: one test case per credential; failing ones have <failure>.
void RenderJunit(const Report& report, std::ostream& out);
// GitHub Actions workflow commands (::error / ::warning annotations).
void RenderGithub(const Report& report, std::ostream& out);

}  // namespace sprawl
