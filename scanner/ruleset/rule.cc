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

namespace {
constexpr struct {
  uint32_t flag;
  const char* name;
} kRejectNames[] = {{kRejectHexDigest, "hex-digest"},
                    {kRejectUuid, "uuid"},
                    {kRejectVersion, "version"},
                    {kRejectPath, "path"},
                    {kRejectWords, "words"}};
}  // namespace

uint32_t RejectValueFromName(std::string_view name) {
  for (const auto& r : kRejectNames) {
    if (name == r.name) return r.flag;
  }
  return 0;
}

const char* RejectValueName(uint32_t flag) {
  for (const auto& r : kRejectNames) {
    if (flag == r.flag) return r.name;
  }
  return "";
}

}  // namespace sprawl
