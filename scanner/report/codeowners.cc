#include "scanner/report/codeowners.h"

#include <iostream>

#include "scanner/base/repo_file.h"

namespace sprawl {

std::string ReadCodeowners(const std::string& root, int* diagnostics) {
  for (const char* name : {"/.github/CODEOWNERS", "/CODEOWNERS",
                           "/docs/CODEOWNERS", "/.gitlab/CODEOWNERS"}) {
    // Repository-supplied: never a link out, a device or a FIFO.
    auto text = ReadRepoFile(root, root + name);
    if (!text.ok()) {
      std::cerr << "sprawl: warning: " << text.error().message << '\n';
      if (diagnostics != nullptr) ++*diagnostics;
      continue;
    }
    if (*text) return std::move(**text);
  }
  return "";
}

}  // namespace sprawl
