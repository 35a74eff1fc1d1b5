#include "scanner/git/object_store_health.h"

#include <git2/sys/odb_backend.h>
#include <git2/sys/repository.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>

#include "scanner/base/hash.h"
#include "scanner/base/private_file.h"
#include "scanner/base/text.h"
#include "scanner/git/object_catalog.h"
#include "scanner/git/pack_decoder.h"
#include "scanner/git/pack_format.h"

namespace sprawl {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kExamples = 10;  // bad entries named per pack
constexpr int kMaxAlternateDepth = 5;  // as git and libgit2

// What identifies one state of a pack and its index, as mapped ("" when
// either is not a mapped regular file): both files' device, inode, size,
// mtime and ctime, read from the descriptors that were mapped, so the
// state is that of the bytes checked, whatever happens to the paths.
std::string PackState(const std::string& idx_path, const MappedFile& idx,
                      const MappedFile& pack) {
  std::string out = "sprawl verified pack v2\n" + idx_path + "\n";
  for (const MappedFile* f : {&idx, &pack}) {
    if (f->data() == nullptr || !S_ISREG(f->stat().mode)) return "";
    AppendStatText(f->stat(), &out);
    out += "\n";
  }
  return out;
}

// The record of `state` in `verified_dir` ("" when either is empty).
std::string VerifiedRecord(const std::string& verified_dir,
                           const std::string& state) {
  if (verified_dir.empty() || state.empty()) return "";
  return verified_dir + "/" + Sha256Hex(state);
}

bool VerifiedBefore(const std::string& verified_dir, const std::string& state) {
  const std::string record = VerifiedRecord(verified_dir, state);
  if (record.empty()) return false;
  std::string why;
  const std::optional<std::string> payload =
      ReadSealedFile(record, 4096, &why);
  return payload && *payload == state;
}

void RecordVerified(const std::string& verified_dir, const std::string& state) {
  const std::string record = VerifiedRecord(verified_dir, state);
  if (record.empty()) return;
  std::string why;  // a cache that cannot be written only costs time
  if (EnsurePrivateDir(verified_dir, &why)) {
    WriteSealedFile(verified_dir, record, state, &why);
  }
}

// `dir` without trailing '/' and "/." components.
std::string NormalizeDir(std::string dir) {
  for (;;) {
    while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
    if (dir.size() > 2 && dir.compare(dir.size() - 2, 2, "/.") == 0) {
      dir.resize(dir.size() - 2);
      continue;
    }
    return dir;
  }
}

// `dir` and its alternates (info/alternates, recursively, relative paths
// relative to the directory that names them), each once.
void CollectDirs(const std::string& dir, int depth,
                 std::vector<std::string>* out) {
  if (std::find(out->begin(), out->end(), dir) != out->end()) return;
  out->push_back(dir);
  if (depth >= kMaxAlternateDepth) return;
  std::ifstream in(dir + "/info/alternates");
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#' || line[0] == '"') continue;
    std::string alt = line[0] == '/' ? line : dir + "/" + line;  // NOLINT(performance-inefficient-string-concatenation)
    CollectDirs(NormalizeDir(alt), depth + 1, out);
  }
}

// The names of the .idx and .pack files of `dir`/pack with their sizes and
// times: what the cache is keyed on.
std::string Signature(const std::vector<std::string>& dirs) {
  std::string sig;
  for (const std::string& dir : dirs) {
    sig += dir;
    sig += '\n';
    std::error_code ec;
    std::vector<std::string> lines;
    for (fs::directory_iterator it(fs::path(dir) / "pack", ec), end;
         !ec && it != end; it.increment(ec)) {
      const std::string name = it->path().filename().string();
      if (!name.ends_with(".idx") && !name.ends_with(".pack")) continue;
      struct stat st {};
      if (::stat(it->path().c_str(), &st) != 0) continue;
      lines.push_back(name + " " + std::to_string(st.st_size) + " " +
                      std::to_string(st.st_mtim.tv_sec) + "." +
                      std::to_string(st.st_mtim.tv_nsec));
    }
    std::sort(lines.begin(), lines.end());
    for (const std::string& l : lines) sig += l + "\n";
  }
  return sig;
}

// The object count a pack's header states, or 0.
uint64_t PackHeaderCount(const MappedFile& pack) {
  if (pack.size() < 12 || std::memcmp(pack.data(), "PACK", 4) != 0) return 0;
  const unsigned char* p = pack.data() + 8;
  return (uint64_t{p[0]} << 24) | (uint64_t{p[1]} << 16) |
         (uint64_t{p[2]} << 8) | p[3];
}

