// TestPause: a deterministic point for tests that interrupt a run in a
// given phase. When $SPRAWL_TEST_PAUSE names `phase`, the first call for it
// prints "sprawl: test pause: <phase>" to stderr, creates the file named by
// $SPRAWL_TEST_PAUSE_FILE (if set) and waits (up to five seconds) until
// `cancel` is set, so a test can send SIGINT exactly there.
// Otherwise it costs one getenv. Thread-safe.
#pragma once

#include <atomic>

namespace sprawl {

void TestPause(const char* phase, const std::atomic<bool>* cancel);

}  // namespace sprawl
