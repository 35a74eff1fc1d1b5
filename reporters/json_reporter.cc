// Wire format: DESIGN.md "JSON report". `version` changes only on breaking
// changes; fields are only ever added.
#include <algorithm>
#include <charconv>
#include <map>
#include <string>
#include <string_view>
#include <vector>

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

// The members of a location in wire order, given to `sink`: a DomSink
// building an ordered_json, or the PrettyWriter streaming one.
template <class Sink>
void LocationMembers(const Location& l, Sink* sink) {
  if (!l.repo.empty()) sink->Member("repo", EscapeForDisplay(l.repo));
  sink->Member("source", l.source);
  sink->Member("path", EscapeForDisplay(l.path));
  sink->Member("line", l.line);
  sink->Member("column", l.column);
  if (l.git) {
    const GitProvenance& g = *l.git;
    if (!g.commit.empty()) {
      sink->Member("commit", g.commit);
      sink->Member("author", EscapeForDisplay(g.author));
      sink->Member("author_email", EscapeForDisplay(g.author_email));
      sink->Member("date", g.date);
      sink->Member("summary", EscapeForDisplay(g.summary));
    }
    sink->Member("blob", g.blob);
    if (l.source == "git") {
      sink->Member("in_head", g.in_head);
      // A location held by 100k refs (a mirror's pull refs) must not
      // weigh megabytes: the first kMaxListedRefs, and how many in all.
      std::vector<std::string> refs;
      const std::size_t n = std::min(g.refs.size(), kMaxListedRefs);
      refs.reserve(n);
      for (std::size_t i = 0; i < n; ++i) {
        refs.push_back(EscapeForDisplay(g.refs[i]));
      }
      sink->Member("refs", refs);
      sink->Member("refs_count", g.refs.size());
    }
  }
  if (l.pipeline) {
    sink->BeginMember("pipeline");
    sink->Member("system", l.pipeline->system);
    sink->Member("key_path", EscapeForDisplay(l.pipeline->key_path));
    if (!l.pipeline->job.empty()) sink->Member("job", l.pipeline->job);
    sink->EndMember();
  }
  if (l.client) {
    sink->BeginMember("client");
    sink->Member("client", l.client->client);
    sink->Member("key_path", EscapeForDisplay(l.client->key_path));
    if (!l.client->endpoint.empty()) {
      sink->Member("endpoint", EscapeForDisplay(l.client->endpoint));
    }
    if (!l.client->server.empty()) {
      sink->Member("server", EscapeForDisplay(l.client->server));
    }
    sink->EndMember();
  }
}

// Builds an object member by member.
class DomSink {
 public:
  explicit DomSink(Json* object) { stack_.push_back(object); }
  template <class T>
  void Member(const char* key, const T& value) {
    (*stack_.back())[key] = value;
  }
  void BeginMember(const char* key) {
    Json& child = (*stack_.back())[key];
    child = Json::object();
    stack_.push_back(&child);
  }
  void EndMember() { stack_.pop_back(); }

 private:
  std::vector<Json*> stack_;
};

Json LocationJson(const Location& l) {
  Json j = ObjectWithRoom(16);
  DomSink sink(&j);
  LocationMembers(l, &sink);
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
  if (!c.identifier.empty()) j["identifier"] = EscapeForDisplay(c.identifier);
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
  s["incomplete"] = !report.incomplete.empty();
  if (!report.incomplete.empty()) s["incomplete_reasons"] = report.incomplete;
  if (!report.changed_config.empty()) {
    Json changed = Json::array();
    for (const auto& p : report.changed_config) {
      changed.push_back(EscapeForDisplay(p));
    }
    s["changed_config"] = std::move(changed);
  }
  return s;
}

namespace {

// Streams what ordered_json::dump(2, ' ', false, replace) prints, byte for
// byte, without building the document: a sweep's report holds thousands of
// repositories and locations, and the document cost more than the sweep.
// Values that are small or rare still go through ordered_json (Value).
class PrettyWriter {
 public:
  explicit PrettyWriter(std::string* out) : out_(out) {}

  void BeginObject() { Open('{'); }
  void EndObject() { Close('}'); }
  void BeginArray() { Open('['); }
  void EndArray() { Close(']'); }
  void Key(std::string_view key) {
    NewMember();
    AppendString(key);
    out_->append(": ");
    after_key_ = true;
  }
  void Value(std::string_view s) {
    BeforeValue();
    AppendString(s);
  }
  void Value(uint64_t n) {
    BeforeValue();
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, n);
    out_->append(buf, r.ptr);
  }
  void Value(bool b) {
    BeforeValue();
    out_->append(b ? "true" : "false");
  }
  // Any value, through ordered_json: its lines indented to this depth.
  void Value(const Json& j) {
    BeforeValue();
    const std::string text =
        j.dump(2, ' ', false, Json::error_handler_t::replace);
    for (char c : text) {
      out_->push_back(c);
      // JSON strings never hold a raw newline: every one is layout.
      if (c == '\n') out_->append(2 * open_.size(), ' ');
    }
  }

