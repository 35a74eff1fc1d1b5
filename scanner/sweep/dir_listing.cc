#include "scanner/sweep/dir_listing.h"

#include <filesystem>
#include <utility>
#include <vector>

namespace sprawl {
namespace {

// A new layout gets a new tag; an old one then decodes as nothing and the
// directory is listed again.
constexpr std::string_view kHeader = "dirlist1 ";

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
  AppendNumberText(taken_ns, ' ', &out);
  AppendStatText(stat, &out);
  AppendNumberText(repository ? 1 : 0, '\n', &out);
  for (const std::string& s : subdirs) {
    out.append(s);
    out.push_back('\n');
  }
  return out;
}

std::optional<DirListing> DirListing::Decode(std::string_view text) {
  if (!text.starts_with(kHeader)) return std::nullopt;
  text.remove_prefix(kHeader.size());
  DirListing l;
  int64_t repository = 0;
  if (!TakeNumberText(&text, ' ', &l.taken_ns) ||
      !TakeStatText(&text, &l.stat) ||
      !TakeNumberText(&text, '\n', &repository) ||
      (repository != 0 && repository != 1)) {
    return std::nullopt;
  }
  l.repository = repository == 1;
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
