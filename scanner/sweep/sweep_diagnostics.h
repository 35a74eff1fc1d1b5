// How a sweep passes on the diagnostics of one repository's scan, which
// runs with its own Diagnostics: re-reported under the repository's key,
// and the first problem kept as the repository's `error`. Pure functions.
#pragma once

#include <string>

#include "scanner/base/diagnostics.h"

namespace sprawl {

// Re-reports a repository's own diagnostics on the sweep's, naming the repo.
// `partial_clone`: an object missing from the object store is expected
// there, so such lines become notes (shown with --verbose) and the caller
// says once what the repository lacks.
void Forward(const Diagnostics& local, const std::string& repo,
             Diagnostics* out, bool partial_clone = false);

// Forward, from diagnostic text (Diagnostics::Text(), say a child
// process's); `repo` "" keeps each line's own location.
void ForwardText(const std::string& text, const std::string& repo,
                 Diagnostics* out, bool partial_clone = false);

// How many of `local`'s warnings and errors say that an object of the
// repository (blob, tree, commit, pack, ref target) could not be read, as
// opposed to a problem with one file's content (malformed pipeline YAML, a
// blob over the size limit, a scan timeout), which never fails a sweep.
int ObjectProblems(const Diagnostics& local);

// The first warning or error line of `local` about an object that could not
// be read (else the first of any kind), without its "sprawl: " tag
// ("unreadable objects" when there is none).
std::string FirstProblem(const Diagnostics& local);

}  // namespace sprawl
