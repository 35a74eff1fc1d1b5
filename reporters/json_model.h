// JSON building blocks shared by the JSON-based reporters (json, jsonl):
// the wire shape of a credential and of a location, documented in
// DESIGN.md ("JSON report"). Paths are escaped to valid UTF-8.
#pragma once

#include <nlohmann/json.hpp>

#include "scanner/findings/report.h"

namespace sprawl {

nlohmann::ordered_json LocationJson(const Location& l);
// The credential without its locations.
nlohmann::ordered_json CredentialHeaderJson(const ReportedCredential& c);
nlohmann::ordered_json SummaryJson(const Report& report);

}  // namespace sprawl