void CheckDir(const std::string& dir, const std::string& verified_dir,
              ObjectStoreHealth* health) {
  ObjectStoreHealth::Dir d;
  d.path = dir;
  const std::string pack_dir = dir + "/pack/";
  // Every .pack with an .idx, every .idx with a .pack.
  std::vector<std::string> idx_files = PackIndexFiles(dir);
  std::error_code ec;
  for (fs::directory_iterator it(fs::path(dir) / "pack", ec), end;
       !ec && it != end; it.increment(ec)) {
    const fs::path& p = it->path();
    if (p.extension() != ".pack") continue;
    fs::path idx = p;
    idx.replace_extension(".idx");
    std::error_code eec;
    if (fs::exists(idx, eec)) continue;
    ObjectStoreHealth::Pack bad;
    bad.path = p.string();
    bad.problem = "pack has no .idx index (git index-pack can rebuild it)";
    bad.objects = std::max<uint64_t>(1, PackHeaderCount(MappedFile(p)));
    health->packs.push_back(std::move(bad));
  }
  for (const std::string& idx_path : idx_files) {
    const std::string pack_path =
        idx_path.substr(0, idx_path.size() - 4) + ".pack";
    MappedFile idx(idx_path);
    MappedFile pack(pack_path);
    // Checked clean before, and neither file changed since: the index is
    // still validated (every reader trusts it; ~10 ms for git/git's), the
    // walk over the pack's entries is skipped.
    const std::string state = PackState(idx_path, idx, pack);
    const bool verified = VerifiedBefore(verified_dir, state);
    ObjectStoreHealth::Pack bad;
    bad.path = pack_path;
    PackIndexTable table;
    std::error_code eec;
    if (!fs::exists(pack_path, eec)) {
      continue;  // an index without its pack: libgit2 skips it too
    }
    if (idx.data() == nullptr) {
      bad.problem = "cannot read its index " + idx_path;
    } else if (pack.data() == nullptr) {
      bad.problem = "cannot read the pack file";
    } else {
      bad.problem = CheckPackIndex(idx.data(), idx.size(), &table);
      if (!bad.problem.empty()) {
        bad.problem = "bad index " + fs::path(idx_path).filename().string() +
                      ": " + bad.problem;
      } else if (!verified) {
        bad.problem = CheckPackAgainstIndex(pack.data(), pack.size(), table);
      }
    }
    if (!bad.problem.empty()) {
      bad.objects = std::max<uint64_t>(
          1, table.count != 0 ? table.count : PackHeaderCount(pack));
      health->packs.push_back(std::move(bad));
      continue;
    }
    d.good_idx.push_back(fs::path(idx_path).filename().string());
    if (verified) continue;
    std::vector<BadPackEntry> entries =
        FindBadPackEntries(pack.data(), pack.size(), table,
                           [&pack](uint64_t n) { pack.NoteRead(n); });
    pack.Release();
    if (entries.empty()) {
      RecordVerified(verified_dir, state);
      continue;
    }
    for (BadPackEntry& e : entries) {
      ObjectStoreHealth::BadEntry b;
      std::memcpy(b.oid.id, table.Name(e.entry), GIT_OID_RAWSZ);
      b.offset = table.offsets[e.entry];
      b.reason = std::move(e.reason);
      bad.bad.push_back(std::move(b));
    }
    bad.objects = bad.bad.size();
    health->packs.push_back(std::move(bad));
  }
  health->dirs.push_back(std::move(d));
}

}  // namespace

bool ObjectStoreHealth::IsBad(const git_oid& oid) const {
  return std::binary_search(bad_oids.begin(), bad_oids.end(), oid, OidLess());
}

uint64_t ObjectStoreHealth::unreadable() const {
  uint64_t n = 0;
  for (const Pack& p : packs) n += p.objects;
  return n;
}

