#include "scanner/report/codeowners.h"

#include <fstream>
#include <iterator>

namespace sprawl {

std::string ReadCodeowners(const std::string& root) {
  for (const char* name : {"/.github/CODEOWNERS", "/CODEOWNERS",
                           "/docs/CODEOWNERS", "/.gitlab/CODEOWNERS"}) {
    std::ifstream in(root + name, std::ios::binary);
    if (in) {
      return std::string(std::istreambuf_iterator<char>(in),
                         std::istreambuf_iterator<char>());
    }
  }
  return "";
}

}  // namespace sprawl
