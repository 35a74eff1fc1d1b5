#include "scanner/git/object_catalog.h"

#include <dirent.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "scanner/git/object_store_health.h"
#include "scanner/git/pack_format.h"

namespace sprawl {

namespace {

uint64_t SlotHash(const git_oid& oid) {
  uint64_t h;
  std::memcpy(&h, oid.id, sizeof h);
  return h;
}

// Oid equality without a call to memcmp (the catalog compares millions).
bool SameOid(const git_oid& a, const git_oid& b) {
  uint64_t x[2], y[2];
  uint32_t xt, yt;
  std::memcpy(x, a.id, 16);
  std::memcpy(y, b.id, 16);
  std::memcpy(&xt, a.id + 16, 4);
  std::memcpy(&yt, b.id + 16, 4);
  return ((x[0] ^ y[0]) | (x[1] ^ y[1]) | (xt ^ yt)) == 0;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// The loose objects of `objects_dir` (objects/xx/yyyy...), by listing the
// 256 fan-out directories.
template <typename F>
void ForEachLoose(const std::string& objects_dir, F&& f) {
  static const char kHex[] = "0123456789abcdef";
  for (int d = 0; d < 256; ++d) {
    const char dir_name[3] = {kHex[d >> 4], kHex[d & 15], 0};
    DIR* dir = ::opendir((objects_dir + "/" + dir_name).c_str());
    if (dir == nullptr) continue;
    while (const dirent* ent = ::readdir(dir)) {
      const char* name = ent->d_name;
      if (std::strlen(name) != 2 * GIT_OID_RAWSZ - 2) continue;
      git_oid oid;
      oid.id[0] = static_cast<unsigned char>(d);
      bool ok = true;
      for (std::size_t i = 0; ok && i < GIT_OID_RAWSZ - 1; ++i) {
        const int hi = HexValue(name[2 * i]);
        const int lo = HexValue(name[2 * i + 1]);
        ok = hi >= 0 && lo >= 0;
        oid.id[i + 1] = static_cast<unsigned char>(hi << 4 | lo);
      }
      if (ok) f(oid);
    }
    ::closedir(dir);
  }
}

// `objects_dir` and the object directories it borrows from
// (info/alternates, one level, as git resolves them: relative paths are
// relative to `objects_dir`). Clears *complete when an alternates file
// cannot be read or nests further, so the caller falls back to libgit2.
std::vector<std::string> ObjectDirs(const std::string& objects_dir,
                                    bool* complete) {
  std::vector<std::string> dirs{objects_dir};
  const std::string list = objects_dir + "/info/alternates";
  std::error_code ec;
  if (!std::filesystem::exists(list, ec)) return dirs;
  std::ifstream in(list);
  if (!in) {
    *complete = false;
    return dirs;
  }
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    if (line[0] == '"') {  // quoted paths: leave them to libgit2
      *complete = false;
      continue;
    }
    std::string dir = line;
    if (line[0] != '/') dir = std::string(objects_dir).append("/").append(line);
    if (std::filesystem::exists(dir + "/info/alternates", ec)) {
      *complete = false;  // chains: libgit2 follows them
    }
    dirs.push_back(std::move(dir));
  }
  return dirs;
}

}  // namespace

uint32_t ObjectCatalog::Find(const git_oid& oid) const {
  uint8_t type = 0;
  return Find(oid, &type);
}

uint32_t ObjectCatalog::Find(const git_oid& oid, uint8_t* type) const {
  *type = 0;
  if (slots_.empty()) return kNoEntry;
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t s = SlotHash(oid) & mask;; s = (s + 1) & mask) {
    const Slot& slot = slots_[s];
    if (slot.entry == kNoEntry) return kNoEntry;
    if (SameOid(slot.oid, oid)) {
      *type = slot.type;
      return slot.entry;
    }
  }
}

void ObjectCatalog::Prefetch(const git_oid& oid) const {
  if (!slots_.empty()) {
    __builtin_prefetch(&slots_[SlotHash(oid) & (slots_.size() - 1)]);
  }
}

void ObjectCatalog::Rehash(std::size_t capacity) {
  std::size_t n = 1024;
  while (n < capacity * 2) n *= 2;
  slots_.assign(n, Slot{});
  const std::size_t mask = n - 1;
  for (uint32_t e = 0; e < entries_.size(); ++e) {
    std::size_t s = SlotHash(entries_[e].oid) & mask;
    while (slots_[s].entry != kNoEntry) s = (s + 1) & mask;
    slots_[s] = {entries_[e].oid, e, entries_[e].type};
  }
}

uint32_t ObjectCatalog::Insert(const git_oid& oid) {
  if (entries_.size() * 2 + 2 > slots_.size()) Rehash(entries_.size() * 2 + 2);
  const std::size_t mask = slots_.size() - 1;
  std::size_t s = SlotHash(oid) & mask;
  for (; slots_[s].entry != kNoEntry; s = (s + 1) & mask) {
    if (SameOid(slots_[s].oid, oid)) return kNoEntry;
  }
  const auto e = static_cast<uint32_t>(entries_.size());
  slots_[s] = {oid, e};
  entries_.emplace_back();
  entries_.back().oid = oid;
  return e;
}

