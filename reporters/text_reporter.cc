// Text for people: one block per credential (status, rule, redacted preview,
// fingerprint, then every location), then a one-paragraph summary. Colour
// only when RenderOptions::color (stdout is a terminal and NO_COLOR unset).
#include <algorithm>
#include <cstdio>
#include <vector>

#include "reporters/reporter.h"
#include "scanner/base/text.h"

namespace sprawl {
namespace {

const char* kReset = "\x1b[0m";
const char* kBold = "\x1b[1m";
const char* kRed = "\x1b[31m";
const char* kYellow = "\x1b[33m";
const char* kGreen = "\x1b[32m";
const char* kDim = "\x1b[2m";

std::string Plural(uint64_t n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

}  // namespace

void RenderText(const Report& report, const RenderOptions& options,
                std::ostream& out) {
  auto paint = [&](const char* code, const std::string& s) {
    return options.color ? std::string(code) + s + kReset : s;
  };
  // People read failures first: failing, then warnings, then passing; ties
  // keep the report's fingerprint order, so output stays deterministic.
  std::vector<const ReportedCredential*> order;
  for (const auto& c : report.credentials) order.push_back(&c);
  auto rank = [](const ReportedCredential& c) {
    if (c.fails) return 0;
    return c.status == "registered" || c.status == "allowed" ? 2 : 1;
  };
  std::stable_sort(order.begin(), order.end(),
                   [&](const ReportedCredential* a, const ReportedCredential* b) {
                     return rank(*a) < rank(*b);
                   });
  for (const ReportedCredential* cp : order) {
    const ReportedCredential& c = *cp;
    const int r = rank(c);
    const char* color = r == 0 ? kRed : r == 1 ? kYellow : kGreen;
    const char* label = r == 0 ? "FAIL " : r == 1 ? "warn " : "ok   ";
    out << paint(color, label + c.status) << "  "
        << paint(kBold, c.rule) << "  " << c.redacted << '\n';
    out << "  " << c.rule_name << " (" << c.provider << ", " << c.category
        << ", " << c.confidence << " confidence)\n";
    if (!c.confidence_reason.empty()) {
      out << "  confidence: " << c.confidence_reason << '\n';
    }
    out << "  " << paint(kDim, c.fingerprint) << '\n';
    if (c.secret) out << "  secret: " << EscapeForDisplay(*c.secret) << '\n';
    if (!c.reason.empty()) out << "  reason: " << c.reason << '\n';
    if (c.is_new && report.command == "git") {
      out << (*c.is_new ? "  new in this range\n"
                        : "  not new: inherited from the range's base\n");
    }
    if (c.inventory_id) out << "  inventory: " << *c.inventory_id << '\n';
    if (c.owner) out << "  owner: " << *c.owner << '\n';
    if (c.suggested_owner) {
      out << "  suggested owner: " << *c.suggested_owner << '\n';
    }
    std::size_t listed = 0;
    for (const auto& l : c.locations) {
      if (listed++ == kMaxListedLocations) {
        out << "    ... and " << c.locations.size() - kMaxListedLocations
            << " more locations (--format json lists them all)\n";
        break;
      }
      out << "    ";
      if (!l.repo.empty()) out << EscapeForDisplay(l.repo) << ": ";
      out << EscapeForDisplay(l.path) << ':' << l.line << ':' << l.column;
      if (l.source != "file") out << "  [" << l.source << "]";
      if (l.git && !l.git->commit.empty()) {
        out << "  commit " << l.git->commit.substr(0, 12) << " by "
            << EscapeForDisplay(l.git->author) << " " << l.git->date;
        if (l.source == "git") {
          out << (l.git->in_head ? "  (in HEAD)" : "  (history only)");
        }
      }
      if (l.pipeline) {
        out << "  " << l.pipeline->system << " " << l.pipeline->key_path;
      }
      if (l.client) {
        out << "  " << l.client->client << " "
            << EscapeForDisplay(l.client->key_path);
        if (!l.client->server.empty()) {
          out << " (server " << EscapeForDisplay(l.client->server) << ")";
        }
        if (!l.client->endpoint.empty()) {
          out << " for " << EscapeForDisplay(l.client->endpoint);
        }
      }
      out << '\n';
    }
    out << '\n';
  }
  for (const auto& r : report.references) {
    if (r.status == "registered") continue;
    out << paint(kYellow, "warn unregistered reference") << "  " << r.name
        << "  ";
    if (!r.repo.empty()) out << EscapeForDisplay(r.repo) << ": ";
    out << EscapeForDisplay(r.path) << ':' << r.line << "  " << r.system << " "
        << r.key_path << " (no inventory credential lists it in ci_secrets)\n";
  }
  for (const auto& p : report.pipeline_findings) {
    out << paint(kYellow, "pipeline " + p.kind) << "  ";
    if (!p.repo.empty()) out << EscapeForDisplay(p.repo) << ": ";
    out << EscapeForDisplay(p.path) << ':' << p.line << "  " << p.message
        << '\n';
  }
  for (const auto& r : report.repositories) {
    out << "repo " << EscapeForDisplay(r.repo) << ": " << r.status;
    if (r.status == "scanned") out << " (" << r.blobs_scanned << " new blobs)";
    if (!r.error.empty()) out << " - " << EscapeForDisplay(r.error);
    out << '\n';
  }
  uint64_t locations = 0;
  uint64_t failing = 0;
  for (const auto& c : report.credentials) {
    locations += c.locations.size();
    failing += c.fails ? 1 : 0;
  }
  const ScanStats& s = report.stats;
  out << paint(kBold, Plural(report.credentials.size(), "credential")) << " ("
      << failing << " failing the policy) in "
      << Plural(locations, "location") << "; scanned "
      << Plural(s.files_scanned, report.command == "git" ? "blob" : "file")
      << " (" << HumanBytes(s.bytes_scanned) << ")";
  if (s.commits > 0) out << " from " << Plural(s.commits, "commit");
  const uint64_t skipped = s.skipped_binary + s.skipped_too_large +
                           s.skipped_unreadable + s.skipped_ignored +
                           s.skipped_other;
  if (skipped > 0) {
    out << "; skipped " << s.skipped_binary << " binary, "
        << s.skipped_too_large << " too large, " << s.skipped_unreadable
        << " unreadable, " << s.skipped_ignored << " ignored, "
        << s.skipped_other << " other";
  }
  if (s.timed_out > 0) {
    out << "; " << s.timed_out << " stopped at the scan time limit";
  }
  out << ".\n";
  if (s.interrupted) {
    out << paint(kRed, "Interrupted: these results are partial.") << '\n';
  }
  if (NothingScanned(report)) {
    out << paint(kYellow, "Nothing was scanned.") << '\n';
  }
  if (!report.incomplete.empty()) {
    out << paint(kRed, "Incomplete scan: not everything was read:") << '\n';
    for (const auto& why : report.incomplete) out << "  - " << why << '\n';
  }
  if (!report.changed_config.empty()) {
    out << paint(kYellow,
                 "This range changes sprawl's own configuration (read from "
                 "the base revision instead):")
        << '\n';
    for (const auto& p : report.changed_config) {
      out << "  - " << EscapeForDisplay(p) << '\n';
    }
  }
}

}  // namespace sprawl
