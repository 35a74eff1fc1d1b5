#include "scanner/sweep/dir_listing.h"

#include <charconv>
#include <filesystem>
#include <utility>
#include <vector>

namespace sprawl {
namespace {

// A new layout gets a new tag; an old one then decodes as nothing and the
// directory is listed again.
constexpr std::string_view kHeader = "dirlist1 ";

void AppendNumber(int64_t value, char end, std::string* out) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, value);
  out->append(buf, r.ptr);
  out->push_back(end);
}

// Reads one number ended by `end` from the front of `text`.
bool TakeNumber(std::string_view* text, char end, int64_t* value) {
  auto r = std::from_chars(text->data(), text->data() + text->size(), *value);
  if (r.ec != std::errc() || r.ptr == text->data() + text->size() ||
      *r.ptr != end) {
    return false;
  }
  text->remove_prefix(static_cast<std::size_t>(r.ptr - text->data()) + 1);
  return true;
}

// The key of a root in the datastore.
std::string RootKey(const std::string& root) {
  std::error_code ec;
  std::filesystem::path p = std::filesystem::absolute(root, ec);
  if (ec) p = root;
  std::string key = p.lexically_normal().string();
  while (key.size() > 1 && key.back() == '/') key.pop_back();
  return key;
}

}  // namespace

bool DirListing::StillHolds(const FileStat& now, int64_t racy_margin_ns) const {
  const int64_t racy_from = taken_ns - racy_margin_ns;
  return now == stat && now.mtime_ns < racy_from && now.ctime_ns < racy_from;
}

// "dirlist1 <taken_ns> <dev> <ino> <mode> <size> <mtime_ns>
// <ctime_ns - mtime_ns> <repository 0|1>\n", then one subdirectory name a
// line.
std::string DirListing::Encode() const {
  std::string out(kHeader);
  std::size_t size = 96;
  for (const std::string& s : subdirs) {
    if (s.find('\n') != std::string::npos) return "";
    size += s.size() + 1;
  }
  out.reserve(size);
  AppendNumber(taken_ns, ' ', &out);
  AppendNumber(static_cast<int64_t>(stat.dev), ' ', &out);
  AppendNumber(static_cast<int64_t>(stat.ino), ' ', &out);
  AppendNumber(stat.mode, ' ', &out);
  AppendNumber(stat.size, ' ', &out);
  AppendNumber(stat.mtime_ns, ' ', &out);
  AppendNumber(stat.ctime_ns - stat.mtime_ns, ' ', &out);
  AppendNumber(repository ? 1 : 0, '\n', &out);
  for (const std::string& s : subdirs) {
    out.append(s);
    out.push_back('\n');
  }
  return out;
}

std::optional<DirListing> DirListing::Decode(std::string_view text) {
  if (!text.starts_with(kHeader)) return std::nullopt;
  text.remove_prefix(kHeader.size());
  int64_t n[8];
  for (int i = 0; i < 8; ++i) {
    if (!TakeNumber(&text, i == 7 ? '\n' : ' ', &n[i])) return std::nullopt;
  }
  if (n[7] != 0 && n[7] != 1) return std::nullopt;
  DirListing l;
  l.taken_ns = n[0];
  l.stat.dev = static_cast<uint64_t>(n[1]);
  l.stat.ino = static_cast<uint64_t>(n[2]);
  l.stat.mode = static_cast<uint32_t>(n[3]);
  l.stat.size = n[4];
  l.stat.mtime_ns = n[5];
  l.stat.ctime_ns = n[5] + n[6];
  l.repository = n[7] == 1;
  while (!text.empty()) {
    const std::size_t eol = text.find('\n');
    if (eol == std::string_view::npos || eol == 0) return std::nullopt;
    l.subdirs.emplace_back(text.substr(0, eol));
    text.remove_prefix(eol + 1);
  }
  return l;
}

Status LoadDirListings(Datastore* store, const std::string& root,
                       DirListings* out) {
  auto rows = store->LoadDirListings(RootKey(root));
  if (!rows.ok()) return rows.error();
  out->clear();
  out->reserve(rows->size());
  for (auto& [path, text] : *rows) {
    if (auto l = DirListing::Decode(text)) out->emplace(path, std::move(*l));
  }
  return Status::Ok();
}

Status SaveDirListings(Datastore* store, const std::string& root,
                       const DirListings& previous, const DirListings& seen) {
  std::vector<std::pair<std::string, std::string>> changed;
  std::vector<std::string> gone;
  for (const auto& [path, listing] : seen) {
    auto it = previous.find(path);
    if (it != previous.end() && it->second == listing) continue;
    if (std::string text = listing.Encode(); !text.empty()) {
      changed.emplace_back(path, std::move(text));
    } else if (it != previous.end()) {
      gone.push_back(path);
    }
  }
  for (const auto& entry : previous) {
    if (!seen.contains(entry.first)) gone.push_back(entry.first);
  }
  return store->SaveDirListings(RootKey(root), changed, gone);
}

}  // namespace sprawl
