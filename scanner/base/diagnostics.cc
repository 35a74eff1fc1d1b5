#include "scanner/base/diagnostics.h"

#include "scanner/base/status_line.h"
#include "scanner/base/text.h"

namespace sprawl {

void Diagnostics::Report(Severity severity, std::string_view where,
                         std::string_view what) {
  std::string line = "sprawl: ";
  switch (severity) {
    case Severity::kNote: line += "note: "; break;
    case Severity::kWarning: line += "warning: "; break;
    case Severity::kError: line += "error: "; break;
  }
  if (!where.empty()) {
    // Idempotent: `where` is often escaped by its caller already.
    line += EscapeControls(where);
    line += ": ";
  }
  // A message may quote a scanned file's bytes (a YAML key, an author).
  line += EscapeControls(what);
  line += '\n';
  std::lock_guard<std::mutex> lock(mu_);
  if (severity == Severity::kWarning) ++warnings_;
  if (severity == Severity::kError) ++errors_;
  if (text_.size() < (1u << 20)) text_ += line;
  if (sink_ != nullptr && (severity != Severity::kNote || print_notes_)) {
    if (sink_ == stderr) {
      StatusLine::Stderr().Print(line);  // never over the progress line
    } else {
      std::fputs(line.c_str(), sink_);
    }
  }
}

int Diagnostics::warnings() const {
  std::lock_guard<std::mutex> lock(mu_);
  return warnings_;
}

int Diagnostics::errors() const {
  std::lock_guard<std::mutex> lock(mu_);
  return errors_;
}

std::string Diagnostics::Text() const {
  std::lock_guard<std::mutex> lock(mu_);
  return text_;
}

}  // namespace sprawl
