#include "scanner/sweep/partial_clone.h"

#include <filesystem>
#include <fstream>
#include <string>

#include "scanner/base/text.h"
#include "scanner/sweep/git_common_dir.h"

namespace sprawl {
namespace {

namespace fs = std::filesystem;

// A `key = true`-style setting or an `[extensions] partialclone` in the
// config text: a loose, line-based reading, enough for a hint.
bool ConfigNamesPromisor(const fs::path& config) {
  std::ifstream in(config);
  std::string line;
  std::string section;
  // Bounded: a config is small; a hostile one is read up to 1 MiB.
  std::size_t read = 0;
  while (read < (1u << 20) && std::getline(in, line)) {
    read += line.size() + 1;
    const std::string t = AsciiLower(Trim(line));
    if (!t.empty() && t.front() == '[') {
      section = t;
      continue;
    }
    const std::size_t eq = t.find('=');
    if (eq == std::string::npos) continue;
    const std::string key(Trim(std::string_view(t).substr(0, eq)));
    const std::string value(Trim(std::string_view(t).substr(eq + 1)));
    if (section.rfind("[remote", 0) == 0 && key == "promisor" &&
        value == "true") {
      return true;
    }
    if (section == "[extensions]" && key == "partialclone") return true;
  }
  return false;
}

}  // namespace

bool IsPartialClone(const std::string& repo) {
  const fs::path common = GitCommonDir(repo);
  std::error_code ec;
  for (fs::directory_iterator it(common / "objects" / "pack", ec), end;
       !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".promisor") return true;
  }
  return ConfigNamesPromisor(common / "config");
}

}  // namespace sprawl
