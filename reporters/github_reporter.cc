// GitHub Actions workflow commands: one `::error` per location of a
// credential that fails the policy, one `::warning` per location of a
// credential in a warn status (anything not failing, registered or allowed),
// `::warning` for pipeline findings, then a plain summary line. Escaping
// follows the runner's rules: in data % CR LF become %25 %0D %0A; in
// properties also : and , become %3A %2C. Scanned-in text is first made
// display-safe (EscapeForDisplay), so a file name cannot inject a command.
#include "reporters/reporter.h"
#include "scanner/base/text.h"

namespace sprawl {
namespace {

std::string EscapeData(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '%':
        out += "%25";
        break;
      case '\r':
        out += "%0D";
        break;
      case '\n':
        out += "%0A";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string EscapeProperty(std::string_view s) {
  std::string out;
  for (char c : EscapeData(s)) {
    switch (c) {
      case ':':
        out += "%3A";
        break;
      case ',':
        out += "%2C";
        break;
      default:
        out += c;
    }
  }
  return out;
}

void Command(std::ostream& out, const char* level, const std::string& file,
             uint64_t line, uint64_t column, const std::string& title,
             const std::string& message) {
  out << "::" << level << " file=" << EscapeProperty(EscapeForDisplay(file));
  if (line > 0) out << ",line=" << line;
  if (column > 0) out << ",col=" << column;
  out << ",title=" << EscapeProperty(title) << "::" << EscapeData(message)
      << '\n';
}

std::string Message(const ReportedCredential& c) {
  std::string m =
      c.status + " " + c.rule + " " + c.redacted + " (" + c.fingerprint + ")";
  if (!c.reason.empty()) m += "\n" + EscapeForDisplay(c.reason);
  if (c.owner) m += "\nowner: " + EscapeForDisplay(*c.owner);
  if (c.suggested_owner) {
    m += "\nsuggested owner: " + EscapeForDisplay(*c.suggested_owner);
  }
  if (c.status == "unregistered") {
    m += "\nRegister it in the inventory (sprawl inventory init) or add an "
         "allow: entry.";
  }
  return m;
}

}  // namespace

void RenderGithub(const Report& report, std::ostream& out) {
  uint64_t failing = 0;
  uint64_t warned = 0;
  for (const auto& c : report.credentials) {
    const bool warn =
        !c.fails && c.status != "registered" && c.status != "allowed";
    if (!c.fails && !warn) continue;
    (c.fails ? failing : warned) += 1;
    const std::string title =
        "sprawl: " + c.status + " " + c.provider + " credential";
    for (const auto& l : c.locations) {
      const std::string file = l.repo.empty() ? l.path : l.repo + "/" + l.path;
      std::string message = Message(c);
      if (l.git && !l.git->commit.empty()) {
        message += "\nintroduced by commit " + l.git->commit;
      }
      Command(out, c.fails ? "error" : "warning", file, l.line, l.column, title,
              message);
    }
  }
  for (const auto& p : report.pipeline_findings) {
    const std::string file = p.repo.empty() ? p.path : p.repo + "/" + p.path;
    Command(out, "warning", file, p.line, 0, "sprawl: pipeline " + p.kind,
            EscapeForDisplay(p.message));
  }
  if (NothingScanned(report)) {
    out << "::warning title=sprawl::Nothing was scanned: no file or blob was "
           "read, so this is not a clean result.\n";
  }
  out << "sprawl: " << report.credentials.size() << " credential(s), "
      << failing << " failing the policy, " << warned << " with warnings; "
      << report.stats.files_scanned << " file(s) or blob(s) scanned.\n";
}

}  // namespace sprawl