void ObjectCatalog::IndexPack(const MappedFile& idx, uint32_t pack_no,
                              std::vector<uint32_t>* order) {
  const std::optional<PackIndexView> view = ViewPackIndex(idx);
  if (!view) return;  // version 1: libgit2 reads it
  const uint64_t n = view->count;
  if (slots_.size() < (entries_.size() + n) * 2) {
    Rehash(entries_.size() + n);
  }
  const MappedFile& pack = *packs_[pack_no];
  std::vector<std::pair<uint64_t, uint32_t>> by_offset;
  by_offset.reserve(n);
  entries_.reserve(entries_.size() + n);
  for (uint64_t i = 0; i < n; ++i) {
    const uint64_t off = view->Offset(i);
    if (off < 12 || off >= pack.size() - GIT_OID_RAWSZ) continue;
    git_oid oid;
    std::memcpy(oid.id, view->Name(i), GIT_OID_RAWSZ);
    const uint32_t e = Insert(oid);
    if (e == kNoEntry) continue;  // a newer pack has it
    entries_[e].pack = pack_no;
    entries_[e].offset = off;
    by_offset.emplace_back(off, e);
  }
  std::sort(by_offset.begin(), by_offset.end());
  order->reserve(by_offset.size());
  for (const auto& [off, e] : by_offset) order->push_back(e);
}

void ObjectCatalog::ReadHeaders(uint32_t pack_no,
                                const std::vector<uint32_t>& order,
                                Diagnostics* diagnostics) {
  const MappedFile& pack = *packs_[pack_no];
  const uint64_t trailer = pack.size() - GIT_OID_RAWSZ;
  std::vector<uint64_t> offsets(order.size());
  for (std::size_t i = 0; i < order.size(); ++i) {
    offsets[i] = entries_[order[i]].offset;
  }
  std::size_t bad = 0;
  for (std::size_t i = 0; i < order.size(); ++i) {
    CatalogEntry& en = entries_[order[i]];
    en.end = i + 1 < order.size() ? offsets[i + 1] : trailer;
    pack.NoteRead(en.end - en.offset);
    PackEntryHeader h;
    if (!ParsePackEntryHeader(pack.data() + en.offset, pack.data() + en.end,
                              &h)) {
      en.pack = kNoEntry;
      ++bad;
      continue;
    }
    if (h.type == kPackOfsDelta) {
      en.delta = true;
      if (h.base_distance == 0 || h.base_distance > en.offset) {
        en.pack = kNoEntry;
        ++bad;
        continue;
      }
      const uint64_t at = en.offset - h.base_distance;
      const auto done = offsets.begin() + static_cast<std::ptrdiff_t>(i);
      auto it = std::lower_bound(offsets.begin(), done, at);
      if (it == done || *it != at) {
        en.pack = kNoEntry;
        ++bad;
        continue;
      }
      en.base = order[it - offsets.begin()];
      en.type = entries_[en.base].type;
    } else if (h.type == kPackRefDelta) {
      en.delta = true;
      git_oid base;
      std::memcpy(base.id, h.base_oid, GIT_OID_RAWSZ);
      en.base = Find(base);
      if (en.base == kNoEntry) {
        en.pack = kNoEntry;  // thin pack: libgit2
      } else {
        en.type = entries_[en.base].type;  // 0 while its base is unread
      }
    } else {
      en.type = static_cast<uint8_t>(h.type);
    }
  }
  if (bad > 0) {
    // Named, each with its oid and offset, by ReportObjectStore.
    diagnostics->Note(objects_dir_, std::to_string(bad) +
                                        " malformed pack entries; not read");
  }
}

