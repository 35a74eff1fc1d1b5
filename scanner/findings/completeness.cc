#include "scanner/findings/completeness.h"

#include "scanner/base/text.h"

namespace sprawl {

std::string ParseIncompleteOk(const std::string& csv,
                              CompletenessOptions* out) {
  std::size_t pos = 0;
  while (pos <= csv.size()) {
    std::size_t comma = csv.find(',', pos);
    if (comma == std::string::npos) comma = csv.size();
    const std::string item(
        Trim(std::string_view(csv).substr(pos, comma - pos)));
    pos = comma + 1;
    if (item.empty() || item == "none") continue;
    if (item == "too-large" || item == "too_large") {
      out->too_large_ok = true;
    } else if (item == "timed-out" || item == "timed_out") {
      out->timed_out_ok = true;
    } else {
      return "--incomplete-ok: unknown kind '" + item +
             "' (expected too-large, timed-out, or none)";
    }
  }
  return "";
}

std::vector<std::string> IncompleteReasons(const ScanStats& stats,
                                           const CompletenessOptions& options) {
  std::vector<std::string> out;
  if (stats.interrupted) out.push_back("interrupted before the scan finished");
  if (stats.skipped_unreadable > 0) {
    out.push_back(
        std::to_string(stats.skipped_unreadable) +
        " file(s), object(s) or repository part(s) could not be read");
  }
  if (stats.skipped_too_large > 0 && !options.too_large_ok) {
    out.push_back(std::to_string(stats.skipped_too_large) +
                  " file(s) or blob(s) over the size limit were not read");
  }
  if (stats.timed_out > 0 && !options.timed_out_ok) {
    out.push_back(std::to_string(stats.timed_out) +
                  " file(s) or blob(s) only partly matched (scan time limit)");
  }
  return out;
}

}  // namespace sprawl
