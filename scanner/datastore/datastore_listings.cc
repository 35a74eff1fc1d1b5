// Datastore::LoadDirListings and SaveDirListings (see datastore.h).
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "scanner/datastore/datastore.h"

namespace sprawl {

Result<std::unordered_map<std::string, std::string>> Datastore::LoadDirListings(
    const std::string& root) {
  auto stmt =
      db_.Prepare("SELECT path, listing FROM dir_listings WHERE root = ?");
  if (!stmt.ok()) return stmt.error();
  stmt->Bind(1, root);
  std::unordered_map<std::string, std::string> out;
  while (stmt->Step()) out.emplace(stmt->Text(0), stmt->Text(1));
  if (!stmt->status().ok()) return stmt->status().error();
  return out;
}

Status Datastore::SaveDirListings(
    const std::string& root,
    const std::vector<std::pair<std::string, std::string>>& changed,
    const std::vector<std::string>& gone) {
  if (changed.empty() && gone.empty()) return Status::Ok();
  SqliteTransaction tx(&db_);
  if (!tx.begun().ok()) return tx.begun();
  auto put = db_.Prepare(
      "INSERT OR REPLACE INTO dir_listings(root, path, listing) "
      "VALUES (?, ?, ?)");
  if (!put.ok()) return put.error();
  for (const auto& [path, listing] : changed) {
    put->Bind(1, root).Bind(2, path).Bind(3, listing);
    if (Status s = put->Run(); !s.ok()) return s;
  }
  auto drop =
      db_.Prepare("DELETE FROM dir_listings WHERE root = ? AND path = ?");
  if (!drop.ok()) return drop.error();
  for (const std::string& path : gone) {
    drop->Bind(1, root).Bind(2, path);
    if (Status s = drop->Run(); !s.ok()) return s;
  }
  return tx.Commit();
}

}  // namespace sprawl
