// CODEOWNERS of a scanned root: the file's text, read from the first of the
// places GitHub and GitLab look (.github/, the root, docs/, .gitlab/). The
// lookup of an owner for a path is CodeOwnerFor (inventory/reconcile.h).
// Reads files; thread-safe.
#pragma once

#include <string>

namespace sprawl {

// The CODEOWNERS text under `root` ("" reads from /, as before), "" when
// there is none.
std::string ReadCodeowners(const std::string& root);

}  // namespace sprawl
