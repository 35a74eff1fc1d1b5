#include "scanner/clients/client_files.h"

#include <array>

#include "scanner/base/text.h"

namespace sprawl {
namespace {

std::string_view Base(std::string_view path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string_view Dir(std::string_view path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string_view()
                                         : path.substr(0, slash);
}

// True when the last components of `dir` are `tail` ("a/.kube" ends in
// ".kube"; "x.kube" does not).
bool DirEnds(std::string_view dir, std::string_view tail) {
  if (!dir.ends_with(tail)) return false;
  return dir.size() == tail.size() || dir[dir.size() - tail.size() - 1] == '/';
}

bool HasExt(std::string_view base, std::string_view ext) {
  return AsciiLower(base).ends_with(ext);
}

constexpr std::array<std::string_view, 13> kAll = {
    kPostman, kInsomnia, kBruno,     kHttpFile, kNpm,      kPypi,  kNetrc,
    kDocker,  kKubeconfig, kAwsCli, kGcloud,   kAzureCli, kMcp};

}  // namespace

const std::string_view* AllClients(std::size_t* count) {
  *count = kAll.size();
  return kAll.data();
}

std::string ClientForPath(std::string_view path) {
  const std::string_view base = Base(path);
  const std::string_view dir = Dir(path);
  const std::string lower = AsciiLower(base);
  if (lower.ends_with(".postman_collection.json") ||
      lower.ends_with(".postman_environment.json") ||
      lower.ends_with(".postman_globals.json")) {
    return std::string(kPostman);
  }
  if (lower.ends_with(".bru")) return std::string(kBruno);
  if (lower.ends_with(".http") || lower.ends_with(".rest")) {
    return std::string(kHttpFile);
  }
  if (base == ".npmrc" || base == "npmrc") return std::string(kNpm);
  if (base == ".pypirc") return std::string(kPypi);
  if (base == ".netrc" || base == "_netrc") return std::string(kNetrc);
  if (base == "config.json" && DirEnds(dir, ".docker")) {
    return std::string(kDocker);
  }
  if ((base == "config" && DirEnds(dir, ".kube")) || lower == "kubeconfig" ||
      lower.ends_with(".kubeconfig")) {
    return std::string(kKubeconfig);
  }
  if ((base == "credentials" || base == "config") && DirEnds(dir, ".aws")) {
    return std::string(kAwsCli);
  }
  if (base == "application_default_credentials.json" ||
      (base == "adc.json" && dir.find("legacy_credentials") !=
                                 std::string_view::npos)) {
    return std::string(kGcloud);
  }
  if (base == "accessTokens.json" || base == "msal_token_cache.json" ||
      base == "service_principal_entries.json") {
    return std::string(kAzureCli);
  }
  if (base == "claude_desktop_config.json" || base == ".mcp.json" ||
      (base == "mcp.json" &&
       (DirEnds(dir, ".cursor") || DirEnds(dir, ".vscode") ||
        DirEnds(dir, ".roo") || DirEnds(dir, ".gemini")))) {
    return std::string(kMcp);
  }
  if (lower.starts_with("insomnia") &&
      (lower.ends_with(".json") || lower.ends_with(".yaml") ||
       lower.ends_with(".yml"))) {
    return std::string(kInsomnia);
  }
  return "";
}

bool ClientSniffable(std::string_view path) {
  const std::string_view base = Base(path);
  return HasExt(base, ".json") || HasExt(base, ".yaml") ||
         HasExt(base, ".yml") || base == "config";
}

std::string ClientForContent(std::string_view path, std::string_view head) {
  if (!ClientSniffable(path)) return "";
  auto has = [&](std::string_view s) {
    return head.find(s) != std::string_view::npos;
  };
  const bool json = HasExt(Base(path), ".json");
  if (json) {
    if (has("schema.getpostman.com") || has("\"_postman_variable_scope\"")) {
      return std::string(kPostman);
    }
    if (has("\"__export_format\"") && has("\"_type\"")) {
      return std::string(kInsomnia);
    }
    if (has("\"mcpServers\"")) return std::string(kMcp);
    if (has("\"servers\"") &&
        (has("\"command\"") || has("\"url\"") || has("\"type\""))) {
      // VS Code's mcp.json shape outside .vscode/.
      if (has("\"stdio\"") || has("\"http\"") || has("\"sse\"") ||
          has("\"command\"")) {
        return std::string(kMcp);
      }
    }
    if (has("\"auths\"") || has("\"credHelpers\"") ||
        has("\"credsStore\"")) {
      return std::string(kDocker);
    }
    if (has("\"type\"") &&
        (has("\"service_account\"") || has("\"authorized_user\"") ||
         has("\"external_account\""))) {
      return std::string(kGcloud);
    }
    return "";
  }
  if (has("collection.insomnia.rest") || has("environment.insomnia.rest") ||
      has("spec.insomnia.rest")) {
    return std::string(kInsomnia);
  }
  if ((has("kind: Config") || has("kind: \"Config\"")) && has("users:")) {
    return std::string(kKubeconfig);
  }
  return "";
}

std::string ClientFor(std::string_view path, std::string_view head) {
  std::string client = ClientForPath(path);
  if (client.empty()) client = ClientForContent(path, head);
  return client;
}

bool ClientCandidateName(std::string_view base) {
  static constexpr std::array<std::string_view, 17> kNames = {
      ".npmrc",
      "npmrc",
      ".pypirc",
      ".netrc",
      "_netrc",
      "config.json",
      "config",
      "credentials",
      "kubeconfig",
      "application_default_credentials.json",
      "adc.json",
      "accessTokens.json",
      "msal_token_cache.json",
      "service_principal_entries.json",
      "claude_desktop_config.json",
      "mcp.json",
      ".mcp.json"};
  for (std::string_view n : kNames) {
    if (base == n) return true;
  }
  const std::string lower = AsciiLower(base);
  return lower.ends_with(".bru") || lower.ends_with(".http") ||
         lower.ends_with(".rest") || lower.ends_with(".kubeconfig") ||
         lower.find(".postman_") != std::string::npos ||
         lower.starts_with("insomnia");
}

}  // namespace sprawl
