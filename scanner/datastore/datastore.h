// Datastore: the SQLite file a sweep records into and `sprawl report`
// renders from. Per repository: status, error, duration, ref tips and the
// set of blobs already scanned (the incremental set); per credential: rule,
// provider, redacted preview (never the raw secret), first and last sweep
// seen, and every location across repositories. Each repository is
// committed in its own transaction, so an interrupted sweep keeps what it
// committed. The schema is versioned with PRAGMA user_version and migrated
// on open; the file runs in WAL mode.
// Owns one connection; not thread-safe (callers serialize access).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "scanner/base/result.h"
#include "scanner/datastore/sqlite.h"
#include "scanner/findings/finding.h"

namespace sprawl {

// The schema version this build writes; older files are migrated on open.
inline constexpr int kDatastoreSchemaVersion = 1;

struct StoredRepository {
  std::string repo;            // key: path relative to --root, or the URL
  std::string source;          // where it was read from (path or URL)
  std::string status;          // scanned | unchanged | failed | skipped
  std::string error;           // why failed / skipped
  uint64_t blobs_scanned = 0;  // in the sweep that last touched it
  int64_t duration_ms = 0;
  int64_t last_sweep = 0;  // sweep id
  std::string ref_tips;    // canonical JSON of ref -> oid ("" = unknown)
};

// A credential as stored: identity and rule facts, never the secret.
struct StoredCredential {
  std::string fingerprint;
  std::string rule, rule_name, provider, category, confidence;
  std::string redacted;
  std::vector<std::string> also_matched;
  int64_t first_seen_sweep = 0;
  int64_t last_seen_sweep = 0;
  std::vector<Location> locations;  // `repo` set on each
};

struct SweepRecord {
  int64_t id = 0;
  std::string started;   // UTC, ISO 8601
  std::string finished;  // "" while unfinished (interrupted or running)
};

class Datastore {
 public:
  // Opens the file (creating it and its parent directory when `create`),
  // migrates the schema, enables WAL. A newer schema is an Error.
  static Result<Datastore> Open(const std::string& path, bool create);

  int schema_version() const { return schema_version_; }

  Result<int64_t> BeginSweep();
  Status FinishSweep(int64_t sweep);
  Result<std::vector<SweepRecord>> Sweeps();

  Result<std::optional<StoredRepository>> GetRepository(
      const std::string& repo);
  Result<std::unordered_set<std::string>> ScannedBlobs(const std::string& repo);

  // One transaction: upserts the repository row (its last_sweep = `sweep`),
  // adds `new_blobs` to its scanned set, upserts `found` with their
  // locations, and marks every credential already located in the repository
  // as seen in `sweep` unless the status is failed or skipped.
  Status CommitRepository(int64_t sweep, const StoredRepository& repository,
                          const std::vector<std::string>& new_blobs,
                          const std::vector<StoredCredential>& found);

  Result<std::vector<StoredRepository>> Repositories();
  // Every credential with its locations, sorted by fingerprint; locations in
  // report order. With `repos`, only locations in those repositories (and
  // only credentials that have one).
  Result<std::vector<StoredCredential>> Credentials(
      const std::unordered_set<std::string>* repos = nullptr);

  // Adds another datastore into this one. Sweeps are aligned by ordinal (the
  // i-th sweep of each shard is the same scheduled run); for a repository in
  // both, the most recent sweep's row wins; blob sets and locations are
  // unions; first/last seen are min/max.
  Status MergeFrom(const std::string& other_path);

 private:
  explicit Datastore(SqliteDb db) : db_(std::move(db)) {}
  Status Migrate();

  SqliteDb db_;
  int schema_version_ = 0;
};

}  // namespace sprawl
