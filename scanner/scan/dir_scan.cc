#include "scanner/scan/dir_scan.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <new>
#include <thread>

#include "scanner/base/bounded_queue.h"
#include "scanner/base/text.h"
#include "scanner/clients/client_files.h"
#include "scanner/clients/client_scan.h"
#include "scanner/pipelines/pipeline_files.h"
#include "scanner/pipelines/pipeline_scan.h"
#include "scanner/scan/content_scanner.h"
#include "scanner/scan/utf16_text.h"
#include "scanner/sources/dir_walker.h"

namespace sprawl {
namespace {

constexpr std::size_t kBinaryProbe = 8000;
constexpr std::size_t kBatch = 64;

struct FdCloser {
  int fd;
  ~FdCloser() {
    if (fd >= 0) ::close(fd);
  }
};

// Moves each hit of one file into a Finding at (`source`, `path`).
void AppendFindings(std::vector<Hit>* hits, const std::string& source,
                    const std::string& path, std::vector<Finding>* out) {
  for (Hit& h : *hits) {
    Finding f;
    f.rule = h.rule;
    f.secret = std::move(h.secret);
    f.location.source = source;
    f.location.path = path;
    f.location.line = h.line;
    f.location.column = h.column;
    out->push_back(std::move(f));
  }
}

// Extensions whose content is binary by construction; skipped unread.
bool BinaryExtension(const std::string& path) {
  static const char* kExt[] = {
      ".png", ".jpg", ".jpeg", ".gif", ".ico", ".webp", ".bmp", ".tiff",
      ".zip", ".gz",  ".tgz",  ".bz2", ".xz",  ".zst",  ".7z",  ".rar",
      ".jar", ".war", ".class", ".so", ".a",   ".o",    ".dylib", ".dll",
      ".exe", ".pdf", ".woff", ".woff2", ".ttf", ".otf", ".mp3", ".mp4",
      ".ogg", ".wav", ".flac", ".avi", ".mov", ".pyc", ".deb", ".rpm"};
  const std::size_t dot = path.rfind('.');
  if (dot == std::string::npos || path.find('/', dot) != std::string::npos) {
    return false;
  }
  std::string ext = path.substr(dot);
  for (char& c : ext) c = static_cast<char>(std::tolower(c));
  for (const char* e : kExt) {
    if (ext == e) return true;
  }
  return false;
}

// UTF-16 standard input is decoded whole: up to this much of it.
constexpr std::size_t kMaxUtf16Stream = std::size_t{256} << 20;

// Appends the rest of `fd` to `content` (pipeline files, kept whole), up
// to `limit` bytes in all (then an error saying so).
Status ReadRest(int fd, std::string* content, std::size_t limit = SIZE_MAX) {
  char buf[65536];
  for (;;) {
    if (content->size() >= limit) {
      return Error{"UTF-16 input over " + HumanBytes(limit) +
                   ": the rest is not scanned"};
    }
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error{std::string("cannot read: ") + std::strerror(errno)};
    if (n == 0) return Status::Ok();
    content->append(buf, static_cast<std::size_t>(n));
  }
}

// Scans one file into `out` (pipeline files also into `pipelines`); every
// problem is a diagnostic.
void ScanFile(const WalkItem& item, const DirScanOptions& options,
              ContentScanner* scanner, std::vector<Hit>* hits,
              std::vector<Finding>* out, PipelineOutputs* pipelines,
              ScanStats* stats, Diagnostics* diagnostics) {
  if (BinaryExtension(item.rel_path)) {
    ++stats->skipped_binary;
    return;
  }
  // O_NONBLOCK: a FIFO swapped in after the walk must not hang the open.
  const int fd = ::open(item.abs_path.c_str(),
                        O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    diagnostics->Warn(item.rel_path,
                      std::string("cannot open: ") + std::strerror(errno));
    ++stats->skipped_unreadable;
    return;
  }
  FdCloser closer{fd};
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ++stats->skipped_other;
    return;
  }
  if (static_cast<uint64_t>(st.st_size) > options.max_file_size) {
    diagnostics->Warn(item.rel_path,
                      "skipped: " + HumanBytes(st.st_size) +
                          " is over the file size limit of " +
                          HumanBytes(options.max_file_size) +
                          " (--max-file-size)");
    ++stats->skipped_too_large;
    return;
  }
  std::string head(kBinaryProbe, '\0');
  std::size_t got = 0;
  while (got < head.size()) {
    ssize_t n = ::read(fd, head.data() + got, head.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      diagnostics->Warn(item.rel_path,
                        std::string("cannot read: ") + std::strerror(errno));
      ++stats->skipped_unreadable;
      return;
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  head.resize(got);
  // UTF-16 text (a BOM, or the NUL pattern of UTF-16LE) is decoded and
  // scanned; anything else with a NUL byte is binary.
  const Utf16Kind utf16 = SniffUtf16(head);
  if (utf16 == Utf16Kind::kNone && LooksBinary(head)) {
    if (!ClientForPath(item.rel_path).empty()) {
      diagnostics->Warn(item.rel_path,
                        "developer-client file holds binary data: not read");
    }
    ++stats->skipped_binary;
    return;
  }
  hits->clear();
  uint64_t bytes = 0;
  // A pipeline file is small: read it whole for the pipeline analyzer.
  PipelineLimits pipeline_limits;
  pipeline_limits.max_bytes = options.limits.max_yaml_size;
  std::string system = PipelineSystemFor(item.rel_path, head);
  if (!system.empty() &&
      static_cast<uint64_t>(st.st_size) > pipeline_limits.max_bytes) {
    diagnostics->Warn(item.rel_path, "pipeline file not parsed: " +
                                         HumanBytes(st.st_size) +
                                         " is over " +
                                         HumanBytes(pipeline_limits.max_bytes) +
                                         "; scanned as plain text");
    system.clear();
  }
  // So is a developer client's file (scanner/clients).
  std::string client = system.empty() ? ClientFor(item.rel_path, head) : "";
  if (!client.empty() &&
      static_cast<uint64_t>(st.st_size) > pipeline_limits.max_bytes) {
    diagnostics->Warn(item.rel_path, "developer-client file not parsed: " +
                                         HumanBytes(st.st_size) + " is over " +
                                         HumanBytes(pipeline_limits.max_bytes) +
                                         "; scanned as plain text");
    client.clear();
  }
  std::string content;
  Status st_read;
  if (utf16 != Utf16Kind::kNone) {
    // Whole (the file is under --max-file-size); positions refer to the
    // decoded UTF-8 text.
    system.clear();
    client.clear();
    content = std::move(head);
    st_read = ReadRest(fd, &content);
    content = DecodeUtf16(content, utf16);
    scanner->ScanBuffer(content, hits);
    bytes = content.size();
  } else if (!system.empty() || !client.empty()) {
    content = std::move(head);
    st_read = ReadRest(fd, &content);
    scanner->ScanBuffer(content, hits);
    bytes = content.size();
  } else {
    st_read = scanner->ScanFd(fd, head, hits, &bytes);
  }
  if (scanner->timed_out()) {
    diagnostics->Warn(item.rel_path,
                      ScanTimeoutMessage(options.limits.scan_timeout));
    ++stats->timed_out;
  }
  if (!st_read.ok()) {
    diagnostics->Warn(item.rel_path, st_read.error().message +
                                         "; findings before the error kept");
  }
  ++stats->files_scanned;
  stats->bytes_scanned += bytes;
  const std::size_t first = out->size();
  AppendFindings(hits, "file", item.rel_path, out);
  if (!system.empty()) {
    Location where;
    where.source = "file";
    where.path = item.rel_path;
    AnnotatePipelineFile(content, system, where,
                         FindPipelineLiteralRule(scanner->matcher().rules()),
                         out, first, pipelines, diagnostics, pipeline_limits);
  }
  if (!client.empty()) {
    Location where;
    where.source = "file";
    where.path = item.rel_path;
    const ClientRuleIndex rules(scanner->matcher().rules());
    std::vector<Hit> value_hits;
    const ValueScanner rescan =
        [&](std::string_view value,
            std::vector<std::pair<uint32_t, std::string>>* found) {
          value_hits.clear();
          scanner->ScanBuffer(value, &value_hits);
          for (Hit& h : value_hits) found->emplace_back(h.rule, h.secret);
        };
    AnnotateClientFile(content, client, where, rules, rescan, out, first,
                       pipelines, diagnostics, pipeline_limits);
  }
}

}  // namespace

bool LooksBinary(std::string_view head) {
  return std::memchr(head.data(), '\0',
                     std::min(head.size(), kBinaryProbe)) != nullptr;
}

int ResolveThreads(int requested) {
  if (requested > 0) return requested;
  const unsigned hc = std::thread::hardware_concurrency();
  return hc == 0 ? 1 : static_cast<int>(hc);
}

Result<DirScanResult> ScanDirectories(const DirScanOptions& options,
                                      const Matcher& matcher,
                                      Diagnostics* diagnostics) {
  for (const auto& root : options.roots) {
    struct stat st;
    if (::stat(root.c_str(), &st) != 0) {
      return Error{root + ": scan root does not exist"};
    }
  }
  const int threads = ResolveThreads(options.threads);
  BoundedQueue<std::vector<WalkItem>> queue(static_cast<std::size_t>(threads) * 4);
  std::vector<DirScanResult> partial(static_cast<std::size_t>(threads));
  std::vector<std::thread> workers;
  workers.reserve(static_cast<std::size_t>(threads));
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      ContentScanner scanner(matcher);
      scanner.set_time_limit(options.limits.scan_timeout);
      std::vector<Hit> hits;
      DirScanResult& mine = partial[static_cast<std::size_t>(t)];
      PipelineOutputs pipelines;
      while (auto batch = queue.Pop()) {
        for (const WalkItem& item : *batch) {
          if (options.cancel != nullptr && options.cancel->load()) {
            mine.stats.interrupted = true;
            break;
          }
          const uint64_t before = mine.stats.bytes_scanned;
          try {
            ScanFile(item, options, &scanner, &hits, &mine.findings, &pipelines,
                     &mine.stats, diagnostics);
          } catch (const std::bad_alloc&) {
            // One file too large for the memory left: named, counted, and
            // the scan goes on.
            std::vector<Hit>().swap(hits);
            ++mine.stats.skipped_unreadable;
            try {
              diagnostics->Warn(item.rel_path,
                                "out of memory reading or scanning it; not "
                                "scanned");
            } catch (const std::bad_alloc&) {
            }
          }
          if (options.progress != nullptr) {
            options.progress->Add(1, mine.stats.bytes_scanned - before);
          }
        }
      }
      mine.references = std::move(pipelines.references);
      mine.pipeline_findings = std::move(pipelines.findings);
    });
  }

  ScanStats walk_stats;
  DirWalkOptions walk_options;
  walk_options.use_ignore_files = options.use_ignore_files;
  walk_options.exclude = options.exclude;
  walk_options.drop_catch_all = options.drop_catch_all;
  walk_options.cancel = options.cancel;
  DirWalker walker(walk_options, diagnostics, &walk_stats);
  std::vector<WalkItem> batch;
  auto emit = [&](WalkItem item) {
    if (options.progress != nullptr) {
      options.progress->total_items.fetch_add(1, std::memory_order_relaxed);
    }
    batch.push_back(std::move(item));
    if (batch.size() >= kBatch) {
      queue.Push(std::move(batch));
      batch.clear();
    }
  };
  const bool many = options.roots.size() > 1 || !options.root_names.empty();
  for (std::size_t r = 0; r < options.roots.size(); ++r) {
    const std::string& root = options.roots[r];
    struct stat st;
    std::string shown = r < options.root_names.size() ? options.root_names[r]
                                                      : root;
    while (shown.size() > 1 && shown.back() == '/') shown.pop_back();
    if (::stat(root.c_str(), &st) == 0 && !S_ISDIR(st.st_mode)) {
      emit(WalkItem{root, shown});  // a file root is reported as given
      continue;
    }
    walker.Walk(root, many ? shown : "", emit);
  }
  if (!batch.empty()) queue.Push(std::move(batch));
  queue.Close();
  if (options.progress != nullptr) {
    options.progress->total_known.store(true, std::memory_order_relaxed);
  }
  for (auto& w : workers) w.join();

  DirScanResult result;
  result.stats = walk_stats;
  if (options.cancel != nullptr && options.cancel->load()) {
    result.stats.interrupted = true;
  }
  PipelineOutputs pipelines;
  for (auto& p : partial) {
    result.stats += p.stats;
    std::move(p.findings.begin(), p.findings.end(),
              std::back_inserter(result.findings));
    std::move(p.references.begin(), p.references.end(),
              std::back_inserter(pipelines.references));
    std::move(p.pipeline_findings.begin(), p.pipeline_findings.end(),
              std::back_inserter(pipelines.findings));
  }
  SortPipelineOutputs(&pipelines);
  result.references = std::move(pipelines.references);
  result.pipeline_findings = std::move(pipelines.findings);
  return result;
}

