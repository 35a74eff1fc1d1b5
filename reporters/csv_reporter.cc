// CSV for spreadsheets: a header row, then one row per credential location.
// RFC 4180: CRLF line ends, fields holding a comma, quote, CR or LF are
// quoted with quotes doubled. Cells are also defused against spreadsheet
// formula injection (a cell starting with = + - @ TAB or CR gets a leading
// single quote), since paths, owners and commit data come from the scanned
// repository. Paths are escaped like every report (EscapeForDisplay).
#include "reporters/reporter.h"
#include "scanner/base/text.h"

namespace sprawl {
namespace {

std::string Cell(std::string_view raw) {
  std::string s(raw);
  if (!s.empty() && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' ||
                     s[0] == '\t' || s[0] == '\r')) {
    s.insert(s.begin(), '\'');
  }
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) {
    if (c == '"') q += '"';
    q += c;
  }
  q += '"';
  return q;
}

}  // namespace

void RenderCsv(const Report& report, std::ostream& out) {
  out << "fingerprint,rule,provider,category,status,owner,inventory_id,"
         "redacted,source,path,line,column,commit,client,endpoint,server,"
         "key_path\r\n";
  for (const auto& c : report.credentials) {
    for (const auto& l : c.locations) {
      const std::string commit = l.git ? l.git->commit : "";
      out << Cell(c.fingerprint) << ',' << Cell(c.rule) << ','
          << Cell(c.provider) << ',' << Cell(c.category) << ','
          << Cell(c.status) << ','
          << Cell(EscapeForDisplay(c.owner.value_or(""))) << ','
          << Cell(EscapeForDisplay(c.inventory_id.value_or(""))) << ','
          << Cell(c.redacted) << ',' << Cell(l.source) << ','
          << Cell(EscapeForDisplay(l.path)) << ',' << l.line << ',' << l.column
          << ',' << Cell(commit);
      // Developer-client columns (empty outside client files).
      const ClientContext none;
      const ClientContext& k = l.client ? *l.client : none;
      out << ',' << Cell(k.client) << ',' << Cell(EscapeForDisplay(k.endpoint))
          << ',' << Cell(EscapeForDisplay(k.server)) << ','
          << Cell(EscapeForDisplay(k.key_path)) << "\r\n";
    }
  }
}

}  // namespace sprawl
