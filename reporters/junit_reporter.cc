// JUnit XML for CI dashboards: one <testcase> per credential (classname
// "sprawl.<provider>", name "<rule> <redacted> <fingerprint>"); a credential
// that fails the policy carries a <failure> listing its locations, others
// pass with their status in <system-out>. Each scanned-in value goes through
// EscapeForDisplay (valid UTF-8, none of the control characters XML 1.0
// forbids), then the whole text through XML escaping.
#include "reporters/reporter.h"
#include "scanner/base/text.h"

namespace sprawl {
namespace {

// XML escaping only; callers pass display-safe text (see D below).
std::string Xml(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// Display-safe: valid UTF-8, control characters as \xNN.
std::string D(std::string_view s) { return EscapeForDisplay(s); }

std::string LocationLine(const Location& l) {
  std::string s = "  ";
  if (!l.repo.empty()) s += D(l.repo) + ": ";
  s +=
      D(l.path) + ":" + std::to_string(l.line) + ":" + std::to_string(l.column);
  if (l.source != "file") s += " [" + l.source + "]";
  if (l.git && !l.git->commit.empty()) s += " commit " + l.git->commit;
  if (l.pipeline) s += " " + l.pipeline->system + " " + D(l.pipeline->key_path);
  return s + "\n";
}

std::string Details(const ReportedCredential& c) {
  std::string s = "status: " + c.status + "\nrule: " + c.rule +
                  "\nfingerprint: " + c.fingerprint + "\n";
  if (!c.reason.empty()) s += "reason: " + D(c.reason) + "\n";
  if (c.inventory_id) s += "inventory: " + D(*c.inventory_id) + "\n";
  if (c.owner) s += "owner: " + D(*c.owner) + "\n";
  if (c.suggested_owner) {
    s += "suggested owner: " + D(*c.suggested_owner) + "\n";
  }
  s += "locations:\n";
  for (const auto& l : c.locations) s += LocationLine(l);
  return s;
}

}  // namespace

void RenderJunit(const Report& report, std::ostream& out) {
  uint64_t failures = 0;
  for (const auto& c : report.credentials) failures += c.fails ? 1 : 0;
  const std::string counts =
      " tests=\"" + std::to_string(report.credentials.size()) +
      "\" failures=\"" + std::to_string(failures) + "\" errors=\"0\"";
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << "<testsuites name=\"sprawl\"" << counts << ">\n";
  out << "  <testsuite name=\"sprawl." << Xml(D(report.command)) << "\""
      << counts << " skipped=\"0\">\n";
  out << "    <properties>\n"
      << "      <property name=\"scanned\" value=\""
      << report.stats.files_scanned << "\"/>\n"
      << "      <property name=\"interrupted\" value=\""
      << (report.stats.interrupted ? "true" : "false") << "\"/>\n"
      << "    </properties>\n";
  for (const auto& c : report.credentials) {
    out << "    <testcase classname=\"sprawl." << Xml(D(c.provider))
        << "\" name=\""
        << Xml(D(c.rule + " " + c.redacted + " " + c.fingerprint)) << "\">\n";
    if (c.fails) {
      out << "      <failure type=\"" << Xml(c.status) << "\" message=\""
          << Xml(c.status + ": " + D(c.reason.empty() ? c.rule : c.reason))
          << "\">" << Xml(Details(c)) << "</failure>\n";
    } else {
      out << "      <system-out>" << Xml(Details(c)) << "</system-out>\n";
    }
    out << "    </testcase>\n";
  }
  if (NothingScanned(report)) {
    out << "    <system-err>Nothing was scanned.</system-err>\n";
  }
  out << "  </testsuite>\n</testsuites>\n";
}

}  // namespace sprawl
