#include "scanner/base/test_pause.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <set>
#include <string>
#include <thread>

namespace sprawl {

void TestPause(const char* phase, const std::atomic<bool>* cancel) {
  const char* want = std::getenv("SPRAWL_TEST_PAUSE");
  if (want == nullptr || std::strcmp(want, phase) != 0) return;
  static std::mutex mu;
  static std::set<std::string> done;
  {
    std::lock_guard<std::mutex> lock(mu);
    if (!done.insert(phase).second) return;
  }
  std::fprintf(stderr, "sprawl: test pause: %s\n", phase);
  std::fflush(stderr);
  if (const char* mark = std::getenv("SPRAWL_TEST_PAUSE_FILE"); mark && *mark) {
    if (std::FILE* f = std::fopen(mark, "w")) std::fclose(f);
  }
  for (int i = 0; i < 100; ++i) {
    if (cancel != nullptr && cancel->load()) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace sprawl
