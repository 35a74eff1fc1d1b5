// Developer-client file recognition: decides from a path (and, for JSON and
// YAML files, from their first bytes) whether a file is the config or
// export of a developer tool that holds credentials (API clients, package
// registries, cluster and cloud CLIs, MCP configs) and which one. Only
// recognised files are parsed. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace sprawl {

// Client names as reports show them (Location::client->client).
inline constexpr std::string_view kPostman = "postman";
inline constexpr std::string_view kInsomnia = "insomnia";
inline constexpr std::string_view kBruno = "bruno";
inline constexpr std::string_view kHttpFile = "http-file";
inline constexpr std::string_view kNpm = "npm";
inline constexpr std::string_view kPypi = "pypi";
inline constexpr std::string_view kNetrc = "netrc";
inline constexpr std::string_view kDocker = "docker";
inline constexpr std::string_view kKubeconfig = "kubeconfig";
inline constexpr std::string_view kAwsCli = "aws-cli";
inline constexpr std::string_view kGcloud = "gcloud";
inline constexpr std::string_view kAzureCli = "azure-cli";
inline constexpr std::string_view kMcp = "mcp";

// Every client name above, in a fixed order.
const std::string_view* AllClients(std::size_t* count);

// The client of the file at `path` (relative, '/'-separated) judged by its
// name and directory, or "".
std::string ClientForPath(std::string_view path);

// For a JSON or YAML file ClientForPath did not recognise: the client whose
// export `head` (the first bytes) looks like (a Postman schema URL, an
// Insomnia export format, docker `auths`, an MCP `mcpServers` map, a
// kubeconfig `kind: Config`, a gcloud credential `type`), else "".
std::string ClientForContent(std::string_view path, std::string_view head);

// Both: the path first, then the content sniff.
std::string ClientFor(std::string_view path, std::string_view head);

// True when ClientForContent may recognise a file at `path` (.json, .yaml,
// .yml): git sources sniff only those.
bool ClientSniffable(std::string_view path);

// For a pass over trees that does not know directories: a file named `base`
// can be a client file by path only when this is true.
bool ClientCandidateName(std::string_view base);

}  // namespace sprawl
