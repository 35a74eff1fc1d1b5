#include "reporters/reporter.h"

#include <optional>

namespace sprawl {

const std::vector<std::string>& ReportFormats() {
  static const std::vector<std::string> k = {
      "text", "json", "jsonl", "sarif", "csv", "markdown", "junit", "github"};
  return k;
}

Status RenderReport(const std::string& format, const Report& raw,
                    const RenderOptions& options, std::ostream& out) {
  // People (and their terminals, CI logs and spreadsheets) read these.
  const bool human = format == "text" || format == "csv" ||
                     format == "markdown" || format == "junit" ||
                     format == "github";
  std::optional<Report> safe;
  if (human) safe = DisplaySafe(raw);
  const Report& report = human ? *safe : raw;
  if (format == "text") {
    RenderText(report, options, out);
  } else if (format == "json") {
    RenderJson(report, out);
  } else if (format == "jsonl") {
    RenderJsonLines(report, out);
  } else if (format == "sarif") {
    RenderSarif(report, out);
  } else if (format == "csv") {
    RenderCsv(report, out);
  } else if (format == "markdown") {
    RenderMarkdown(report, out, options);
  } else if (format == "junit") {
    RenderJunit(report, out);
  } else if (format == "github") {
    RenderGithub(report, out);
  } else {
    std::string list;
    for (const auto& f : ReportFormats()) list += (list.empty() ? "" : ", ") + f;
    return Error{"--format: unknown or not yet available format '" + format +
                 "' (available: " + list + ")"};
  }
  return Status::Ok();
}

}  // namespace sprawl