  // The sink interface of LocationMembers.
  void Member(const char* key, std::string_view value) {
    Key(key);
    Value(value);
  }
  void Member(const char* key, uint64_t value) {
    Key(key);
    Value(value);
  }
  void Member(const char* key, bool value) {
    Key(key);
    Value(value);
  }
  void Member(const char* key, const std::vector<std::string>& values) {
    Key(key);
    BeginArray();
    for (const std::string& v : values) Value(std::string_view(v));
    EndArray();
  }
  void BeginMember(const char* key) {
    Key(key);
    BeginObject();
  }
  void EndMember() { EndObject(); }

 private:
  void NewMember() {
    if (!open_.back()) out_->push_back(',');
    open_.back() = false;
    out_->push_back('\n');
    out_->append(2 * open_.size(), ' ');
  }
  void BeforeValue() {
    if (after_key_) {
      after_key_ = false;
    } else if (!open_.empty()) {
      NewMember();
    }
  }
  void Open(char c) {
    BeforeValue();
    out_->push_back(c);
    open_.push_back(true);
  }
  void Close(char c) {
    const bool empty = open_.back();
    open_.pop_back();
    if (!empty) {
      out_->push_back('\n');
      out_->append(2 * open_.size(), ' ');
    }
    out_->push_back(c);
  }
  // Printable ASCII other than '"' and '\\' stands for itself; anything
  // else is escaped (and invalid UTF-8 replaced) by ordered_json.
  void AppendString(std::string_view s) {
    const bool plain = std::all_of(s.begin(), s.end(), [](char c) {
      return c >= 0x20 && c <= 0x7e && c != '"' && c != '\\';
    });
    if (plain) {
      out_->push_back('"');
      out_->append(s);
      out_->push_back('"');
    } else {
      out_->append(
          Json(s).dump(-1, ' ', false, Json::error_handler_t::replace));
    }
  }

  std::string* out_;
  std::vector<bool> open_;  // per open container: no member yet
  bool after_key_ = false;
};

}  // namespace

void RenderJson(const Report& report, std::ostream& out) {
  std::string text;
  text.reserve(4096 + report.repositories.size() * 96);
  PrettyWriter w(&text);
  w.BeginObject();
  w.Key("version");
  w.Value(uint64_t{1});
  w.Key("credentials");
  w.BeginArray();
  for (const auto& c : report.credentials) {
    w.BeginObject();
    const Json header = CredentialHeaderJson(c);
    for (const auto& member : header.items()) {
      w.Key(member.key());
      w.Value(member.value());
    }
    w.Key("locations");
    w.BeginArray();
    for (const auto& l : c.locations) {
      w.BeginObject();
      LocationMembers(l, &w);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.Key("references");
  w.BeginArray();
  for (const auto& r : report.references) {
    Json ref{{"system", r.system},     {"path", EscapeForDisplay(r.path)},
             {"key_path", r.key_path}, {"name", r.name},
             {"line", r.line},         {"status", r.status}};
    if (!r.repo.empty()) ref["repo"] = EscapeForDisplay(r.repo);
    w.Value(ref);
  }
  w.EndArray();
  w.Key("pipeline_findings");
  w.BeginArray();
  for (const auto& p : report.pipeline_findings) {
    Json f{{"kind", p.kind},
           {"path", EscapeForDisplay(p.path)},
           {"key_path", p.key_path},
           {"line", p.line},
           {"message", p.message}};
    if (!p.repo.empty()) f["repo"] = EscapeForDisplay(p.repo);
    w.Value(f);
  }
  w.EndArray();
  Json inv;
  if (report.unseen) inv["unseen"] = *report.unseen;
  w.Key("inventory");
  w.Value(inv.is_null() ? Json::object() : inv);
  if (!report.repositories.empty()) {
    w.Key("repositories");
    w.BeginArray();
    for (const auto& r : report.repositories) {
      w.BeginObject();
      w.Member("repo", std::string_view(r.repo));
      w.Member("status", std::string_view(r.status));
      w.Member("blobs_scanned", r.blobs_scanned);
      if (!r.error.empty()) w.Member("error", std::string_view(r.error));
      w.EndObject();
    }
    w.EndArray();
  }
  w.Key("summary");
  w.Value(SummaryJson(report));
  w.EndObject();
  text.push_back('\n');
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
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
