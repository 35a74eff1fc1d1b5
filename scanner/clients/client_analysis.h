// AnalyzeClientFile: reads one developer-client file (an API client's
// export, a registry or CLI credential file, an MCP config) with the reader
// of its format and extracts what sprawl needs from it: each credential by
// where it sits (whatever its shape), the host or server it is for, and the
// references (`{{apiKey}}`, `${env:X}`, `process.env.X`) that point at a
// secret kept elsewhere. A pure function of its input: thread-safe, never
// throws, bounded in time and memory (the pipeline YAML caps for YAML, a
// size cap for all); malformed input yields one diagnostic and whatever was
// read before the problem.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "scanner/findings/report.h"
#include "scanner/pipelines/pipeline_analyzer.h"

namespace sprawl {

// One credential found by its place in the file.
struct ClientLiteral {
  std::string value;     // the secret bytes (decoded when `decoded`)
  std::string key_path;  // auths."ghcr.io".auth, users[0].user.token, ...
  std::string endpoint;  // host or URL it is for, "" when the file omits it
  std::string server;    // MCP server name, else ""
  uint64_t offset = 0;   // of the value's text in the content
  uint64_t length = 0;   // bytes of content it spans; 0 = position unknown
  uint64_t line = 1;     // 1-based
  uint64_t column = 1;   // 1-based, bytes
  bool decoded = false;  // the file holds it encoded (base64): not as is
};

struct ClientAnalysis {
  std::string client;
  std::vector<ClientLiteral> literals;
  // References to secrets kept elsewhere; `system` is the client, status
  // left empty (reconciled against inventory `ci_secrets` names).
  std::vector<PipelineReference> references;
  std::vector<std::string> diagnostics;  // "line L: problem" or "problem"
  bool parsed = false;  // false when the file could not be read as a whole

  // The literal whose text holds `offset`, or nullptr.
  const ClientLiteral* LiteralAt(uint64_t offset) const;
};

// `path` is copied into references; `client` comes from ClientFor. The
// limits are the pipeline ones (--max-yaml-size is max_bytes).
ClientAnalysis AnalyzeClientFile(std::string_view path,
                                 std::string_view content,
                                 std::string_view client,
                                 const PipelineLimits& limits = {});

}  // namespace sprawl
