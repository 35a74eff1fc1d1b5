#include "scanner/scan/blob_scan.h"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <thread>

#include "scanner/git/git_handles.h"
#include "scanner/git/pack_read_order.h"

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
    odb_ = OpenPrivateOdb(options_.objects_dir, k);
    if (!odb_) {
      diagnostics_->Warn(options_.objects_dir,
                         "cannot open object database: " + GitLastError());
      return false;
    }
    return true;
  }

  void ScanOne(uint32_t b) {
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
    std::string_view data(static_cast<const char*>(git_odb_object_data(raw)),
                          git_odb_object_size(raw));
    if (std::memchr(data.data(), '\0', std::min(data.size(), kBinaryProbe)) !=
        nullptr) {
      ++out_.stats.skipped_binary;
      return;
    }
    hits_.clear();
    scanner_.ScanBuffer(data, &hits_);
    if (scanner_.timed_out()) {
      ++out_.stats.timed_out;
      Warn(b, "blob " + GitHex(oid) + ": " +
                  ScanTimeoutMessage(options_.scan_timeout));
    }
    ++out_.stats.files_scanned;
    out_.stats.bytes_scanned += data.size();
    if (!hits_.empty()) out_.hits.emplace_back(b, std::move(hits_));
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
  std::vector<Hit> hits_;
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
      for (std::size_t i = begin; i < end; ++i) {
        if (Cancelled(options.cancel)) {
          stopped = true;
          return;
        }
        w->ScanOne(order[i]);
      }
      if (options.progress != nullptr) {
        options.progress->Add(end - begin, w->TakeBytes());
      }
    }
  };
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < threads; ++t)
    pool.emplace_back(run, workers[t].get(), static_cast<int>(t));
  run(workers[0].get(), 0);
  for (std::thread& th : pool) th.join();

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
