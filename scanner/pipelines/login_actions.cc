#include "scanner/pipelines/login_actions.h"

#include <array>
#include <string>

#include "scanner/base/text.h"

namespace sprawl {
namespace {

struct LoginAction {
  std::string_view action;                 // owner/name, lower case
  std::array<std::string_view, 3> inputs;  // inputs carrying a static key
  std::string_view message;
};

constexpr std::array<LoginAction, 3> kLoginActions = {{
    {"aws-actions/configure-aws-credentials",
     {"aws-access-key-id", "aws-secret-access-key", ""},
     "aws-actions/configure-aws-credentials given a static key; use OIDC"},
    {"google-github-actions/auth",
     {"credentials_json", "", ""},
     "google-github-actions/auth given a service account key "
     "(credentials_json); use OIDC (workload_identity_provider)"},
    {"azure/login",
     {"creds", "", ""},
     "azure/login given a client secret (creds); use OIDC (client-id, "
     "tenant-id, subscription-id)"},
}};

}  // namespace

std::optional<PipelineFindingEntry> CheckLoginInput(std::string_view uses,
                                                    std::string_view input,
                                                    std::string_view value) {
  if (Trim(value).empty()) return std::nullopt;
  std::string action = AsciiLower(Trim(uses));
  if (const std::size_t at = action.find('@'); at != std::string::npos) {
    action.resize(at);
  }
  for (const LoginAction& a : kLoginActions) {
    if (action != a.action) continue;
    for (std::string_view in : a.inputs) {
      if (!in.empty() && input == in) {
        PipelineFindingEntry f;
        f.kind = std::string(kStaticCloudKeyKind);
        f.message = std::string(a.message);
        return f;
      }
    }
  }
  return std::nullopt;
}

}  // namespace sprawl