std::unique_ptr<ObjectCatalog> ObjectCatalog::Load(
    git_odb* odb, const std::string& objects_dir, Diagnostics* diagnostics) {
  std::unique_ptr<ObjectCatalog> c(new ObjectCatalog);
  c->objects_dir_ = objects_dir;
  // Packs this reader cannot use, and alternates, need libgit2's listing.
  bool complete = true;
  const std::vector<std::string> dirs = ObjectDirs(objects_dir, &complete);
  std::vector<std::string> idx_files;
  for (const std::string& dir : dirs) {
    for (std::string& f : PackIndexFiles(dir))
      idx_files.push_back(std::move(f));
  }
  // Packs that failed validation are not in `odb` either; entries that
  // cannot be decoded are left to it, which refuses them (named once by
  // ReportObjectStore).
  const std::shared_ptr<const ObjectStoreHealth> health =
      CheckObjectStore(objects_dir);
  for (const std::string& idx_path : idx_files) {
    const std::string pack_path =
        idx_path.substr(0, idx_path.size() - 4) + ".pack";
    if (std::any_of(health->packs.begin(), health->packs.end(),
                    [&pack_path](const ObjectStoreHealth::Pack& p) {
                      return p.path == pack_path && !p.problem.empty();
                    })) {
      complete = false;
      continue;
    }
    MappedFile idx(idx_path);
    auto pack = std::make_unique<MappedFile>(
        idx_path.substr(0, idx_path.size() - 4) + ".pack");
    if (idx.data() == nullptr || pack->data() == nullptr ||
        pack->size() < 12 + GIT_OID_RAWSZ ||
        std::memcmp(pack->data(), "PACK", 4) != 0 ||
        std::memcmp(idx.data(), "\377tOc", 4) != 0) {
      complete = false;  // libgit2 reads what it can of it, or says why not
      continue;
    }
    const auto no = static_cast<uint32_t>(c->packs_.size());
    c->packs_.push_back(std::move(pack));
    std::vector<uint32_t> order;
    c->IndexPack(idx, no, &order);
    c->ReadHeaders(no, order, diagnostics);
    if (!health->bad_oids.empty()) {
      for (uint32_t e : order) {
        if (health->IsBad(c->entries_[e].oid)) {
          c->entries_[e].pack = kNoEntry;
          c->entries_[e].base = kNoEntry;
        }
      }
    }
    c->pack_order_.push_back(std::move(order));
  }
  // Everything else: loose objects, or whatever libgit2 lists.
  if (complete) {
    for (const std::string& dir : dirs) {
      ForEachLoose(dir, [&c](const git_oid& oid) { c->Insert(oid); });
    }
  } else {
    git_odb_foreach(
        odb,
        [](const git_oid* oid, void* payload) {
          static_cast<ObjectCatalog*>(payload)->Insert(*oid);
          return 0;
        },
        c.get());
  }
  // Types the headers left open: deltas on later REF_DELTA bases, then
  // objects read through libgit2.
  // Each chain is walked once down to its first typed entry and every entry
  // on the way takes that type: linear in the entries however deep the
  // chains (a 12,000-deep REF_DELTA chain walked per entry was quadratic,
  // and past a depth cap went to libgit2, quadratic again).
  std::vector<uint32_t> chain;
  for (uint32_t i = 0; i < c->entries_.size(); ++i) {
    if (c->entries_[i].type != 0 || c->entries_[i].pack == kNoEntry) continue;
    chain.clear();
    uint32_t x = i;
    uint8_t type = 0;
    while (x != kNoEntry && chain.size() <= c->entries_.size()) {
      const CatalogEntry& en = c->entries_[x];
      if (en.type != 0 || en.pack == kNoEntry) {
        type = en.pack == kNoEntry ? 0 : en.type;
        break;
      }
      chain.push_back(x);
      x = en.base;
    }
    for (uint32_t y : chain) {
      c->entries_[y].type = type;
      if (type == 0) c->entries_[y].pack = kNoEntry;
    }
  }
  for (CatalogEntry& en : c->entries_) {
    if (en.pack != kNoEntry) continue;
    std::size_t size = 0;
    git_object_t type = GIT_OBJECT_INVALID;
    if (git_odb_read_header(&size, &type, odb, &en.oid) == 0 && type > 0) {
      en.type = static_cast<uint8_t>(type);
    }
  }
  c->ListTypes();
  for (Slot& slot : c->slots_) {
    if (slot.entry != kNoEntry) slot.type = c->entries_[slot.entry].type;
  }
  c->ReleasePacks();  // the headers are read; the tree pass maps back in
  return c;
}

void ObjectCatalog::ReleasePacks() const {
  for (const auto& pack : packs_) pack->Release();
}

const std::vector<uint32_t>& ObjectCatalog::OfType(git_object_t type) const {
  static const std::vector<uint32_t> kNone;
  if (type < GIT_OBJECT_COMMIT || type > GIT_OBJECT_TAG) return kNone;
  return by_type_[type];
}

void ObjectCatalog::ListTypes() {
  for (const std::vector<uint32_t>& order : pack_order_) {
    for (uint32_t e : order) {
      const CatalogEntry& en = entries_[e];
      if (en.pack != kNoEntry && en.type <= GIT_OBJECT_TAG) {
        by_type_[en.type].push_back(e);
      }
    }
  }
  std::vector<uint32_t> rest;
  for (uint32_t e = 0; e < entries_.size(); ++e) {
    if (entries_[e].pack == kNoEntry) rest.push_back(e);
  }
  std::sort(rest.begin(), rest.end(), [this](uint32_t a, uint32_t b) {
    return std::memcmp(entries_[a].oid.id, entries_[b].oid.id, GIT_OID_RAWSZ) <
           0;
  });
  for (uint32_t e : rest) {
    if (entries_[e].type <= GIT_OBJECT_TAG)
      by_type_[entries_[e].type].push_back(e);
  }
}

}  // namespace sprawl
