// CODEOWNERS of a scanned root: the file's text, read from the first of the
// places GitHub and GitLab look (.github/, the root, docs/, .gitlab/). The
// lookup of an owner for a path is CodeOwnerFor (inventory/reconcile.h).
// Reads files; thread-safe.
#pragma once

#include <string>

namespace sprawl {

// The CODEOWNERS text under `root`, "" when there is none. The file is
// repository-supplied: a link out of the root, a device or a FIFO is not
// read but warned about on stderr and counted in `*diagnostics` (if given).
std::string ReadCodeowners(const std::string& root, int* diagnostics = nullptr);

}  // namespace sprawl
