#include "scanner/scan/commit_provenance.h"

#include <cstdio>
#include <ctime>

#include "scanner/git/git_handles.h"

namespace sprawl {

std::string FormatGitDate(int64_t time, int offset_minutes) {
  const std::time_t local =
      static_cast<std::time_t>(time + int64_t{offset_minutes} * 60);
  std::tm tm{};
  gmtime_r(&local, &tm);
  const char sign = offset_minutes < 0 ? '-' : '+';
  const int off = offset_minutes < 0 ? -offset_minutes : offset_minutes;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d",
                tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                tm.tm_min, tm.tm_sec, sign, off / 60, off % 60);
  return buf;
}

GitProvenance CommitProvenance(git_repository* repo, const git_oid& commit,
                               Diagnostics* diagnostics) {
  GitProvenance p;
  p.commit = GitHex(commit);
  git_commit* raw = nullptr;
  if (git_commit_lookup(&raw, repo, &commit) != 0) {
    diagnostics->Warn(p.commit, "cannot read commit: " + GitLastError());
    return p;
  }
  GitCommitPtr c(raw);
  if (const git_signature* a = git_commit_author(raw)) {
    if (a->name != nullptr) p.author = a->name;
    if (a->email != nullptr) p.author_email = a->email;
    p.date = FormatGitDate(a->when.time, a->when.offset);
  }
  if (const char* s = git_commit_summary(raw)) p.summary = s;
  return p;
}

}  // namespace sprawl
