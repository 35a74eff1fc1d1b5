#include "scanner/ruleset/rule.h"

namespace sprawl {

const char* ConfidenceName(Confidence c) {
  switch (c) {
    case Confidence::kLow:
      return "low";
    case Confidence::kMedium:
      return "medium";
    case Confidence::kHigh:
      return "high";
  }
  return "high";
}

const char* ChecksumName(Checksum c) {
  switch (c) {
    case Checksum::kNone:
      return "";
    case Checksum::kGithubCrc32:
      return "github-crc32";
    case Checksum::kPypiMacaroon:
      return "pypi-macaroon";
  }
  return "";
}

}  // namespace sprawl