std::shared_ptr<const ObjectStoreHealth> CheckObjectStore(
    const std::string& objects_dir, const std::string& verified_pack_dir) {
  std::vector<std::string> dirs;
  CollectDirs(NormalizeDir(objects_dir), 0, &dirs);
  const std::string key = Signature(dirs);
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<const ObjectStoreHealth>> cache;
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = cache.find(key);
    if (it != cache.end()) return it->second;
  }
  auto health = std::make_shared<ObjectStoreHealth>();
  for (const std::string& dir : dirs) {
    CheckDir(dir, verified_pack_dir, health.get());
  }
  for (const ObjectStoreHealth::Pack& p : health->packs) {
    for (const ObjectStoreHealth::BadEntry& b : p.bad) {
      health->bad_oids.push_back(b.oid);
    }
  }
  std::sort(health->bad_oids.begin(), health->bad_oids.end(), OidLess());
  std::lock_guard<std::mutex> lock(mu);
  if (cache.size() >= 64) cache.clear();  // a sweep: keep it bounded
  return cache.emplace(key, std::move(health)).first->second;
}

void ReportObjectStore(const ObjectStoreHealth& health,
                       Diagnostics* diagnostics, ScanStats* stats) {
  for (const ObjectStoreHealth::Pack& p : health.packs) {
    std::string what;
    if (!p.problem.empty()) {
      what = p.problem + "; its " + std::to_string(p.objects) +
             " object(s) cannot be read and are not scanned";
    } else {
      what = std::to_string(p.bad.size()) +
             " object(s) in this pack cannot be decoded and are not "
             "scanned (never handed to libgit2): ";
      for (std::size_t i = 0; i < p.bad.size() && i < kExamples; ++i) {
        const ObjectStoreHealth::BadEntry& b = p.bad[i];
        if (i > 0) what += "; ";
        what += GitHex(b.oid) + " at offset " + std::to_string(b.offset) +
                ": " + b.reason;
      }
      if (p.bad.size() > kExamples) {
        what += "; and " + std::to_string(p.bad.size() - kExamples) + " more";
      }
    }
    diagnostics->Warn(EscapeForDisplay(p.path), what);
  }
  if (stats != nullptr) stats->skipped_unreadable += health.unreadable();
}

namespace {

// A pack backend that refuses the entries its pack cannot decode: libgit2
// would loop forever on a delta cycle, and reports nothing useful on the
// rest. Refused objects are "not found" here, so another pack (or the
// loose objects) holding a good copy still serves them.
struct GuardBackend {
  git_odb_backend parent;  // first: libgit2 passes &parent
  git_odb_backend* inner = nullptr;
  std::vector<git_oid> bad;  // sorted

  static GuardBackend* Of(git_odb_backend* b) {
    return reinterpret_cast<GuardBackend*>(b);
  }
  bool Refuses(const git_oid* oid) const {
    if (!std::binary_search(bad.begin(), bad.end(), *oid, OidLess())) {
      return false;
    }
    const std::string msg = "object " + GitHex(*oid) +
                            " is a malformed pack entry (delta cycle or "
                            "missing base); not read";
    git_error_set_str(GIT_ERROR_ODB, msg.c_str());
    return true;
  }
  static int Read(void** data, size_t* len, git_object_t* type,
                  git_odb_backend* b, const git_oid* oid) {
    GuardBackend* g = Of(b);
    if (g->Refuses(oid)) return GIT_ENOTFOUND;
    return g->inner->read(data, len, type, g->inner, oid);
  }
  static int ReadPrefix(git_oid* out, void** data, size_t* len,
                        git_object_t* type, git_odb_backend* b,
                        const git_oid* prefix, size_t n) {
    GuardBackend* g = Of(b);
    git_oid full;
    int rc = g->inner->exists_prefix(&full, g->inner, prefix, n);
    if (rc != 0) return rc;
    if (g->Refuses(&full)) return GIT_ENOTFOUND;
    *out = full;
    return g->inner->read(data, len, type, g->inner, &full);
  }
  static int ReadHeader(size_t* len, git_object_t* type, git_odb_backend* b,
                        const git_oid* oid) {
    GuardBackend* g = Of(b);
    if (g->Refuses(oid)) return GIT_ENOTFOUND;
    return g->inner->read_header(len, type, g->inner, oid);
  }
  static int Exists(git_odb_backend* b, const git_oid* oid) {
    GuardBackend* g = Of(b);
    if (std::binary_search(g->bad.begin(), g->bad.end(), *oid, OidLess())) {
      return 0;
    }
    return g->inner->exists(g->inner, oid);
  }
  static int ExistsPrefix(git_oid* out, git_odb_backend* b,
                          const git_oid* prefix, size_t n) {
    GuardBackend* g = Of(b);
    return g->inner->exists_prefix(out, g->inner, prefix, n);
  }
  static int Refresh(git_odb_backend* b) {
    GuardBackend* g = Of(b);
    return g->inner->refresh != nullptr ? g->inner->refresh(g->inner) : 0;
  }
  static int Foreach(git_odb_backend* b, git_odb_foreach_cb cb, void* payload) {
    GuardBackend* g = Of(b);
    return g->inner->foreach (g->inner, cb, payload);
  }
  static void Free(git_odb_backend* b) {
    GuardBackend* g = Of(b);
    if (g->inner != nullptr) g->inner->free(g->inner);
    delete g;
  }
};

git_odb_backend* Guard(git_odb_backend* inner, std::vector<git_oid> bad) {
  if (bad.empty()) return inner;
  auto* g = new GuardBackend;
  git_odb_init_backend(&g->parent, GIT_ODB_BACKEND_VERSION);
  g->inner = inner;
  g->bad = std::move(bad);
  std::sort(g->bad.begin(), g->bad.end(), OidLess());
  g->parent.read = &GuardBackend::Read;
  g->parent.read_prefix = &GuardBackend::ReadPrefix;
  g->parent.read_header = &GuardBackend::ReadHeader;
  g->parent.exists = &GuardBackend::Exists;
  g->parent.exists_prefix = &GuardBackend::ExistsPrefix;
  g->parent.refresh = &GuardBackend::Refresh;
  g->parent.foreach = &GuardBackend::Foreach;
  g->parent.free = &GuardBackend::Free;
  return &g->parent;
}

// git's priorities: packs before loose objects.
constexpr int kLoosePriority = 1;
constexpr int kPackPriority = 2;

}  // namespace

