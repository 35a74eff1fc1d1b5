#include "scanner/sweep/sweep_diagnostics.h"

#include <cstring>
#include <string_view>
#include <utility>

namespace sprawl {

namespace {

// Phrases of the git source's diagnostics about objects it could not read.
bool IsObjectProblem(std::string_view line) {
  for (std::string_view phrase :
       {" unreadable: ", "history behind it is skipped", "cannot read commit",
        "malformed tree", "missing object", "cannot open object database",
        "cannot list references", "malformed pack entries", "commit cycle"}) {
    if (line.find(phrase) != std::string_view::npos) return true;
  }
  return false;
}

}  // namespace

int ObjectProblems(const Diagnostics& local) {
  const std::string text = local.Text();
  int n = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + pos, end - pos);
    pos = end + 1;
    if (line.rfind("sprawl: note: ", 0) == 0) continue;
    if (IsObjectProblem(line)) ++n;
  }
  return n;
}

void Forward(const Diagnostics& local, const std::string& repo,
             Diagnostics* out, bool partial_clone) {
  ForwardText(local.Text(), repo, out, partial_clone);
}

void ForwardText(const std::string& text, const std::string& repo,
                 Diagnostics* out, bool partial_clone) {
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
    if (partial_clone && severity == Severity::kWarning &&
        line.find(" unreadable: ") != std::string_view::npos) {
      severity = Severity::kNote;
    }
    out->Report(severity, repo, line);
  }
}

std::string FirstProblem(const Diagnostics& local) {
  const std::string text = local.Text();
  std::string first;  // the first warning or error of any kind
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    for (const char* tag : {"sprawl: warning: ", "sprawl: error: "}) {
      if (line.rfind(tag, 0) != 0) continue;
      std::string what = line.substr(std::strlen(tag));
      if (IsObjectProblem(what)) return what;
      if (first.empty()) first = std::move(what);
    }
  }
  return first.empty() ? "unreadable objects" : first;
}

}  // namespace sprawl
