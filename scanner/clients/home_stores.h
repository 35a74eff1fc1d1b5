// HomeCredentialStores: the places under a developer's home directory where
// the tools scanner/clients reads keep their credentials (registry and CLI
// credential files, API clients' app data, MCP configs of AI agents), for
// `sprawl dir --home`. Only lists what exists; reads no file. Thread-safe.
#pragma once

#include <string>
#include <vector>

namespace sprawl {

struct HomeStore {
  std::string path;  // absolute (home + "/" + rel)
  std::string rel;   // relative to home, as reports show it
};

// The existing stores under `home` (regular files and directories, never
// through a symlink), in a fixed order.
std::vector<HomeStore> HomeCredentialStores(const std::string& home);

// Every relative path or pattern HomeCredentialStores looks for, for docs
// and tests (`*` matches one directory level).
const std::vector<std::string>& HomeStorePatterns();

}  // namespace sprawl
