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
};

// Names accepted by --format, in documentation order.
const std::vector<std::string>& ReportFormats();

// Unknown format names are an Error (exit 2).
Status RenderReport(const std::string& format, const Report& report,
                    const RenderOptions& options, std::ostream& out);

// One file per format.
void RenderJson(const Report& report, std::ostream& out);
void RenderJsonLines(const Report& report, std::ostream& out);
void RenderText(const Report& report, const RenderOptions& options,
                std::ostream& out);

}  // namespace sprawl
