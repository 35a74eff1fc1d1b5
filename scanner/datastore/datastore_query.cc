// Datastore reads for reports: credentials with their locations, pipeline
// references and pipeline findings (see datastore.h).
#include <algorithm>
#include <map>
#include <tuple>

#include "scanner/datastore/column_codec.h"
#include "scanner/datastore/datastore.h"

namespace sprawl {
namespace {

bool Wanted(const std::unordered_set<std::string>* repos,
            const std::string& repo) {
  return repos == nullptr || repos->count(repo) != 0;
}

StoredCredential ReadCredential(const SqliteStmt& s) {
  StoredCredential c;
  c.fingerprint = s.Text(0);
  c.rule = s.Text(1);
  c.rule_name = s.Text(2);
  c.provider = s.Text(3);
  c.category = s.Text(4);
  c.confidence = s.Text(5);
  c.redacted = s.Text(6);
  c.also_matched = ParseList(s.Text(7));
  c.first_seen_sweep = s.Int(8);
  c.last_seen_sweep = s.Int(9);
  return c;
}

// Columns: fingerprint, repo, source, path, line, col, commit_oid, author,
// author_email, date, summary, blob, in_head, refs, pipeline, client.
Location ReadLocation(const SqliteStmt& s) {
  Location l;
  l.repo = s.Text(1);
  l.source = s.Text(2);
  l.path = s.Text(3);
  l.line = static_cast<uint64_t>(s.Int(4));
  l.column = static_cast<uint64_t>(s.Int(5));
  if (l.source == "git" || l.source == "index" || !s.Text(11).empty()) {
    GitProvenance g;
    g.commit = s.Text(6);
    g.author = s.Text(7);
    g.author_email = s.Text(8);
    g.date = s.Text(9);
    g.summary = s.Text(10);
    g.blob = s.Text(11);
    g.in_head = s.Int(12) != 0;
    g.refs = ParseList(s.Text(13));
    l.git = std::move(g);
  }
  l.pipeline = ParsePipeline(s.Text(14));
  l.client = ParseClient(s.Text(15));
  return l;
}

// Report order, then source and blob so equal places stay stable.
bool StoredLocationLess(const Location& a, const Location& b) {
  if (a.repo != b.repo) return a.repo < b.repo;
  if (LocationLess(a, b)) return true;
  if (LocationLess(b, a)) return false;
  const std::string ab = a.git ? a.git->blob : "";
  const std::string bb = b.git ? b.git->blob : "";
  return std::tie(a.source, ab) < std::tie(b.source, bb);
}

}  // namespace

Result<std::vector<StoredCredential>> Datastore::Credentials(
    const std::unordered_set<std::string>* repos) {
  std::map<std::string, StoredCredential> by_fp;
  auto cs = db_.Prepare(
      "SELECT fingerprint, rule, rule_name, provider, category, confidence, "
      "redacted, also_matched, first_seen_sweep, last_seen_sweep "
      "FROM credentials");
  if (!cs.ok()) return cs.error();
  while (cs->Step()) {
    StoredCredential c = ReadCredential(*cs);
    by_fp.emplace(c.fingerprint, std::move(c));
  }
  if (!cs->status().ok()) return cs->status().error();
  auto ls = db_.Prepare(
      "SELECT l.fingerprint, r.repo, l.source, l.path, l.line, l.col, "
      "l.commit_oid, l.author, l.author_email, l.date, l.summary, l.blob, "
      "l.in_head, l.refs, l.pipeline, l.client FROM locations l "
      "JOIN repositories r ON r.id = l.repo_id");
  if (!ls.ok()) return ls.error();
  while (ls->Step()) {
    auto it = by_fp.find(ls->Text(0));
    if (it == by_fp.end() || !Wanted(repos, ls->Text(1))) continue;
    it->second.locations.push_back(ReadLocation(*ls));
  }
  if (!ls->status().ok()) return ls->status().error();
  std::vector<StoredCredential> out;
  for (auto& [fp, c] : by_fp) {
    if (c.locations.empty() && repos != nullptr) continue;
    std::sort(c.locations.begin(), c.locations.end(), StoredLocationLess);
    out.push_back(std::move(c));
  }
  return out;
}

Result<std::vector<PipelineReference>> Datastore::References(
    const std::unordered_set<std::string>* repos) {
  auto stmt = db_.Prepare(
      "SELECT r.repo, p.system, p.path, p.key_path, p.name, p.line "
      "FROM pipeline_references p JOIN repositories r ON r.id = p.repo_id "
      "ORDER BY r.repo, p.path, p.line, p.key_path, p.name, p.system");
  if (!stmt.ok()) return stmt.error();
  std::vector<PipelineReference> out;
  while (stmt->Step()) {
    if (!Wanted(repos, stmt->Text(0))) continue;
    PipelineReference ref;
    ref.repo = stmt->Text(0);
    ref.system = stmt->Text(1);
    ref.path = stmt->Text(2);
    ref.key_path = stmt->Text(3);
    ref.name = stmt->Text(4);
    ref.line = static_cast<uint64_t>(stmt->Int(5));
    out.push_back(std::move(ref));
  }
  if (!stmt->status().ok()) return stmt->status().error();
  return out;
}

Result<std::vector<PipelineFindingEntry>> Datastore::PipelineFindings(
    const std::unordered_set<std::string>* repos) {
  auto stmt = db_.Prepare(
      "SELECT r.repo, p.kind, p.path, p.key_path, p.line, p.message "
      "FROM pipeline_findings p JOIN repositories r ON r.id = p.repo_id "
      "ORDER BY r.repo, p.path, p.line, p.key_path, p.kind, p.message");
  if (!stmt.ok()) return stmt.error();
  std::vector<PipelineFindingEntry> out;
  while (stmt->Step()) {
    if (!Wanted(repos, stmt->Text(0))) continue;
    PipelineFindingEntry f;
    f.repo = stmt->Text(0);
    f.kind = stmt->Text(1);
    f.path = stmt->Text(2);
    f.key_path = stmt->Text(3);
    f.line = static_cast<uint64_t>(stmt->Int(4));
    f.message = stmt->Text(5);
    out.push_back(std::move(f));
  }
  if (!stmt->status().ok()) return stmt->status().error();
  return out;
}

}  // namespace sprawl