GitOdbPtr OpenCheckedOdb(const std::string& objects_dir,
                         const ObjectStoreHealth& health, int k) {
  (void)objects_dir;
  git_odb* raw = nullptr;
  if (git_odb_new(&raw) != 0) return nullptr;
  GitOdbPtr odb(raw);
  std::string dots;
  for (int i = 0; i < k; ++i) dots += "/.";
  bool first = true;
  for (const ObjectStoreHealth::Dir& d : health.dirs) {
    auto add = [&](git_odb_backend* b, int priority) {
      return first ? git_odb_add_backend(odb.get(), b, priority)
                   : git_odb_add_alternate(odb.get(), b, priority);
    };
    git_odb_backend* loose = nullptr;
    if (git_odb_backend_loose(&loose, (d.path + dots).c_str(), -1, 0, 0, 0) !=
            0 ||
        add(loose, kLoosePriority) != 0) {
      if (loose != nullptr) loose->free(loose);
      return nullptr;
    }
    for (const std::string& name : d.good_idx) {
      const std::string pack_path =
          d.path + "/pack/" + name.substr(0, name.size() - 4) + ".pack";
      std::vector<git_oid> bad;
      for (const ObjectStoreHealth::Pack& p : health.packs) {
        if (p.path != pack_path) continue;
        for (const ObjectStoreHealth::BadEntry& b : p.bad) {
          bad.push_back(b.oid);
        }
      }
      git_odb_backend* pack = nullptr;
      if (git_odb_backend_one_pack(
              &pack, (d.path + dots + "/pack/" + name).c_str()) != 0) {  // NOLINT(performance-inefficient-string-concatenation)
        return nullptr;
      }
      git_odb_backend* guarded = Guard(pack, std::move(bad));
      if (add(guarded, kPackPriority) != 0) {
        guarded->free(guarded);
        return nullptr;
      }
    }
    first = false;
  }
  return odb;
}

Status GuardRepository(git_repository* repo,
                       const std::string& verified_pack_dir) {
  const std::string objects_dir =
      std::string(git_repository_commondir(repo)) + "objects";
  std::shared_ptr<const ObjectStoreHealth> health =
      CheckObjectStore(objects_dir, verified_pack_dir);
  if (health->clean()) return Status::Ok();
  GitOdbPtr odb = OpenCheckedOdb(objects_dir, *health, 0);
  if (!odb) {
    return Error{objects_dir +
                 ": cannot assemble the object database: " + GitLastError()};
  }
  if (git_repository_set_odb(repo, odb.get()) != 0) {
    return Error{objects_dir +
                 ": cannot install the object database: " + GitLastError()};
  }
  return Status::Ok();
}

}  // namespace sprawl
