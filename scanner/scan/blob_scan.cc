#include "scanner/scan/blob_scan.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <algorithm>
#include <cstring>
#include <memory>
#include <mutex>
#include <new>
#include <numeric>
#include <thread>
#include <unordered_map>

#include "scanner/base/thread_errors.h"
#include "scanner/git/git_handles.h"
#include "scanner/git/pack_read_order.h"
#include "scanner/scan/utf16_text.h"

namespace sprawl {

void AppendBlobFindings(const std::vector<Hit>& hits, const char* source,
                        const std::string& path, const GitProvenance& prov,
                        std::vector<Finding>* findings) {
  for (const Hit& h : hits) {
    Finding f;
    f.rule = h.rule;
    f.secret = h.secret;
    f.location.source = source;
    f.location.path = path;
    f.location.line = h.line;
    f.location.column = h.column;
    f.location.git = prov;
    findings->push_back(std::move(f));
  }
}

namespace {

constexpr std::size_t kBinaryProbe = 8000;  // git's own heuristic

struct WorkerOutput {
  std::vector<std::pair<uint32_t, std::vector<Hit>>> hits;
  std::vector<std::pair<uint32_t, std::string>> warnings;
  ScanStats stats;
};

// The raw Hyperscan hits of scanned blobs that deltas not yet scanned (by
// any worker) have as their base, shared by the workers: a base and its
// deltas often fall in different chunks of the pack order. Bounded in
// bytes; past the bound a base is not kept and its deltas are scanned whole.
class RawHitStore {
 public:
  RawHitStore(const ObjectCatalog& catalog,
              const std::vector<uint32_t>& entries, uint64_t cap_bytes)
      : cap_(cap_bytes) {
    for (uint32_t e : entries) {
      if (e == kNoEntry) continue;
      const CatalogEntry& en = catalog.entry(e);
      if (en.delta && en.pack != kNoEntry && en.base != kNoEntry) {
        ++remaining_[en.base];
      }
    }
  }
  // Whether deltas not yet scanned have `e` as their base.
  bool Wanted(uint32_t e) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = remaining_.find(e);
    return it != remaining_.end() && it->second > 0;
  }
  void Put(uint32_t e, std::vector<HsHit>* hits) {
    const uint64_t bytes = hits->size() * sizeof(HsHit) + 64;
    std::lock_guard<std::mutex> lock(mu_);
    auto it = remaining_.find(e);
    if (it == remaining_.end() || it->second == 0) return;
    if (bytes_ + bytes > cap_) return;
    bytes_ += bytes;
    hits_[e] = std::make_shared<const std::vector<HsHit>>(std::move(*hits));
  }
  std::shared_ptr<const std::vector<HsHit>> Get(uint32_t base) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = hits_.find(base);
    return it == hits_.end() ? nullptr : it->second;
  }
  // A delta of `base` was dealt with (scanned, skipped or unreadable).
  void ChildDone(uint32_t base) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = remaining_.find(base);
    if (it == remaining_.end() || it->second == 0 || --it->second > 0) return;
    auto h = hits_.find(base);
    if (h != hits_.end()) {
      bytes_ -= h->second->size() * sizeof(HsHit) + 64;
      hits_.erase(h);
    }
  }

 private:
  std::mutex mu_;
  std::unordered_map<uint32_t, uint32_t> remaining_;
  std::unordered_map<uint32_t, std::shared_ptr<const std::vector<HsHit>>> hits_;
  uint64_t bytes_ = 0;
  const uint64_t cap_;
};

class Worker {
 public:
  Worker(const std::vector<git_oid>& blobs, const Matcher& matcher,
         const BlobScanOptions& options, Diagnostics* diagnostics,
         RawHitStore* store)
      : blobs_(blobs),
        options_(options),
        diagnostics_(diagnostics),
        scanner_(matcher),
        store_(store) {
    scanner_.set_time_limit(options.scan_timeout);
  }

