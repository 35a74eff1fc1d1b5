// SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure DevOps). Wire format:
// one run whose driver is "sprawl" with the rule table of Report::rules (plus
// any rule a credential names that the table lacks); one result per
// credential location; pipeline findings and pipeline references that are
// not registered as results of their own `sprawl.pipeline.*` rules.
// Identity: partialFingerprints["sprawl/credential/v1"] is the credential
// fingerprint, so code scanning keeps one alert per credential and file
// across rescans, renames of other files and rebases. Paths are relative URIs
// against %SRCROOT% (percent-encoded bytes, so any file name round-trips).
// Columns are sprawl's byte columns (SARIF's default unit is UTF-16 code
// units; they agree on ASCII lines). Validated against the official schema
// in tests/cli/sarif_schema_test.cc.
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "reporters/reporter.h"
#include "scanner/base/text.h"

namespace sprawl {
namespace {

using Json = nlohmann::ordered_json;

constexpr const char* kSchemaUri =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/"
    "sarif-schema-2.1.0.json";
constexpr const char* kSrcRoot = "%SRCROOT%";
constexpr const char* kCredentialKey = "sprawl/credential/v1";

// RFC 3986 relative reference: unreserved characters and '/' stay, every
// other byte is percent-encoded (':' too, so a first segment is never read
// as a scheme).
std::string UriEncodePath(std::string_view path) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : path) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
        (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
        c == '~' || c == '/') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// helpUri must be an absolute URI: only http(s) references without spaces
// or control characters qualify.
bool IsHttpUri(const std::string& s) {
  if (s.rfind("https://", 0) != 0 && s.rfind("http://", 0) != 0) return false;
  for (unsigned char c : s) {
    if (c <= 0x20 || c >= 0x7f || c == '"' || c == '<' || c == '>' ||
        c == '\\' || c == '^' || c == '`' || c == '{' || c == '|' || c == '}') {
      return false;
    }
  }
  return true;
}

// GitHub's `precision` vocabulary for our confidence levels.
std::string Precision(const std::string& confidence) {
  if (confidence == "high") return "high";
  if (confidence == "low") return "low";
  return "medium";
}

Json Text(const std::string& s) { return Json{{"text", EscapeForDisplay(s)}}; }

Json RuleJson(const RuleInfo& r) {
  Json j;
  j["id"] = r.id;
  if (!r.name.empty()) j["name"] = EscapeForDisplay(r.name);
  j["shortDescription"] = Text(r.name.empty() ? r.id : r.name);
  j["fullDescription"] =
      Text((r.name.empty() ? r.id : r.name) + " (" + r.provider + ", " +
           r.category + "): a hard-coded credential. Rotate it if it is " +
           "real, move it to a secret manager, and record its owner in the " +
           "credential inventory.");
  for (const auto& ref : r.references) {
    if (IsHttpUri(ref)) {
      j["helpUri"] = ref;
      break;
    }
  }
  j["defaultConfiguration"] = {{"level", "warning"}};
  Json tags = Json::array({"security", "secret"});
  if (!r.category.empty()) tags.push_back(r.category);
  j["properties"] = {{"provider", r.provider},
                     {"category", r.category},
                     {"confidence", r.confidence},
                     {"precision", Precision(r.confidence)},
                     {"tags", tags}};
  return j;
}

Json PipelineRuleJson(const std::string& id, const std::string& description) {
  return Json{{"id", id},
              {"name", id},
              {"shortDescription", Text(description)},
              {"defaultConfiguration", {{"level", "warning"}}},
              {"properties",
               {{"category", "ci"},
                {"tags", Json::array({"security", "ci", "pipeline"})}}}};
}

// A physical location; repo (sweeps) prefixes relative paths.
Json PhysicalLocation(const std::string& repo, const std::string& path,
                      uint64_t line, uint64_t column) {
  Json artifact;
  const bool is_url = repo.find("://") != std::string::npos;
  std::string full = (!repo.empty() && !is_url) ? repo + "/" + path : path;
  if (!full.empty() && full[0] == '/') {
    artifact["uri"] = "file://" + UriEncodePath(full);
  } else {
    artifact["uri"] = UriEncodePath(full.empty() ? "-" : full);
    artifact["uriBaseId"] = kSrcRoot;
  }
  Json physical{{"artifactLocation", artifact}};
  if (line > 0) {
    Json region{{"startLine", line}};
    if (column > 0) region["startColumn"] = column;
    physical["region"] = region;
  }
  return physical;
}

std::string Message(const ReportedCredential& c) {
  std::string m = (c.fails ? "Credential fails the policy: " : "Credential: ");
  m += c.status + " " + (c.rule_name.empty() ? c.rule : c.rule_name) + " " +
       c.redacted + " (" + c.fingerprint + ")";
  if (!c.reason.empty()) m += ". " + c.reason;
  if (c.owner) {
    m += ". Owner: " + *c.owner;
  } else if (c.suggested_owner) {
    m += ". Suggested owner: " + *c.suggested_owner;
  }
  if (c.status == "unregistered") {
    m += ". Register it in the inventory (sprawl inventory init) or add an "
         "allow entry.";
  }
  return m;
}

Json LocationProperties(const Location& l) {
  Json p{{"source", l.source}};
  if (!l.repo.empty()) p["repo"] = EscapeForDisplay(l.repo);
  if (l.git) {
    if (!l.git->commit.empty()) p["commit"] = l.git->commit;
    if (!l.git->blob.empty()) p["blob"] = l.git->blob;
    if (l.source == "git") p["in_head"] = l.git->in_head;
  }
  if (l.pipeline) {
    p["pipeline_system"] = l.pipeline->system;
    p["pipeline_key_path"] = EscapeForDisplay(l.pipeline->key_path);
  }
  if (l.client) {
    p["client"] = l.client->client;
    p["client_key_path"] = EscapeForDisplay(l.client->key_path);
    if (!l.client->endpoint.empty()) {
      p["client_endpoint"] = EscapeForDisplay(l.client->endpoint);
    }
    if (!l.client->server.empty()) {
      p["client_server"] = EscapeForDisplay(l.client->server);
    }
  }
  return p;
}

}  // namespace

