#include "scanner/git/raw_objects.h"

#include <cstring>

namespace sprawl {
namespace {

bool ParseHexOid(std::string_view hex, git_oid* out) {
  if (hex.size() < GIT_OID_HEXSZ) return false;
  return git_oid_fromstrn(out, hex.data(), GIT_OID_HEXSZ) == 0;
}

}  // namespace

bool ParseRawCommit(std::string_view data, RawCommit* out) {
  out->parents.clear();
  out->committer_time = 0;
  bool have_tree = false;
  while (!data.empty()) {
    std::size_t nl = data.find('\n');
    std::string_view line = data.substr(0, nl);
    if (line.empty()) break;  // end of the header
    data =
        nl == std::string_view::npos ? std::string_view() : data.substr(nl + 1);
    if (line.substr(0, 5) == "tree ") {
      have_tree = ParseHexOid(line.substr(5), &out->tree);
    } else if (line.substr(0, 7) == "parent ") {
      git_oid p;
      if (ParseHexOid(line.substr(7), &p)) out->parents.push_back(p);
    } else if (line.substr(0, 10) == "committer ") {
      // "committer Name <email> 1700000000 +0100"
      std::size_t gt = line.rfind('>');
      if (gt != std::string_view::npos) {
        int64_t t = 0;
        for (std::size_t i = gt + 1; i < line.size(); ++i) {
          char c = line[i];
          if (c == ' ' && t == 0) continue;
          if (c < '0' || c > '9') break;
          t = t * 10 + (c - '0');
        }
        out->committer_time = t;
      }
    }
  }
  return have_tree;
}

bool RawTreeReader::Next(RawTreeEntry* entry) {
  if (rest_.empty() || error_) return false;
  uint32_t mode = 0;
  std::size_t i = 0;
  while (i < rest_.size() && rest_[i] >= '0' && rest_[i] <= '7') {
    mode = mode * 8 + static_cast<uint32_t>(rest_[i] - '0');
    ++i;
  }
  if (i == 0 || i >= rest_.size() || rest_[i] != ' ') {
    error_ = true;
    return false;
  }
  ++i;
  const char* name = rest_.data() + i;
  const void* nul = std::memchr(name, '\0', rest_.size() - i);
  if (nul == nullptr) {
    error_ = true;
    return false;
  }
  std::size_t name_len = static_cast<const char*>(nul) - name;
  std::size_t end = i + name_len + 1 + GIT_OID_RAWSZ;
  if (name_len == 0 || end > rest_.size()) {
    error_ = true;
    return false;
  }
  entry->name = std::string_view(name, name_len);
  entry->oid = reinterpret_cast<const git_oid*>(name + name_len + 1);
  switch (mode & 0170000) {
    case 0040000:
      entry->kind = EntryKind::kTree;
      break;
    case 0100000:
      entry->kind = EntryKind::kBlob;
      break;
    case 0120000:
      entry->kind = EntryKind::kSymlink;
      break;
    case 0160000:
      entry->kind = EntryKind::kSubmodule;
      break;
    default:
      entry->kind = EntryKind::kOther;
      break;
  }
  rest_ = rest_.substr(end);
  return true;
}

}  // namespace sprawl