  // Opens this worker's object database (number `k`, with pack caches of
  // its own); false (after a diagnostic) when it cannot.
  bool Open(int k) {
    if (options_.catalog != nullptr && options_.entries != nullptr) {
      decoder_ = std::make_unique<PackDecoder>(*options_.catalog, 400 + k);
    }
    odb_ = OpenPrivateOdb(options_.objects_dir, k);
    if (!odb_) {
      diagnostics_->Warn(options_.objects_dir,
                         "cannot open object database: " + GitLastError());
      return false;
    }
    return true;
  }

  // Announces blobs [begin, end) (in pack order) to the pack decoder.
  void Plan(std::size_t begin, std::size_t end) {
    if (decoder_) decoder_->Plan(*options_.entries, begin, end);
  }

  void ScanOne(uint32_t b) {
    if (decoder_ &&
        options_.catalog->entry((*options_.entries)[b]).pack != kNoEntry) {
      ScanDecoded(b);
      return;
    }
    const git_oid& oid = blobs_[b];
    std::size_t size = 0;
    git_object_t type = GIT_OBJECT_INVALID;
    if (git_odb_read_header(&size, &type, odb_.get(), &oid) != 0) {
      Unreadable(b, GitLastError());
      return;
    }
    if (type != GIT_OBJECT_BLOB) {
      Unreadable(b, "not a blob");
      return;
    }
    if (size > options_.max_blob_size) {
      ++out_.stats.skipped_too_large;
      Warn(b, "blob " + GitHex(oid) + " of " + std::to_string(size) +
                  " bytes exceeds the size limit; skipped");
      return;
    }
    git_odb_object* raw = nullptr;
    if (git_odb_read(&raw, odb_.get(), &oid) != 0) {
      Unreadable(b, GitLastError());
      return;
    }
    GitOdbObjectPtr obj(raw);
    Match(b,
          std::string_view(static_cast<const char*>(git_odb_object_data(raw)),
                           git_odb_object_size(raw)));
  }

  // A blob of the catalog's packs, through the pack decoder.
  void ScanDecoded(uint32_t b) {
    const uint32_t e = (*options_.entries)[b];
    const CatalogEntry& en = options_.catalog->entry(e);
    if (!en.delta) {  // its size, before inflating it
      const MappedFile& pack = options_.catalog->pack(en.pack);
      PackEntryHeader h;
      if (ParsePackEntryHeader(pack.data() + en.offset, pack.data() + en.end,
                               &h) &&
          h.size > options_.max_blob_size) {
        TooLarge(b, h.size);
        return;
      }
    }
    std::string_view data;
    std::string why;
    copies_.clear();
    if (!decoder_->Decode(e, &data, &why, &copies_)) {
      Unreadable(b, why);
      return;
    }
    if (data.size() > options_.max_blob_size) {
      TooLarge(b, data.size());
      return;
    }
    Match(b, data, e);
  }

  // Delta-aware scanning (issue 19): a blob decoded from a delta whose base
  // this worker scanned in the same plan reuses the base's raw Hyperscan
  // hits inside the runs the delta copied; the matcher reads only around
  // the inserted bytes. Raw hits are kept while planned deltas still need
  // them. Returns the scan's History (empty members: a plain scan).
  ContentScanner::History HistoryFor(uint32_t e, bool plain_text) {
    ContentScanner::History h;
    if (!plain_text || e == kNoEntry || store_ == nullptr) return h;
    if (store_->Wanted(e)) {
      record_.clear();
      h.record = &record_;
    }
    const CatalogEntry& en = options_.catalog->entry(e);
    if (!en.delta || copies_.empty()) return h;
    base_hits_ = store_->Get(en.base);
    if (base_hits_ == nullptr) return h;
    runs_.clear();
    for (const DeltaCopy& c : copies_) runs_.push_back({c.to, c.from, c.size});
    h.base_hits = base_hits_.get();
    h.copies = &runs_;
    return h;
  }

  // After the scan of entry e: keeps its raw hits if later deltas need
  // them, and drops its base's once no planned delta does.
  void KeepRawHits(uint32_t e, const ContentScanner::History& h) {
    base_hits_.reset();
    if (h.record != nullptr && !scanner_.timed_out()) store_->Put(e, &record_);
  }

