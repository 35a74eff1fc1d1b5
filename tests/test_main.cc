// The doctest runner. After the run it lists the checks that skipped
// themselves (testing::Skip) and, when every test passed and one skipped,
// exits with $SPRAWL_SKIP_EXIT_CODE if set (ctest's SKIP_RETURN_CODE).
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>

#include "tests/test_util.h"

int main(int argc, char** argv) {
  doctest::Context context(argc, argv);
  const int rc = context.run();
  if (context.shouldExit()) return rc;
  const auto& skipped = sprawl::testing::Skipped();
  if (skipped.empty()) return rc;
  std::fprintf(stderr, "SKIPPED %zu check(s):\n", skipped.size());
  for (const auto& reason : skipped) {
    std::fprintf(stderr, "  - %s\n", reason.c_str());
  }
  const char* code = std::getenv("SPRAWL_SKIP_EXIT_CODE");
  if (rc == 0 && code != nullptr) return std::atoi(code);
  return rc;
}
