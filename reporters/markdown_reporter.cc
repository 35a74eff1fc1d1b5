// Markdown audit report, for a security lead to hand to an auditor: scope,
// totals by status / provider / owner, the AI-provider key inventory, every
// failing credential with its locations and (suggested) owner, warnings,
// inventory entries never seen, pipeline findings, and which control each
// finding class evidences (OWASP Non-Human Identities Top 10 2025, NIST CSF
// 2.0). Deterministic: dated by --now (else today), stamped with the tool
// version; credentials by severity (status precedence), then the Report's
// order; at most kMaxListedLocations locations each. Scanned-in
// text is made display-safe and Markdown-escaped so a file name cannot
// inject markup or break a table.
#include <algorithm>
#include <map>
#include <vector>

#include "reporters/reporter.h"
#include "scanner/base/text.h"

namespace sprawl {
namespace {

// Backslash-escapes Markdown punctuation that could start markup or break
// a table cell.
std::string Md(std::string_view raw) {
  const std::string s = EscapeForDisplay(raw);
  std::string out;
  for (char c : s) {
    switch (c) {
      case '\\':
      case '`':
      case '*':
      case '_':
      case '[':
      case ']':
      case '<':
      case '>':
      case '|':
      case '~':
      case '#':
      case '&':
      case '!':
        out += '\\';
        [[fallthrough]];
      default:
        out += c;
    }
  }
  return out;
}

struct Tally {
  uint64_t credentials = 0;
  uint64_t failing = 0;
  uint64_t locations = 0;
  void Add(const ReportedCredential& c) {
    ++credentials;
    failing += c.fails ? 1 : 0;
    locations += c.locations.size();
  }
};

// Statuses in DESIGN.md precedence order.
const char* const kStatuses[] = {
    "revoked",        "expired",      "unowned",
    "misplaced",      "unregistered", "rotation-overdue",
    "review-overdue", "allowed",      "registered"};

struct Control {
  const char* status;
  const char* meaning;
  const char* owasp;  // OWASP Non-Human Identities Top 10 (2025)
  const char* nist;   // NIST Cybersecurity Framework 2.0 subcategories
};

// Which control a finding class gives evidence about (its absence when the
// count is non-zero, its operation when it is zero on a full scan).
const Control kControls[] = {
    {"revoked", "revoked or retired in the inventory, still in code",
     "NHI1:2025 Improper Offboarding",
     "PR.AA-01 (credentials revoked), ID.AM-08 (life cycle)"},
    {"expired", "past its recorded expiry", "NHI7:2025 Long-Lived Secrets",
     "PR.AA-01, ID.AM-08"},
    {"unowned", "registered without an owner", "NHI1:2025 Improper Offboarding",
     "GV.RR-02 (roles and responsibilities), ID.AM-07 (owner in inventory)"},
    {"misplaced", "found outside its allowed paths",
     "NHI2:2025 Secret Leakage, NHI8:2025 Environment Isolation",
     "PR.DS-01 (data at rest), PR.AA-05 (access policy)"},
    {"unregistered", "not in the inventory, not allowed",
     "NHI2:2025 Secret Leakage",
     "ID.AM-07 (inventory of designated data), PR.AA-01"},
    {"rotation-overdue", "rotation interval exceeded",
     "NHI7:2025 Long-Lived Secrets", "PR.AA-01, ID.AM-08"},
    {"review-overdue", "consumer access review overdue",
     "NHI5:2025 Overprivileged NHI", "PR.AA-05 (permissions reviewed)"},
    {"allowed", "accepted by an owned, justified, expiring allow entry",
     "NHI2:2025 Secret Leakage (documented exception)",
     "ID.RA-06 (risk response tracked), ID.AM-07"},
    {"registered", "known, owned, in date, in place",
     "NHI2:2025 Secret Leakage, NHI7:2025 Long-Lived Secrets (controls "
     "operating)",
     "ID.AM-07, PR.AA-01"},
};

std::string OwnerOf(const ReportedCredential& c) {
  if (c.owner) return Md(*c.owner);
  if (c.suggested_owner)
    return "none (suggested: " + Md(*c.suggested_owner) + ")";
  return "none";
}

std::string LocationText(const Location& l) {
  std::string s;
  if (!l.repo.empty()) s += Md(l.repo) + ": ";
  s += Md(l.path) + ":" + std::to_string(l.line) + ":" +
       std::to_string(l.column);
  if (l.source != "file") s += " (" + l.source + ")";
  if (l.git && !l.git->commit.empty()) {
    s += ", commit " + l.git->commit.substr(0, 12) + " by " +
         Md(l.git->author) + " on " + Md(l.git->date);
    if (l.source == "git") s += l.git->in_head ? ", in HEAD" : ", history only";
  }
  if (l.pipeline) {
    s +=
        ", pipeline " + Md(l.pipeline->system) + " " + Md(l.pipeline->key_path);
  }
  if (l.client) {
    s += ", client " + Md(l.client->client) + " " + Md(l.client->key_path);
  }
  return s;
}

// Credentials held in developer tools' files (scanner/clients): one row
// per location, then the references those files make. Returns how many
// credentials it listed.
uint64_t DeveloperClientSection(const Report& report, std::ostream& out) {
  uint64_t credentials = 0;
  std::string rows;
  for (const auto& c : report.credentials) {
    bool counted = false;
    for (const auto& l : c.locations) {
      if (!l.client) continue;
      if (!counted) ++credentials;
      counted = true;
      std::string for_what = Md(l.client->endpoint);
      if (!l.client->server.empty()) {
        for_what += (for_what.empty() ? "" : ", ") + std::string("server ") +
                    Md(l.client->server);
      }
      rows += "| " + Md(l.client->client) + " | " + Md(l.path) + ":" +
              std::to_string(l.line) + " " + Md(l.client->key_path) + " | " +
              for_what + " | " + Md(c.rule) + " | " + Md(c.redacted) + " | " +
              c.status + " |\n";
    }
  }
  uint64_t references = 0;
  for (const auto& r : report.references) {
    // Client references carry the client as their system.
    static const char* const kClients[] = {
        "postman", "insomnia", "bruno", "http-file", "npm", "pypi", "netrc",
        "docker", "kubeconfig", "aws-cli", "gcloud", "azure-cli", "mcp"};
    for (const char* k : kClients) references += r.system == k ? 1 : 0;
  }
  if (credentials == 0 && references == 0) return 0;
  out << "## Developer-client credentials\n\n"
         "Credentials held in the configs and exports of developer tools (API "
         "clients, package registries, cluster and cloud CLIs, MCP servers of "
         "AI agents): copied between machines, synced to vendors and "
         "exported, they belong in a secrets manager or the tool's "
         "credential helper (OWASP NHI2:2025 Secret Leakage, NHI7:2025 "
         "Long-Lived Secrets; NIST CSF 2.0 PR.AA-01, PR.DS-01).\n\n";
  if (credentials > 0) {
    out << "| client | where | for | rule | preview | status |\n"
           "| --- | --- | --- | --- | --- | --- |\n"
        << rows << '\n';
  }
  if (references > 0) {
    out << references
        << " reference(s) in these files point at secrets kept elsewhere "
           "(`{{apiKey}}`, `${env:X}`); they are listed under `references` "
           "in the JSON report.\n\n";
  }
  return credentials;
}

void TallyTable(std::ostream& out, const char* header,
                const std::map<std::string, Tally>& rows) {
  out << "| " << header << " | credentials | failing | locations |\n"
      << "| --- | ---: | ---: | ---: |\n";
  for (const auto& [name, t] : rows) {
    out << "| " << name << " | " << t.credentials << " | " << t.failing << " | "
        << t.locations << " |\n";
  }
  out << '\n';
}

// Rank of a status in DESIGN.md precedence (unknown ones last).
std::size_t Severity(const std::string& status) {
  std::size_t i = 0;
  for (const char* s : kStatuses) {
    if (status == s) return i;
    ++i;
  }
  return i;
}

}  // namespace

void RenderMarkdown(const Report& report, std::ostream& out,
                    const RenderOptions& options) {
  std::map<std::string, Tally> by_status, by_provider, by_owner;
  Tally total;
  for (const auto& c : report.credentials) {
    total.Add(c);
    by_status[c.status].Add(c);
    by_provider[Md(c.provider)].Add(c);
    by_owner[c.owner ? Md(*c.owner) : "(no owner)"].Add(c);
  }
  const ScanStats& st = report.stats;

  out << "# sprawl credential audit\n\n";
  if (!options.date.empty()) out << "- Date: " << Md(options.date) << "\n";
  out << "- Tool: sprawl " << SPRAWL_VERSION << "\n";
  out << "- Scan: `sprawl " << Md(report.command) << "`, " << st.files_scanned
      << (report.command == "git" ? " blob(s)" : " file(s)") << " ("
      << HumanBytes(st.bytes_scanned) << ")";
  if (st.commits > 0) out << " from " << st.commits << " commit(s)";
  out << "\n- Credentials: " << total.credentials << " distinct, in "
      << total.locations << " location(s); **" << total.failing
      << " fail the policy**\n";
  if (!report.repositories.empty()) {
    out << "- Repositories: " << report.repositories.size() << "\n";
  }
  if (st.interrupted) out << "- **Interrupted: the results are partial.**\n";
  if (NothingScanned(report)) {
    out << "- **Nothing was scanned**: this report is not evidence of a "
           "clean state.\n";
  }
  if (report.diagnostics > 0) {
    out << "- " << report.diagnostics
        << " diagnostic(s) were printed during the scan (unreadable files or "
           "objects)\n";
  }
  out << '\n';

  out << "## Totals by status\n\n"
      << "| status | credentials | failing | locations |\n"
      << "| --- | ---: | ---: | ---: |\n";
  for (const char* s : kStatuses) {
    auto it = by_status.find(s);
    if (it == by_status.end()) continue;
    out << "| " << s << " | " << it->second.credentials << " | "
        << it->second.failing << " | " << it->second.locations << " |\n";
  }
  for (const auto& [s, t] : by_status) {  // statuses outside the table
    bool known = false;
    for (const char* k : kStatuses) known = known || s == k;
    if (!known) {
      out << "| " << Md(s) << " | " << t.credentials << " | " << t.failing
          << " | " << t.locations << " |\n";
    }
  }
  out << "| **total** | " << total.credentials << " | " << total.failing
      << " | " << total.locations << " |\n\n";
  out << "## Totals by provider\n\n";
  TallyTable(out, "provider", by_provider);
  out << "## Totals by owner\n\n";
  TallyTable(out, "owner", by_owner);

  out << "## AI-provider keys\n\n";
  bool any_ai = false;
  for (const auto& c : report.credentials) {
    if (c.category != "ai") continue;
    if (!any_ai) {
      out << "| provider | rule | preview | status | owner | inventory id | "
             "locations |\n| --- | --- | --- | --- | --- | --- | ---: |\n";
      any_ai = true;
    }
    out << "| " << Md(c.provider) << " | " << Md(c.rule) << " | "
        << Md(c.redacted) << " | " << c.status << " | " << OwnerOf(c) << " | "
        << (c.inventory_id ? Md(*c.inventory_id) : "none") << " | "
        << c.locations.size() << " |\n";
  }
  out << (any_ai ? "\n" : "No AI-provider key was found.\n\n");

  // Most severe first; ties keep the Report's (fingerprint) order.
  std::vector<const ReportedCredential*> by_severity;
  for (const auto& c : report.credentials) by_severity.push_back(&c);
  std::stable_sort(by_severity.begin(), by_severity.end(),
                   [](const ReportedCredential* a, const ReportedCredential* b) {
                     if (a->fails != b->fails) return a->fails;
                     return Severity(a->status) < Severity(b->status);
                   });

  out << "## Credentials failing the policy\n\n";
  if (total.failing == 0) out << "None.\n\n";
  for (const ReportedCredential* cp : by_severity) {
    const ReportedCredential& c = *cp;
    if (!c.fails) continue;
    out << "### " << Md(c.rule) << " " << Md(c.redacted) << " (" << c.status
        << ")\n\n"
        << "- Fingerprint: " << Md(c.fingerprint) << "\n"
        << "- Provider: " << Md(c.provider) << " (" << Md(c.category) << ", "
        << Md(c.confidence) << " confidence)\n";
    if (!c.confidence_reason.empty()) {
      out << "- Confidence: " << Md(c.confidence_reason) << "\n";
    }
    if (!c.reason.empty()) out << "- Reason: " << Md(c.reason) << "\n";
    if (c.inventory_id)
      out << "- Inventory id: " << Md(*c.inventory_id) << "\n";
    out << "- Owner: " << OwnerOf(c) << "\n";
    if (c.reused) out << "- Reused across repositories (NHI9:2025 NHI Reuse)\n";
    out << "- Locations (" << c.locations.size() << "):\n";
    std::size_t listed = 0;
    for (const auto& l : c.locations) {
      if (listed++ == kMaxListedLocations) break;
      out << "  - " << LocationText(l) << "\n";
    }
    if (c.locations.size() > kMaxListedLocations) {
      out << "  - ... and " << c.locations.size() - kMaxListedLocations
          << " more (the JSON report lists every location)\n";
    }
    out << '\n';
  }

  bool any_warn = false;
  for (const ReportedCredential* cp : by_severity) {
    const ReportedCredential& c = *cp;
    if (c.fails || c.status == "registered" || c.status == "allowed") continue;
    if (!any_warn) {
      out << "## Warnings\n\n| rule | preview | status | owner | locations "
             "|\n| --- | --- | --- | --- | ---: |\n";
      any_warn = true;
    }
    out << "| " << Md(c.rule) << " | " << Md(c.redacted) << " | " << c.status
        << " | " << OwnerOf(c) << " | " << c.locations.size() << " |\n";
  }
  if (any_warn) out << '\n';

  out << "## Inventory entries never seen\n\n";
  if (!report.unseen) {
    out << "Not determined: only full scans (`dir`, `git` without "
           "`--range`/`--staged`, `sweep`) establish what was not seen.\n\n";
  } else if (report.unseen->empty()) {
    out << "None: every inventory credential was found.\n\n";
  } else {
    out << "These inventory credentials were not found by this scan (retired "
           "in practice, or living somewhere not scanned):\n\n";
    for (const auto& id : *report.unseen) out << "- " << Md(id) << "\n";
    out << '\n';
  }

  if (!report.pipeline_findings.empty()) {
    out << "## Pipeline findings\n\n| kind | where | message |\n"
           "| --- | --- | --- |\n";
    for (const auto& p : report.pipeline_findings) {
      out << "| " << Md(p.kind) << " | ";
      if (!p.repo.empty()) out << Md(p.repo) << ": ";
      out << Md(p.path) << ":" << p.line << " " << Md(p.key_path) << " | "
          << Md(p.message) << " |\n";
    }
    out << '\n';
  }
  const uint64_t client_credentials = DeveloperClientSection(report, out);
  if (!report.repositories.empty()) {
    out << "## Repositories\n\n| repository | status | blobs scanned |\n"
           "| --- | --- | ---: |\n";
    for (const auto& r : report.repositories) {
      out << "| " << Md(r.repo) << " | " << Md(r.status)
          << (r.error.empty() ? "" : " (" + Md(r.error) + ")") << " | "
          << r.blobs_scanned << " |\n";
    }
    out << '\n';
  }

  out << "## Controls evidenced\n\n"
      << "Each finding class is evidence about a control: a non-zero count "
         "shows where it is not operating, a zero count on a full scan that "
         "it is.\n\n"
      << "| status | meaning | credentials | OWASP NHI Top 10 (2025) | NIST "
         "CSF 2.0 |\n| --- | --- | ---: | --- | --- |\n";
  for (const Control& k : kControls) {
    auto it = by_status.find(k.status);
    out << "| " << k.status << " | " << k.meaning << " | "
        << (it == by_status.end() ? 0 : it->second.credentials) << " | "
        << k.owasp << " | " << k.nist << " |\n";
  }
  uint64_t reused = 0;
  for (const auto& c : report.credentials) reused += c.reused ? 1 : 0;
  out << "| reused | one credential in several repositories | " << reused
      << " | NHI9:2025 NHI Reuse | PR.AA-01 |\n"
      << "| pipeline findings | static cloud keys and similar in CI | "
      << report.pipeline_findings.size()
      << " | NHI6:2025 Insecure Cloud Deployment Configurations, NHI7:2025 "
         "Long-Lived Secrets, NHI4:2025 Insecure Authentication "
         "| PR.AA-03 (services authenticated) |\n"
      << "| developer-client credentials | held in developer tools' configs "
         "and exports | "
      << client_credentials
      << " | NHI2:2025 Secret Leakage, NHI4:2025 Insecure Authentication, "
         "NHI7:2025 Long-Lived Secrets | PR.AA-01 (identities and "
         "credentials managed), PR.DS-01 (data at rest protected) |\n\n";
}

}  // namespace sprawl