  // Entry e's base no longer waits for it, however e was dealt with.
  void DeltaDone(uint32_t b) {
    if (store_ == nullptr) return;
    const uint32_t e = (*options_.entries)[b];
    if (e == kNoEntry) return;
    const CatalogEntry& en = options_.catalog->entry(e);
    if (en.delta && en.pack != kNoEntry && en.base != kNoEntry) {
      store_->ChildDone(en.base);
    }
  }

  void TooLarge(uint32_t b, uint64_t size) {
    ++out_.stats.skipped_too_large;
    Warn(b, "blob " + GitHex(blobs_[b]) + " of " + std::to_string(size) +
                " bytes exceeds the size limit; skipped");
  }

  // Matches the content of blob b (catalog entry e, when decoded from the
  // catalog's packs: kNoEntry otherwise).
  void Match(uint32_t b, std::string_view data, uint32_t e = kNoEntry) {
    const git_oid& oid = blobs_[b];
    // UTF-16 text is decoded and scanned as UTF-8 (positions refer to the
    // decoded text); anything else with a NUL byte is binary.
    const Utf16Kind utf16 =
        SniffUtf16(data.substr(0, std::min(data.size(), kBinaryProbe)));
    if (utf16 != Utf16Kind::kNone) {
      decoded_ = DecodeUtf16(data, utf16);
      data = decoded_;
    } else if (std::memchr(data.data(), '\0',
                           std::min(data.size(), kBinaryProbe)) != nullptr) {
      ++out_.stats.skipped_binary;
      return;
    }
    hits_.clear();
    if (e != kNoEntry) {
      const ContentScanner::History h =
          HistoryFor(e, utf16 == Utf16Kind::kNone);
      scanner_.ScanBuffer(data, &hits_, h);
      KeepRawHits(e, h);
    } else {
      scanner_.ScanBuffer(data, &hits_);
    }
    if (scanner_.timed_out()) {
      ++out_.stats.timed_out;
      Warn(b, "blob " + GitHex(oid) + ": " +
                  ScanTimeoutMessage(options_.scan_timeout));
    }
    ++out_.stats.files_scanned;
    out_.stats.bytes_scanned += data.size();
    if (!hits_.empty()) out_.hits.emplace_back(b, std::move(hits_));
  }

  // ScanOne, with an allocation failure (a blob too large for the memory
  // left, say) made a diagnostic for that blob: the scan goes on.
  void ScanOneGuarded(uint32_t b) {
    struct Done {
      Worker* w;
      uint32_t b;
      ~Done() { w->DeltaDone(b); }
    } done{this, b};
    try {
      ScanOne(b);
    } catch (const std::bad_alloc&) {
      std::string().swap(decoded_);
      std::vector<Hit>().swap(hits_);
      ++out_.stats.skipped_unreadable;
      try {
        Warn(b, "blob " + GitHex(blobs_[b]) +
                    ": out of memory reading or scanning it; not scanned");
      } catch (const std::bad_alloc&) {  // counted, if not named
      }
    }
  }

  WorkerOutput& output() { return out_; }
  // Bytes scanned since the last call (for progress).
  uint64_t TakeBytes() {
    const uint64_t fresh = out_.stats.bytes_scanned - reported_bytes_;
    reported_bytes_ = out_.stats.bytes_scanned;
    return fresh;
  }

 private:
  std::string Describe(uint32_t b) const {
    return options_.describe ? options_.describe(b) : GitHex(blobs_[b]);
  }
  void Warn(uint32_t b, std::string what) {
    if (options_.defer_warnings) {
      out_.warnings.emplace_back(b, std::move(what));
    } else {
      diagnostics_->Warn(Describe(b), what);
    }
  }
  void Unreadable(uint32_t b, const std::string& why) {
    ++out_.stats.skipped_unreadable;
    Warn(b, "blob " + GitHex(blobs_[b]) + " unreadable: " + why);
  }

