// Finding and Location: one match of one rule at one place. Findings are
// produced by workers (thread-local vectors) and merged into Credentials.
// Plain values; thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sprawl {

// Where a credential sits in a pipeline definition (CI-awareness).
struct PipelineContext {
  std::string system;    // github-actions, gitlab-ci, ...
  std::string key_path;  // jobs.build.env.OPENAI_API_KEY
  std::string job;       // optional
};

// Where a credential sits in a developer client's file (scanner/clients):
// an API client export, a registry or CLI credential file, an MCP config.
struct ClientContext {
  std::string client;    // postman, insomnia, npm, kubeconfig, mcp, ...
  std::string endpoint;  // host or URL it is for; "" when the file omits it
  std::string server;    // MCP server name; "" for other clients
  std::string key_path;  // where in the file (auths."ghcr.io".auth)
};

// Git provenance of a location (source "git" or "index").
struct GitProvenance {
  std::string commit;        // sha of the commit that introduced the blob
  std::string author;        // author name
  std::string author_email;
  std::string date;          // author date, ISO 8601 (UTC offset kept)
  std::string summary;       // first line of the commit message
  std::string blob;          // blob oid
  bool in_head = false;      // HEAD's tree holds this blob at this path
  std::vector<std::string> refs;  // ref tips whose tree still holds it
};

struct Location {
  std::string source;  // file | git | index | stdin
  std::string path;    // relative to the scanned root; raw bytes
  uint64_t line = 0;   // 1-based
  uint64_t column = 0; // 1-based, in bytes
  std::optional<GitProvenance> git;
  std::optional<PipelineContext> pipeline;
  std::optional<ClientContext> client;  // in a developer client's file
  std::string repo;    // sweeps only
};

// Orders locations as reports list them: (path, line, column, commit).
bool LocationLess(const Location& a, const Location& b);
bool LocationEqual(const Location& a, const Location& b);

struct Finding {
  uint32_t rule = 0;      // index into the matcher's rules
  std::string secret;     // raw bytes; never printed without --show-secrets
  Location location;
};

}  // namespace sprawl
