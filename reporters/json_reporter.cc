// Wire format: DESIGN.md "JSON report". `version` changes only on breaking
// changes; fields are only ever added.
#include <map>

#include "reporters/json_model.h"
#include "reporters/reporter.h"
#include "scanner/base/text.h"

namespace sprawl {

using Json = nlohmann::ordered_json;

namespace {

// An empty object with room for `keys` members. An ordered_json object is a
// vector of pair<const string, json>, whose move may throw, so each growth
// of the vector deep-copied every member (for the root, the whole
// credentials array, twice).
Json ObjectWithRoom(std::size_t keys) {
  Json j = Json::object();
  j.get_ref<Json::object_t&>().reserve(keys);
  return j;
}

}  // namespace

Json LocationJson(const Location& l) {
  Json j = ObjectWithRoom(16);
  if (!l.repo.empty()) j["repo"] = EscapeForDisplay(l.repo);
  j["source"] = l.source;
  j["path"] = EscapeForDisplay(l.path);
  j["line"] = l.line;
  j["column"] = l.column;
  if (l.git) {
    const GitProvenance& g = *l.git;
    if (!g.commit.empty()) {
      j["commit"] = g.commit;
      j["author"] = EscapeForDisplay(g.author);
      j["author_email"] = EscapeForDisplay(g.author_email);
      j["date"] = g.date;
      j["summary"] = EscapeForDisplay(g.summary);
    }
    j["blob"] = g.blob;
    if (l.source == "git") {
      j["in_head"] = g.in_head;
      Json refs = Json::array();
      for (const auto& r : g.refs) refs.push_back(EscapeForDisplay(r));
      j["refs"] = refs;
    }
  }
  if (l.pipeline) {
    Json p;
    p["system"] = l.pipeline->system;
    p["key_path"] = EscapeForDisplay(l.pipeline->key_path);
    if (!l.pipeline->job.empty()) p["job"] = l.pipeline->job;
    j["pipeline"] = p;
  }
  return j;
}

Json CredentialHeaderJson(const ReportedCredential& c) {
  Json j = ObjectWithRoom(24);
  j["fingerprint"] = c.fingerprint;
  j["rule"] = c.rule;
  j["provider"] = c.provider;
  j["category"] = c.category;
  j["confidence"] = c.confidence;
  if (!c.confidence_reason.empty()) {
    j["confidence_reason"] = c.confidence_reason;
  }
  j["redacted"] = c.redacted;
  if (c.secret) j["secret"] = EscapeForDisplay(*c.secret);
  j["status"] = c.status;
  j["reason"] = c.reason;
  j["fails"] = c.fails;
  j["inventory_id"] = c.inventory_id ? Json(*c.inventory_id) : Json(nullptr);
  j["owner"] = c.owner ? Json(*c.owner) : Json(nullptr);
  if (c.suggested_owner) j["suggested_owner"] = *c.suggested_owner;
  if (!c.environment.empty()) j["environment"] = c.environment;
  j["reused"] = c.reused;
  if (c.is_new) j["new"] = *c.is_new;
  if (!c.also_matched.empty()) j["also_matched"] = c.also_matched;
  return j;
}

Json SummaryJson(const Report& report) {
  Json s;
  uint64_t locations = 0;
  uint64_t failing = 0;
  std::map<std::string, uint64_t> by_status;
  std::map<std::string, uint64_t> by_provider;
  for (const auto& c : report.credentials) {
    locations += c.locations.size();
    failing += c.fails ? 1 : 0;
    ++by_status[c.status];
    ++by_provider[c.provider];
  }
  s["credentials"] = report.credentials.size();
  s["locations"] = locations;
  s["failing"] = failing;
  s["by_status"] = by_status;
  s["by_provider"] = by_provider;
  const ScanStats& st = report.stats;
  s["scanned"] = {{"files", st.files_scanned}, {"bytes", st.bytes_scanned}};
  if (st.commits > 0) s["scanned"]["commits"] = st.commits;
  s["skipped"] = {{"binary", st.skipped_binary},
                  {"too_large", st.skipped_too_large},
                  {"unreadable", st.skipped_unreadable},
                  {"ignored", st.skipped_ignored},
                  {"other", st.skipped_other},
                  {"timed_out", st.timed_out}};
  s["diagnostics"] = report.diagnostics;
  s["interrupted"] = st.interrupted;
  return s;
}

void RenderJson(const Report& report, std::ostream& out) {
  Json root = ObjectWithRoom(8);
  root["version"] = 1;
  Json creds = Json::array();
  for (const auto& c : report.credentials) {
    Json j = CredentialHeaderJson(c);
    Json locs = Json::array();
    for (const auto& l : c.locations) locs.push_back(LocationJson(l));
    j["locations"] = std::move(locs);
    creds.push_back(std::move(j));
  }
  root["credentials"] = std::move(creds);
  Json refs = Json::array();
  for (const auto& r : report.references) {
    Json ref{{"system", r.system},     {"path", EscapeForDisplay(r.path)},
             {"key_path", r.key_path}, {"name", r.name},
             {"line", r.line},         {"status", r.status}};
    if (!r.repo.empty()) ref["repo"] = EscapeForDisplay(r.repo);
    refs.push_back(std::move(ref));
  }
  root["references"] = std::move(refs);
  Json pf = Json::array();
  for (const auto& p : report.pipeline_findings) {
    Json f{{"kind", p.kind},
           {"path", EscapeForDisplay(p.path)},
           {"key_path", p.key_path},
           {"line", p.line},
           {"message", p.message}};
    if (!p.repo.empty()) f["repo"] = EscapeForDisplay(p.repo);
    pf.push_back(std::move(f));
  }
  root["pipeline_findings"] = std::move(pf);
  Json inv;
  if (report.unseen) inv["unseen"] = *report.unseen;
  root["inventory"] = inv.is_null() ? Json::object() : inv;
  if (!report.repositories.empty()) {
    Json repos = Json::array();
    for (const auto& r : report.repositories) {
      Json j{{"repo", r.repo},
             {"status", r.status},
             {"blobs_scanned", r.blobs_scanned}};
      if (!r.error.empty()) j["error"] = r.error;
      repos.push_back(std::move(j));
    }
    root["repositories"] = std::move(repos);
  }
  root["summary"] = SummaryJson(report);
  out << root.dump(2, ' ', false, Json::error_handler_t::replace) << '\n';
}

void RenderJsonLines(const Report& report, std::ostream& out) {
  for (const auto& c : report.credentials) {
    for (const auto& l : c.locations) {
      Json j = CredentialHeaderJson(c);
      j["location"] = LocationJson(l);
      out << j.dump(-1, ' ', false, Json::error_handler_t::replace) << '\n';
    }
  }
}

}  // namespace sprawl
