#include "scanner/datastore/schema.h"

namespace sprawl {

const std::vector<std::string_view>& DatastoreMigrations() {
  static const std::vector<std::string_view> k = {
      // 0 -> 1: the first schema.
      R"sql(
CREATE TABLE sweeps (
  id INTEGER PRIMARY KEY,
  started TEXT NOT NULL,
  finished TEXT
);
CREATE TABLE repositories (
  id INTEGER PRIMARY KEY,
  repo TEXT NOT NULL UNIQUE,
  source TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL,
  error TEXT NOT NULL DEFAULT '',
  blobs_scanned INTEGER NOT NULL DEFAULT 0,
  duration_ms INTEGER NOT NULL DEFAULT 0,
  last_sweep INTEGER NOT NULL DEFAULT 0,
  ref_tips TEXT NOT NULL DEFAULT ''
);
CREATE TABLE scanned_blobs (
  repo_id INTEGER NOT NULL REFERENCES repositories(id),
  oid TEXT NOT NULL,
  PRIMARY KEY (repo_id, oid)
) WITHOUT ROWID;
CREATE TABLE credentials (
  fingerprint TEXT PRIMARY KEY,
  rule TEXT NOT NULL,
  rule_name TEXT NOT NULL DEFAULT '',
  provider TEXT NOT NULL DEFAULT '',
  category TEXT NOT NULL DEFAULT '',
  confidence TEXT NOT NULL DEFAULT '',
  redacted TEXT NOT NULL,
  also_matched TEXT NOT NULL DEFAULT '[]',
  first_seen_sweep INTEGER NOT NULL,
  last_seen_sweep INTEGER NOT NULL
);
CREATE TABLE locations (
  fingerprint TEXT NOT NULL REFERENCES credentials(fingerprint),
  repo_id INTEGER NOT NULL REFERENCES repositories(id),
  source TEXT NOT NULL,
  path TEXT NOT NULL,
  line INTEGER NOT NULL,
  col INTEGER NOT NULL,
  commit_oid TEXT NOT NULL DEFAULT '',
  author TEXT NOT NULL DEFAULT '',
  author_email TEXT NOT NULL DEFAULT '',
  date TEXT NOT NULL DEFAULT '',
  summary TEXT NOT NULL DEFAULT '',
  blob TEXT NOT NULL DEFAULT '',
  in_head INTEGER NOT NULL DEFAULT 0,
  refs TEXT NOT NULL DEFAULT '[]',
  pipeline TEXT NOT NULL DEFAULT '',
  UNIQUE (fingerprint, repo_id, source, path, line, col, blob, commit_oid)
);
CREATE INDEX locations_by_repo ON locations(repo_id);
)sql",
      // 1 -> 2: CI pipeline references and findings (names and paths, never
      // values); locations by blob, for copying a known secret's locations
      // to the paths its blob moved to.
      R"sql(
CREATE TABLE pipeline_references (
  repo_id INTEGER NOT NULL REFERENCES repositories(id),
  system TEXT NOT NULL,
  path TEXT NOT NULL,
  key_path TEXT NOT NULL,
  name TEXT NOT NULL,
  line INTEGER NOT NULL,
  UNIQUE (repo_id, system, path, key_path, name, line)
);
CREATE TABLE pipeline_findings (
  repo_id INTEGER NOT NULL REFERENCES repositories(id),
  kind TEXT NOT NULL,
  path TEXT NOT NULL,
  key_path TEXT NOT NULL,
  line INTEGER NOT NULL,
  message TEXT NOT NULL,
  UNIQUE (repo_id, kind, path, key_path, line, message)
);
CREATE INDEX locations_by_blob ON locations(repo_id, blob);
)sql",
      // 2 -> 3: the stat signature of the ref files a repository's tips were
      // read from (see ref_signature.h; none = read the refs), apart from
      // the repositories row so that rewriting an unchanged repository's row
      // stays small; and the directory listings discovery below a --root
      // concluded from (see dir_listing.h), by root and path below it.
      R"sql(
CREATE TABLE ref_signatures (
  repo_id INTEGER PRIMARY KEY REFERENCES repositories(id),
  signature TEXT NOT NULL
);
CREATE TABLE dir_listings (
  root TEXT NOT NULL,
  path TEXT NOT NULL,
  listing TEXT NOT NULL,
  PRIMARY KEY (root, path)
) WITHOUT ROWID;
)sql",
      // 3 -> 4: the developer-client context of a location (client,
      // endpoint, MCP server, key path; JSON, '' = not in a client file).
      R"sql(
ALTER TABLE locations ADD COLUMN client TEXT NOT NULL DEFAULT '';
)sql",
      // 4 -> 5: the repository's own .sprawl/inventory.yaml at its default
      // branch tip, as read by the sweep that last read its tips (NULL =
      // never read; '' = none), and why it could not be used ('' = fine).
      R"sql(
ALTER TABLE repositories ADD COLUMN inventory TEXT;
ALTER TABLE repositories ADD COLUMN inventory_error TEXT NOT NULL DEFAULT '';
)sql",
  };
  return k;
}

}  // namespace sprawl