  const std::vector<git_oid>& blobs_;
  const BlobScanOptions& options_;
  Diagnostics* diagnostics_;
  ContentScanner scanner_;
  GitOdbPtr odb_;
  std::unique_ptr<PackDecoder> decoder_;  // with options_.catalog
  std::vector<Hit> hits_;
  std::string decoded_;  // a UTF-16 blob as UTF-8
  // Delta-aware scanning: the copy runs of the delta just decoded, and the
  // raw Hyperscan hits of scanned entries that planned deltas still need.
  std::vector<DeltaCopy> copies_;
  std::vector<CopiedRun> runs_;
  std::vector<HsHit> record_;
  std::shared_ptr<const std::vector<HsHit>> base_hits_;  // during a scan
  RawHitStore* store_;  // null: every blob scanned whole
  WorkerOutput out_;
  uint64_t reported_bytes_ = 0;
};

}  // namespace

BlobScanResult ScanBlobs(const std::vector<git_oid>& blobs,
                         const Matcher& matcher, const BlobScanOptions& options,
                         Diagnostics* diagnostics) {
  EnsureLibgit2();
  BlobScanResult result;
  if (blobs.empty()) return result;
  std::vector<uint32_t> order;
  if (options.in_pack_order) {
    order.resize(blobs.size());
    std::iota(order.begin(), order.end(), 0u);
  } else {
    order = PackReadOrder(options.objects_dir, blobs);
  }
  const std::size_t threads = std::clamp<std::size_t>(
      static_cast<std::size_t>(std::max(options.threads, 1)), 1,
      std::max<std::size_t>(1, blobs.size() / 8));
  // Contiguous chunks handed out in pack order: large enough that delta
  // chains mostly stay within one worker, small enough to balance load.
  const std::size_t chunk =
      std::clamp<std::size_t>(order.size() / (threads * 16), 16, 8192);
  if (options.progress != nullptr) {
    options.progress->BeginPhase("blobs", order.size(), true);
  }
  std::atomic<std::size_t> next{0};
  std::atomic<bool> stopped{false};

  // Delta-aware scanning needs the catalog (copy runs come from its
  // decoder); raw hits kept for later deltas stay under 256 MiB.
  std::unique_ptr<RawHitStore> store;
  if (options.catalog != nullptr && options.entries != nullptr &&
      !options.no_delta) {
    store = std::make_unique<RawHitStore>(*options.catalog, *options.entries,
                                          uint64_t{256} << 20);
  }
  std::vector<std::unique_ptr<Worker>> workers;
  for (std::size_t t = 0; t < threads; ++t) {
    workers.push_back(std::make_unique<Worker>(blobs, matcher, options,
                                               diagnostics, store.get()));
  }
  auto run = [&](Worker* w, int k) {
    if (!w->Open(k)) return;
    for (;;) {
      const std::size_t begin = next.fetch_add(chunk);
      if (begin >= order.size()) return;
      const std::size_t end = std::min(order.size(), begin + chunk);
      w->Plan(begin, end);  // in pack order: order[i] == i
      for (std::size_t i = begin; i < end; ++i) {
        if (Cancelled(options.cancel)) {
          stopped = true;
          return;
        }
        w->ScanOneGuarded(order[i]);
      }
      if (options.progress != nullptr) {
        options.progress->Add(end - begin, w->TakeBytes());
      }
    }
  };
  std::vector<std::thread> pool;
  ThreadErrors errors;  // rethrown after the join, never std::terminate
  for (std::size_t t = 1; t < threads; ++t) {
    pool.emplace_back([&, t] {
      errors.Run([&] { run(workers[t].get(), static_cast<int>(t)); });
    });
  }
  errors.Run([&] { run(workers[0].get(), 0); });
  for (std::thread& th : pool) th.join();
  errors.Rethrow();

  for (auto& w : workers) {
    result.stats += w->output().stats;
    for (auto& h : w->output().hits) result.hits.push_back(std::move(h));
    for (auto& x : w->output().warnings) {
      result.warnings.push_back(std::move(x));
    }
  }
  std::sort(result.hits.begin(), result.hits.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::sort(result.warnings.begin(), result.warnings.end());
  result.stats.interrupted = stopped.load();
  workers.clear();
  store.reset();
#ifdef __GLIBC__
  // The workers' base caches and buffers (~100 MB on git/git) are free
  // now, but glibc keeps freed pages of its arenas resident; the phases
  // after this one would add their memory on top of them.
  malloc_trim(0);
#endif
  return result;
}

}  // namespace sprawl
