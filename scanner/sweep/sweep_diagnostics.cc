#include "scanner/sweep/sweep_diagnostics.h"

#include <cstring>
#include <string_view>
#include <utility>

namespace sprawl {

void Forward(const Diagnostics& local, const std::string& repo,
             Diagnostics* out) {
  const std::string text = local.Text();
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + pos, end - pos);
    pos = end + 1;
    if (line.rfind("sprawl: ", 0) == 0) line.remove_prefix(8);
    Severity severity = Severity::kWarning;
    for (auto [prefix, s] : {std::pair{"note: ", Severity::kNote},
                             std::pair{"warning: ", Severity::kWarning},
                             std::pair{"error: ", Severity::kError}}) {
      if (line.rfind(prefix, 0) == 0) {
        line.remove_prefix(std::string_view(prefix).size());
        severity = s;
      }
    }
    out->Report(severity, repo, line);
  }
}

std::string FirstProblem(const Diagnostics& local) {
  const std::string text = local.Text();
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    for (const char* tag : {"sprawl: warning: ", "sprawl: error: "}) {
      if (line.rfind(tag, 0) == 0) return line.substr(std::strlen(tag));
    }
  }
  return "unreadable objects";
}

}  // namespace sprawl
