// Datastore: the SQLite file a sweep records into and `sprawl report`
// renders from. Per repository: status, error, duration, ref tips, the set
// of blobs already scanned (the incremental set), and its CI pipeline
// references and findings (names and paths only); per credential: rule,
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
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "scanner/base/result.h"
#include "scanner/datastore/sqlite.h"
#include "scanner/findings/finding.h"
#include "scanner/findings/report.h"

namespace sprawl {

// The schema version this build writes; older files are migrated on open.
inline constexpr int kDatastoreSchemaVersion = 5;

struct StoredRepository {
  std::string repo;            // key: path relative to --root, or the URL
  std::string source;          // where it was read from (path or URL)
  std::string status;          // scanned | unchanged | failed | skipped
  std::string error;           // why failed / skipped
  uint64_t blobs_scanned = 0;  // in the sweep that last touched it
  int64_t duration_ms = 0;
  int64_t last_sweep = 0;  // sweep id
  std::string ref_tips;    // canonical JSON of ref -> oid ("" = unknown)
  // RefSignature::Encode of the ref files ref_tips was read from ("" =
  // none): while it holds, the tips are still ref_tips. Meaningful only on
  // the machine that took it (it names inodes). Always set when read; when
  // written, nullopt keeps the stored one (an unchanged repository whose
  // signature held writes nothing for it).
  std::optional<std::string> ref_signature;
  // The repository's own .sprawl/inventory.yaml at its default branch tip
  // (docs/sweeps.md): its text when it loads as an inventory ("" = the
  // repository has none or it cannot be used), else `inventory_error` says
  // why (a diagnostic, never a secret). When read, nullopt = never read
  // (a row from before schema 5); when written, nullopt keeps the stored
  // pair (an unchanged repository whose tips were not re-read).
  std::optional<std::string> inventory;
  std::string inventory_error;
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

// A (path, blob) pair this scan saw but did not read, because an earlier
// sweep read the blob and located secrets in it: every stored location of
// the repository in that blob is copied to `path` with this provenance
// (same credential, line and column), so a moved secret keeps being found.
struct KnownBlobSighting {
  std::string path;
  GitProvenance git;  // at `path`; git.blob names the blob
  // The pipeline system of `path` ("" = not a pipeline file): a copied
  // location keeps its pipeline context only when it is of this system.
  std::string system;
  // The same for the developer client of `path` (scanner/clients).
  std::string client;
};

// What one repository's scan adds to the datastore; every part is a union
// with what is already stored.
struct RepositoryScan {
  std::vector<std::string> new_blobs;         // join the scanned set
  std::vector<StoredCredential> found;        // upserted, with their locations
  std::vector<KnownBlobSighting> known;       // copies of stored locations
  std::vector<PipelineReference> references;  // status is not stored
  std::vector<PipelineFindingEntry> pipeline_findings;
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
  // Opens an existing datastore for reading only (`sprawl report`, merge
  // inputs): never migrates, never switches journal mode, works on a
  // read-only filesystem. A file that is not a sprawl datastore, or of
  // another schema version, is an Error and is left untouched.
  static Result<Datastore> OpenReadOnly(const std::string& path);

  int schema_version() const { return schema_version_; }

  Result<int64_t> BeginSweep();
  Status FinishSweep(int64_t sweep);
  Result<std::vector<SweepRecord>> Sweeps();

  Result<std::optional<StoredRepository>> GetRepository(
      const std::string& repo);
  Result<std::unordered_set<std::string>> ScannedBlobs(const std::string& repo);
  // The blob oids that hold at least one location in the repository.
  Result<std::unordered_set<std::string>> SecretBlobs(const std::string& repo);

  // One transaction: upserts the repository row (its last_sweep = `sweep`),
  // marks every credential already located in the repository as seen in
  // `sweep` unless the status is failed or skipped, then adds `scan` (see
  // RepositoryScan). A location already stored only has in_head and refs
  // refreshed.
  Status CommitRepository(int64_t sweep, const StoredRepository& repository,
                          const RepositoryScan& scan);

  // One transaction for many repositories whose ref tips did not change
  // (status `unchanged`): each row is upserted and its credentials marked
  // seen in `sweep`.
  Status CommitUnchanged(int64_t sweep,
                         const std::vector<StoredRepository>& repositories);

  Result<std::vector<StoredRepository>> Repositories();
  // Every credential with its locations, sorted by fingerprint; locations in
  // report order. With `repos`, only locations in those repositories (and
  // only credentials that have one).
  Result<std::vector<StoredCredential>> Credentials(
      const std::unordered_set<std::string>* repos = nullptr);
  // Pipeline references (status left empty: it is decided against an
  // inventory when reconciling) and pipeline findings, `repo` set on each,
  // sorted by (repo, path, line, key_path, ...). With `repos`, only those
  // repositories'.
  Result<std::vector<PipelineReference>> References(
      const std::unordered_set<std::string>* repos = nullptr);
  Result<std::vector<PipelineFindingEntry>> PipelineFindings(
      const std::unordered_set<std::string>* repos = nullptr);

  // The directory listings (encoded, see dir_listing.h) discovery recorded
  // below `root`, by path relative to it. Local to the machine, like ref
  // signatures; never merged.
  Result<std::unordered_map<std::string, std::string>> LoadDirListings(
      const std::string& root);
  // One transaction: stores `changed` (path, encoded listing) and drops
  // `gone` for `root`; no transaction at all when both are empty.
  Status SaveDirListings(
      const std::string& root,
      const std::vector<std::pair<std::string, std::string>>& changed,
      const std::vector<std::string>& gone);

  // Adds another datastore into this one. Sweeps are aligned by ordinal (the
  // i-th sweep of each shard is the same scheduled run); for a repository in
  // both, the most recent sweep's row wins; blob sets and locations are
  // unions, as are pipeline references and findings; first/last seen are
  // min/max.
  Status MergeFrom(const std::string& other_path);

 private:
  explicit Datastore(SqliteDb db) : db_(std::move(db)) {}
  Status Migrate();

  SqliteDb db_;
  int schema_version_ = 0;
};

}  // namespace sprawl