Result<DirScanResult> ScanStream(int fd, const std::string& path,
                                 const std::string& source,
                                 const Matcher& matcher,
                                 Diagnostics* diagnostics,
                                 const ScanLimits& limits) {
  ContentScanner scanner(matcher);
  scanner.set_time_limit(limits.scan_timeout);
  std::vector<Hit> hits;
  uint64_t bytes = 0;
  DirScanResult result;
  // The first bytes tell UTF-16 input, which is decoded whole (up to
  // kMaxUtf16Stream) and scanned as UTF-8; anything else is streamed.
  std::string head(kBinaryProbe, '\0');
  std::size_t got = 0;
  Status st;
  while (got < head.size()) {
    const ssize_t n = ::read(fd, head.data() + got, head.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      st = Error{std::string("read failed: ") + std::strerror(errno)};
      break;
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  head.resize(got);
  const Utf16Kind utf16 = SniffUtf16(head);
  if (!st.ok()) {
    scanner.ScanBuffer(head, &hits);
    bytes = head.size();
  } else if (utf16 != Utf16Kind::kNone) {
    std::string content = std::move(head);
    st = ReadRest(fd, &content, kMaxUtf16Stream);
    bytes = content.size();
    scanner.ScanBuffer(DecodeUtf16(content, utf16), &hits);
  } else {
    st = scanner.ScanFd(fd, head, &hits, &bytes);
  }
  if (!st.ok()) diagnostics->Warn(path, st.error().message);
  if (scanner.timed_out()) {
    diagnostics->Warn(path, ScanTimeoutMessage(limits.scan_timeout));
    result.stats.timed_out = 1;
  }
  result.stats.files_scanned = 1;
  result.stats.bytes_scanned = bytes;
  AppendFindings(&hits, source, path, &result.findings);
  return result;
}

}  // namespace sprawl