void RenderSarif(const Report& report, std::ostream& out) {
  // Rule table: Report::rules in order, then rules only credentials name.
  Json rules = Json::array();
  std::map<std::string, std::size_t> rule_index;
  auto add_rule = [&](const std::string& id, Json rule) {
    if (rule_index.count(id)) return;
    rule_index[id] = rules.size();
    rules.push_back(std::move(rule));
  };
  for (const auto& r : report.rules) add_rule(r.id, RuleJson(r));
  for (const auto& c : report.credentials) {
    add_rule(
        c.rule,
        RuleJson(RuleInfo{
            c.rule, c.rule_name, c.provider, c.category, c.confidence, {}}));
  }

  Json results = Json::array();
  for (const auto& c : report.credentials) {
    for (const auto& l : c.locations) {
      Json r;
      r["ruleId"] = c.rule;
      r["ruleIndex"] = rule_index[c.rule];
      r["level"] = c.fails ? "error" : "warning";
      r["message"] = Text(Message(c));
      Json loc{{"physicalLocation",
                PhysicalLocation(l.repo, l.path, l.line, l.column)}};
      if (l.pipeline && !l.pipeline->key_path.empty()) {
        loc["logicalLocations"] = Json::array(
            {{{"fullyQualifiedName", EscapeForDisplay(l.pipeline->key_path)},
              {"kind", "member"}}});
      }
      r["locations"] = Json::array({loc});
      r["partialFingerprints"] = {{kCredentialKey, c.fingerprint}};
      if (c.is_new) r["baselineState"] = *c.is_new ? "new" : "unchanged";
      Json p{{"status", c.status},
             {"fails", c.fails},
             {"owner", c.owner ? Json(*c.owner) : Json(nullptr)},
             {"inventory_id",
              c.inventory_id ? Json(*c.inventory_id) : Json(nullptr)},
             {"fingerprint", c.fingerprint},
             {"redacted", c.redacted},
             {"provider", c.provider},
             {"category", c.category},
             {"confidence", c.confidence}};
      if (!c.confidence_reason.empty()) {
        p["confidence_reason"] = c.confidence_reason;
      }
      if (c.suggested_owner) p["suggested_owner"] = *c.suggested_owner;
      if (c.is_new) p["new"] = *c.is_new;
      if (c.secret) p["secret"] = EscapeForDisplay(*c.secret);
      p.update(LocationProperties(l));
      r["properties"] = std::move(p);
      results.push_back(std::move(r));
    }
  }

  for (const auto& f : report.pipeline_findings) {
    const std::string id = "sprawl.pipeline." + f.kind;
    add_rule(id, PipelineRuleJson(id, "Pipeline finding: " + f.kind));
    results.push_back(
        {{"ruleId", id},
         {"ruleIndex", rule_index[id]},
         {"level", "warning"},
         {"message", Text(f.message.empty() ? f.kind : f.message)},
         {"locations",
          Json::array({{{"physicalLocation",
                         PhysicalLocation(f.repo, f.path, f.line, 0)}}})},
         {"properties", {{"key_path", EscapeForDisplay(f.key_path)}}}});
    if (!f.repo.empty()) {
      results.back()["properties"]["repo"] = EscapeForDisplay(f.repo);
    }
  }
  for (const auto& ref : report.references) {
    if (ref.status == "registered") continue;
    const std::string id = "sprawl.pipeline.secret-reference";
    add_rule(id, PipelineRuleJson(
                     id, "Pipeline secret reference not in the inventory"));
    results.push_back(
        {{"ruleId", id},
         {"ruleIndex", rule_index[id]},
         {"level", "warning"},
         {"message",
          Text("Pipeline reads secret " + ref.name + " (" + ref.status +
               "): no inventory credential lists it "
               "in ci_secrets")},
         {"locations",
          Json::array({{{"physicalLocation",
                         PhysicalLocation(ref.repo, ref.path, ref.line, 0)}}})},
         {"properties",
          {{"status", ref.status},
           {"system", ref.system},
           {"key_path", EscapeForDisplay(ref.key_path)}}}});
    if (!ref.repo.empty()) {
      results.back()["properties"]["repo"] = EscapeForDisplay(ref.repo);
    }
  }

  Json driver{{"name", "sprawl"},
              {"version", SPRAWL_VERSION},
              {"semanticVersion", SPRAWL_VERSION},
              {"rules", std::move(rules)}};
  Json run;
  run["tool"] = {{"driver", std::move(driver)}};
  run["invocations"] =
      Json::array({{{"executionSuccessful",
                     !report.stats.interrupted && report.incomplete.empty()}}});
  run["originalUriBaseIds"] = {
      {kSrcRoot,
       {{"description",
         Text("The scanned root: the repository root for git scans")}}}};
  run["results"] = std::move(results);
  uint64_t failing = 0;
  for (const auto& c : report.credentials) failing += c.fails ? 1 : 0;
  Json props{{"command", report.command},
             {"credentials", report.credentials.size()},
             {"failing", failing},
             {"scanned_files", report.stats.files_scanned},
             {"scanned_bytes", report.stats.bytes_scanned}};
  if (report.unseen) props["inventory_unseen"] = *report.unseen;
  run["properties"] = std::move(props);

  Json root;
  root["$schema"] = kSchemaUri;
  root["version"] = "2.1.0";
  root["runs"] = Json::array({std::move(run)});
  out << root.dump(2, ' ', false, Json::error_handler_t::replace) << '\n';
}

}  // namespace sprawl
