#include "scanner/scan/blob_scan.h"

#include <algorithm>
#include <cstring>
#include <new>
#include <numeric>
#include <thread>
#include <unordered_map>

#include "scanner/git/git_handles.h"
#include "scanner/git/pack_read_order.h"
#include "scanner/base/thread_errors.h"
#include "scanner/scan/utf16_text.h"
#include "scanner/git/git_handles.h"

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

class Worker {
 public:
  Worker(const std::vector<git_oid>& blobs, const Matcher& matcher,
         const BlobScanOptions& options, Diagnostics* diagnostics)
      : blobs_(blobs),
        options_(options),
        diagnostics_(diagnostics),
        scanner_(matcher) {
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
    raw_hits_.clear();  // only entries of one plan serve as bases
  }

  void ScanOne(uint32_t b) {
    if (decoder_ && options_.catalog->entry((*options_.entries)[b]).pack !=
                        kNoEntry) {
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
    Match(b, std::string_view(static_cast<const char*>(git_odb_object_data(raw)),
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
    if (!plain_text || e == kNoEntry || options_.no_delta) return h;
    if (decoder_->Dependents(e) > 0) {
      record_.clear();
      h.record = &record_;
    }
    const CatalogEntry& en = options_.catalog->entry(e);
    if (!en.delta || copies_.empty()) return h;
    auto base = raw_hits_.find(en.base);
    if (base == raw_hits_.end()) return h;
    runs_.clear();
    for (const DeltaCopy& c : copies_) runs_.push_back({c.to, c.from, c.size});
    h.base_hits = &base->second;
    h.copies = &runs_;
    return h;
  }

  // After the scan of entry e: keeps its raw hits if later deltas need
  // them, and drops its base's once no planned delta does.
  void KeepRawHits(uint32_t e, const ContentScanner::History& h) {
    if (h.record != nullptr && !scanner_.timed_out()) {
      raw_hits_[e].swap(record_);
    }
    const CatalogEntry& en = options_.catalog->entry(e);
    if (en.delta && decoder_->Dependents(en.base) == 0) raw_hits_.erase(en.base);
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
  std::unordered_map<uint32_t, std::vector<HsHit>> raw_hits_;
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

  std::vector<std::unique_ptr<Worker>> workers;
  for (std::size_t t = 0; t < threads; ++t) {
    workers.push_back(
        std::make_unique<Worker>(blobs, matcher, options, diagnostics));
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
    for (auto& x : w->output().warnings) result.warnings.push_back(std::move(x));
  }
  std::sort(result.hits.begin(), result.hits.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::sort(result.warnings.begin(), result.warnings.end());
  result.stats.interrupted = stopped.load();
  return result;
}

}  // namespace sprawl
