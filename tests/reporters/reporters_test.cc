// Structure of every report format rendered from one hand-built Report
// (tests/report_fixture.h): SARIF shape and identities, CSV quoting and
// formula defusing (with a round trip through an RFC 4180 parser), JUnit
// counts and escaping, GitHub workflow-command escaping, the Markdown
// audit sections, and JSON streamed byte for byte as ordered_json prints it.
// Schema validation of SARIF lives in sarif_schema_test.cc.
#include <doctest/doctest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "reporters/reporter.h"
#include "scanner/base/text.h"
#include "tests/report_fixture.h"

namespace sprawl {
namespace {

using testing::SampleReport;

std::string Render(const std::string& format, const Report& report) {
  std::ostringstream out;
  Status s = RenderReport(format, report, RenderOptions{}, out);
  REQUIRE_MESSAGE(s.ok(), (s.ok() ? "" : s.error().message));
  return out.str();
}

std::size_t Count(const std::string& s, const std::string& needle) {
  std::size_t n = 0;
  for (auto p = s.find(needle); p != std::string::npos;
       p = s.find(needle, p + needle.size())) {
    ++n;
  }
  return n;
}

std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> lines;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

// RFC 4180 parser: records of fields; CRLF record separators.
std::vector<std::vector<std::string>> ParseCsv(const std::string& s) {
  std::vector<std::vector<std::string>> rows(1);
  std::string field;
  bool quoted = false;
  bool in_quotes = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (in_quotes) {
      if (c == '"' && i + 1 < s.size() && s[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        in_quotes = false;
      } else {
        field += c;
      }
    } else if (c == '"' && field.empty() && !quoted) {
      in_quotes = quoted = true;
    } else if (c == ',') {
      rows.back().push_back(field);
      field.clear();
      quoted = false;
    } else if (c == '\r' && i + 1 < s.size() && s[i + 1] == '\n') {
      rows.back().push_back(field);
      field.clear();
      quoted = false;
      rows.emplace_back();
      ++i;
    } else {
      REQUIRE_MESSAGE((c != '\n' && c != '\r' && c != '"'),
                      "bare CR/LF/quote outside a quoted field");
      field += c;
    }
  }
  if (rows.back().empty() && field.empty()) rows.pop_back();
  return rows;
}

TEST_SUITE("reporters") {
  TEST_CASE("every documented format renders and an unknown one is an error") {
    const Report report = SampleReport();
    for (const char* f : {"text", "json", "jsonl", "sarif", "csv", "markdown",
                          "junit", "github"}) {
      CAPTURE(f);
      const auto& formats = ReportFormats();
      CHECK(std::find(formats.begin(), formats.end(), f) != formats.end());
      CHECK_FALSE(Render(f, report).empty());
    }
    std::ostringstream out;
    CHECK_FALSE(RenderReport("xml", report, RenderOptions{}, out).ok());
  }

  TEST_CASE("sarif has one result per location with stable fingerprints") {
    const Report report = SampleReport();
    const auto j = nlohmann::json::parse(Render("sarif", report));
    CHECK(j["version"] == "2.1.0");
    REQUIRE(j["runs"].size() == 1);
    const auto& run = j["runs"][0];
    CHECK(run["tool"]["driver"]["name"] == "sprawl");
    CHECK(run["originalUriBaseIds"].contains("%SRCROOT%"));
    const auto& rules = run["tool"]["driver"]["rules"];
    // The table's first http(s) reference is the help URI.
    CHECK(rules[0]["id"] == "openai.project-key");
    CHECK(rules[0]["helpUri"] ==
          "https://platform.openai.com/docs/api-reference");
    CHECK(rules[0]["properties"]["provider"] == "openai");
    CHECK(rules[0]["properties"]["category"] == "ai");
    CHECK(rules[0]["properties"]["confidence"] == "high");

    std::size_t credential_results = 0;
    for (const auto& r : run["results"]) {
      const std::string id = r["ruleId"];
      CAPTURE(id);
      REQUIRE(r["ruleIndex"].get<std::size_t>() < rules.size());
      CHECK(rules[r["ruleIndex"].get<std::size_t>()]["id"] == id);
      const auto& art =
          r["locations"][0]["physicalLocation"]["artifactLocation"];
      const std::string uri = art["uri"];
      CHECK(uri.find_first_of(" \n\"#|<>`") == std::string::npos);
      CHECK(uri[0] != '/');
      CHECK(art["uriBaseId"] == "%SRCROOT%");
      if (id.rfind("sprawl.pipeline.", 0) == 0) continue;
      ++credential_results;
      const auto& p = r["properties"];
      const std::string fp = p["fingerprint"];
      CHECK(r["partialFingerprints"]["sprawl/credential/v1"] == fp);
      CHECK(p.contains("status"));
      CHECK(p.contains("owner"));
      CHECK(p.contains("inventory_id"));
      const bool fails = p["fails"];
      CHECK(r["level"] == (fails ? "error" : "warning"));
      const std::string text = r["message"]["text"];
      CHECK(text.find(p["redacted"].get<std::string>()) != std::string::npos);
      CHECK(text.find(p["status"].get<std::string>()) != std::string::npos);
    }
    CHECK(credential_results == 5);
    // The rule missing from the table is synthesised.
    bool stripe = false;
    for (const auto& r : rules)
      stripe = stripe || r["id"] == "stripe.secret-key";
    CHECK(stripe);
    // Hostile bytes are percent-encoded, so the path round-trips.
    const std::string out = Render("sarif", report);
    CHECK(out.find("deploy/my%20app/.env") != std::string::npos);
    CHECK(out.find("100%25%231%3A2%0A%FF.env") != std::string::npos);
  }

  TEST_CASE("csv quotes per RFC 4180, defuses formulas and round-trips") {
    const Report report = SampleReport();
    const std::string csv = Render("csv", report);
    const auto rows = ParseCsv(csv);
    REQUIRE(rows.size() == 1 + 5);
    CHECK(rows[0] == std::vector<std::string>{
                         "fingerprint", "rule", "provider", "category",
                         "status", "owner", "inventory_id", "redacted",
                         "source", "path", "line", "column", "commit",
                         "client", "endpoint", "server", "key_path"});
    for (const auto& row : rows) CHECK(row.size() == 17);
    // Row order follows the report: ai (3 locations), aws, stripe.
    CHECK(rows[1][9] == "app/settings.py");
    CHECK(rows[2][9] == testing::kSpacePath);
    CHECK(rows[2][12] == std::string(40, 'c'));
    CHECK(rows[3][9] == EscapeForDisplay(testing::kHostilePath));
    CHECK(rows[4][5] == "'=team-infra@corp.test");  // formula defused
    CHECK(rows[4][6] == "deploy-aws");
    CHECK(rows[5][4] == "rotation-overdue");
    CHECK(rows[5][8] == "index");
    for (const auto& row : rows) {
      for (const auto& cell : row) {
        CAPTURE(cell);
        CHECK((cell.empty() ||
               std::string("=+-@").find(cell[0]) == std::string::npos));
      }
    }
  }

  TEST_CASE(
      "junit has a test case per credential and a failure per failing one") {
    const std::string xml = Render("junit", SampleReport());
    CHECK(xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>", 0) == 0);
    CHECK(Count(xml, "<testcase ") == 3);
    CHECK(Count(xml, "<failure ") == 1);
    CHECK(xml.find("tests=\"3\" failures=\"1\"") != std::string::npos);
    CHECK(xml.find("&lt;a&amp;b&gt;") != std::string::npos);
    CHECK(xml.find("<a&b>") == std::string::npos);
    CHECK(xml.find('\xff') == std::string::npos);
  }

  TEST_CASE("github annotations escape data and properties") {
    const std::string out = Render("github", SampleReport());
    const auto lines = Lines(out);
    std::size_t errors = 0;
    std::size_t warnings = 0;
    for (const auto& l : lines) {
      CAPTURE(l);
      CHECK((l.rfind("::", 0) == 0 || l.rfind("sprawl: ", 0) == 0));
      errors += l.rfind("::error ", 0) == 0;
      warnings += l.rfind("::warning ", 0) == 0;
    }
    CHECK(errors == 3);    // the failing AI key's three locations
    CHECK(warnings == 2);  // rotation-overdue + the pipeline finding
    CHECK(out.find("file=app/settings.py,line=12,col=15,title=sprawl%3A "
                   "unregistered openai credential::") != std::string::npos);
    // In the hostile file name ':' and ',' and '%' are escaped as properties.
    CHECK(out.find("=cmd%2C\"q\" |x|`<a&b>` 100%25#1%3A2") !=
          std::string::npos);
    CHECK(out.find("registered aws") == std::string::npos);  // no noise
  }

  TEST_CASE(
      "issue 16: the markdown audit report is dated and versioned, lists "
      "failing credentials by severity, maps static CI cloud keys to NHI6 "
      "and caps the locations it lists") {
    Report r = SampleReport();
    // A second failing credential of a more severe status than the
    // unregistered one, and a fingerprint sorting after it.
    ReportedCredential revoked = r.credentials[0];
    revoked.fingerprint = "sha256:" + std::string(64, 'f');
    revoked.rule = "test.revoked";
    revoked.status = "revoked";
    revoked.locations.clear();
    for (int i = 0; i < 30; ++i) {
      revoked.locations.push_back(Location{"file",
                                           "f" + std::to_string(100 + i),
                                           1,
                                           1,
                                           std::nullopt,
                                           std::nullopt,
                                           std::nullopt,
                                           ""});
    }
    r.credentials.push_back(revoked);
    RenderOptions o;
    o.date = "2026-11-22";
    std::ostringstream out;
    REQUIRE(RenderReport("markdown", r, o, out).ok());
    const std::string md = out.str();
    CHECK(md.find("- Date: 2026-11-22\n") != std::string::npos);
    CHECK(md.find(std::string("- Tool: sprawl ") + SPRAWL_VERSION) !=
          std::string::npos);
    const std::size_t failing = md.find("## Credentials failing the policy");
    const std::size_t first = md.find("### test.revoked", failing);
    const std::size_t second = md.find("### openai.project-key", failing);
    REQUIRE(first != std::string::npos);
    REQUIRE(second != std::string::npos);
    CHECK(first < second);  // revoked outranks unregistered
    CHECK(md.find("NHI6:2025 Insecure Cloud Deployment Configurations") !=
          std::string::npos);
    CHECK(md.find("- Locations (30):") != std::string::npos);
    CHECK(md.find("f119:1:1") != std::string::npos);   // the 20th
    CHECK(md.find("f120:1:1") == std::string::npos);   // the 21st
    CHECK(md.find("and 10 more") != std::string::npos);
    const std::string text = Render("text", r);
    CHECK(text.find("f120:1:1") == std::string::npos);
    CHECK(text.find("and 10 more locations") != std::string::npos);
  }

  TEST_CASE(
      "issue 20: a location held by many refs lists the first 20 and "
      "counts them all (JSON and JSON Lines)") {
    Report r = SampleReport();
    Location& hist = r.credentials[0].locations[1];
    REQUIRE(hist.source == "git");
    for (int i = 0; i < 30; ++i) {
      hist.git->refs.push_back("refs/pull/" + std::to_string(i) + "/head");
    }
    const auto j = nlohmann::json::parse(Render("json", r));
    bool seen = false;
    for (const auto& l : j["credentials"][0]["locations"]) {
      if (l["source"] != "git") continue;
      seen = true;
      CHECK(l["refs"].size() == 20);
      CHECK(l["refs_count"] == 30);
      CHECK(l["refs"][0] == "refs/pull/0/head");
    }
    CHECK(seen);
    std::istringstream lines(Render("jsonl", r));
    bool in_jsonl = false;
    for (std::string line; std::getline(lines, line);) {
      const auto l = nlohmann::json::parse(line)["location"];
      if (l.value("source", "") != "git") continue;
      in_jsonl = true;
      CHECK(l["refs"].size() == 20);
      CHECK(l["refs_count"] == 30);
    }
    CHECK(in_jsonl);
  }

  TEST_CASE("markdown audit report has every section an auditor needs") {
    const std::string md = Render("markdown", SampleReport());
    for (const char* section :
         {"# sprawl credential audit", "## Totals by status",
          "## Totals by provider", "## Totals by owner", "## AI-provider keys",
          "## Credentials failing the policy", "## Warnings",
          "## Inventory entries never seen", "## Pipeline findings",
          "## Controls evidenced"}) {
      CAPTURE(section);
      CHECK(md.find(section) != std::string::npos);
    }
    CHECK(md.find("| openai | openai.project\\_key") == std::string::npos);
    CHECK(md.find("| openai | openai.project-key | sk-proj-…Q3xA | "
                  "unregistered | none (suggested: @team-payments)") !=
          std::string::npos);
    CHECK(md.find("- old-slack-bot") != std::string::npos);
    CHECK(md.find("NHI2:2025 Secret Leakage") != std::string::npos);
    CHECK(md.find("NHI7:2025 Long-Lived Secrets") != std::string::npos);
    CHECK(md.find("PR.AA-01") != std::string::npos);
    CHECK(md.find("ID.AM-07") != std::string::npos);
    CHECK(md.find("deploy/my app/.env:3:1 (git), commit cccccccccccc") !=
          std::string::npos);
    // Table-breaking characters of the hostile path are escaped.
    CHECK(md.find("\\|x\\|\\`\\<a\\&b\\>\\`") != std::string::npos);
    CHECK(md.find("| unregistered | 1 | 1 | 3 |") != std::string::npos);
  }

  TEST_CASE(
      "streamed json is exactly what ordered_json prints, odd bytes too") {
    // The sample, plus sweep fields and strings that need escaping or
    // replacing: quotes, backslashes, control bytes, DEL, UTF-8, invalid
    // UTF-8, and empty arrays.
    struct Case {
      const char* name;
      std::string text;
    };
    const Case cases[] = {
        {"plain", "org/repo"},
        {"quote-backslash", "a\"b\\c"},
        {"controls", std::string("t\tn\nz\x01") + '\0' + "end"},
        {"del", "x\x7fy"},
        {"utf8", "d\xc3\xa9j\xc3\xa0 \xe2\x9c\x93"},
        {"invalid-utf8", "bad\xff\xfe"},
        {"empty", ""},
    };
    for (const Case& c : cases) {
      const std::string name = c.name;
      CAPTURE(name);
      Report r = SampleReport();
      for (auto& cred : r.credentials) {
        for (Location& l : cred.locations) l.repo = c.text;
      }
      r.credentials.at(0).locations.at(0).path = c.text;
      r.repositories = {{c.text, "failed", 0, c.text + " error"},
                        {"b", "unchanged", 7, ""}};
      if (name == "empty") {
        r.references.clear();
        r.pipeline_findings.clear();
        for (auto& cred : r.credentials) {
          for (Location& l : cred.locations) {
            if (l.git) l.git->refs.clear();
          }
        }
      }
      const std::string text = Render("json", r);
      const auto parsed = nlohmann::ordered_json::parse(text, nullptr, false);
      REQUIRE_FALSE(parsed.is_discarded());
      CHECK(text ==
            parsed.dump(2, ' ', false,
                        nlohmann::ordered_json::error_handler_t::replace) +
                "\n");
      CHECK(parsed["repositories"][1]["blobs_scanned"] == 7);
      CHECK_FALSE(parsed["repositories"][1].contains("error"));
      if (name != "invalid-utf8") {
        CHECK(parsed["repositories"][0]["repo"] == c.text);
        CHECK(parsed["repositories"][0]["error"] == c.text + " error");
      } else {
        CHECK(parsed["repositories"][0]["repo"] ==
              "bad\xef\xbf\xbd\xef\xbf\xbd");
      }
      // Every location, as jsonl (built as a document) has it.
      std::vector<nlohmann::ordered_json> from_json, from_jsonl;
      for (const auto& cred : parsed["credentials"]) {
        for (const auto& l : cred["locations"]) from_json.push_back(l);
      }
      for (const std::string& line : Lines(Render("jsonl", r))) {
        if (line.empty()) continue;
        from_jsonl.push_back(nlohmann::ordered_json::parse(line)["location"]);
      }
      CHECK(from_json == from_jsonl);
    }
  }

  TEST_CASE("formats say so when nothing was scanned") {
    Report empty;
    empty.command = "git";
    CHECK(Render("markdown", empty).find("Nothing was scanned") !=
          std::string::npos);
    CHECK(Render("github", empty)
              .find("::warning title=sprawl::Nothing was "
                    "scanned") != std::string::npos);
    CHECK(Render("csv", empty) ==
          "fingerprint,rule,provider,category,status,owner,inventory_id,"
          "redacted,source,path,line,column,commit,client,endpoint,server,"
          "key_path\r\n");
    const auto j = nlohmann::json::parse(Render("sarif", empty));
    CHECK(j["runs"][0]["results"].empty());
  }
}

}  // namespace
}  // namespace sprawl
