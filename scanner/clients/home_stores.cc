#include "scanner/clients/home_stores.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <memory>

namespace sprawl {

const std::vector<std::string>& HomeStorePatterns() {
  static const std::vector<std::string> k = {
      // Package registries and generic credential files.
      ".npmrc", ".pypirc", ".netrc", "_netrc", ".git-credentials",
      ".docker/config.json",
      // Cluster and cloud CLIs.
      ".kube/config", ".aws/credentials", ".aws/config",
      ".config/gcloud/application_default_credentials.json",
      ".config/gcloud/legacy_credentials/*/adc.json", ".azure",
      // API clients' app data.
      ".config/Postman", "Library/Application Support/Postman",
      ".config/Insomnia", "Library/Application Support/Insomnia",
      ".config/bruno", "Library/Application Support/bruno",
      // MCP configs of AI agents and editors.
      ".config/Claude/claude_desktop_config.json",
      "Library/Application Support/Claude/claude_desktop_config.json",
      ".claude.json", ".claude/settings.json", ".mcp.json", ".cursor/mcp.json",
      ".codeium/windsurf/mcp_config.json", ".gemini/settings.json",
      ".config/Code/User/mcp.json", ".config/Code/User/settings.json",
      "Library/Application Support/Code/User/mcp.json",
      "Library/Application Support/Code/User/settings.json"};
  return k;
}

namespace {

// lstat: a symlinked store is not followed (it may point anywhere).
bool Exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0 &&
         (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode));
}

struct DirCloser {
  void operator()(DIR* d) const { ::closedir(d); }
};

}  // namespace

std::vector<HomeStore> HomeCredentialStores(const std::string& home) {
  std::string base = home;
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  std::vector<HomeStore> out;
  for (const std::string& pattern : HomeStorePatterns()) {
    const std::size_t star = pattern.find("/*/");
    if (star == std::string::npos) {
      const std::string path = base + "/" + pattern;  // NOLINT(performance-inefficient-string-concatenation)
      if (Exists(path)) out.push_back({path, pattern});
      continue;
    }
    // One directory level: legacy_credentials/<account>/adc.json.
    const std::string parent = pattern.substr(0, star);
    const std::string leaf = pattern.substr(star + 3);
    std::unique_ptr<DIR, DirCloser> dir(
        ::opendir((base + "/" + parent).c_str()));  // NOLINT(performance-inefficient-string-concatenation)
    if (!dir) continue;
    std::vector<std::string> names;
    while (dirent* e = ::readdir(dir.get())) {
      const std::string name = e->d_name;
      if (name != "." && name != "..") names.push_back(name);
    }
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) {
      const std::string rel = parent + "/" + name + "/" + leaf;  // NOLINT(performance-inefficient-string-concatenation)
      if (Exists(base + "/" + rel)) out.push_back({base + "/" + rel, rel});  // NOLINT(performance-inefficient-string-concatenation)
    }
  }
  return out;
}

}  // namespace sprawl
