#include "scanner/findings/finding.h"

#include <tuple>

namespace sprawl {
namespace {

const std::string& CommitOf(const Location& l) {
  static const std::string kEmpty;
  return l.git ? l.git->commit : kEmpty;
}

}  // namespace

bool LocationLess(const Location& a, const Location& b) {
  return std::tie(a.repo, a.path, a.line, a.column, CommitOf(a), a.source) <
         std::tie(b.repo, b.path, b.line, b.column, CommitOf(b), b.source);
}

bool LocationEqual(const Location& a, const Location& b) {
  return a.repo == b.repo && a.path == b.path && a.line == b.line &&
         a.column == b.column && CommitOf(a) == CommitOf(b) &&
         a.source == b.source;
}

}  // namespace sprawl
