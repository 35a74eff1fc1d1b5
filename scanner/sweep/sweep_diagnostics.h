// How a sweep passes on the diagnostics of one repository's scan, which
// runs with its own Diagnostics: re-reported under the repository's key,
// and the first problem kept as the repository's `error`. Pure functions.
#pragma once

#include <string>

#include "scanner/base/diagnostics.h"

namespace sprawl {

// Re-reports a repository's own diagnostics on the sweep's, naming the repo.
void Forward(const Diagnostics& local, const std::string& repo,
             Diagnostics* out);

// The first warning or error line of `local`, without its "sprawl: " tag
// ("unreadable objects" when there is none).
std::string FirstProblem(const Diagnostics& local);

}  // namespace sprawl
