// AnalyzePipeline: reads one CI pipeline definition (YAML through yaml-cpp,
// or a Jenkinsfile through a small line scanner) and extracts what sprawl
// needs from it: where each value sits (key path, job) so rule findings can
// carry a pipeline context, literal secrets assigned to secret-like names,
// references to CI secret stores, and static cloud keys given to login
// actions. A pure function of its input: thread-safe, never throws, bounded
// in time and memory (size, depth and node caps); malformed input yields
// `diagnostics` and whatever was read before the problem.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "scanner/findings/report.h"

namespace sprawl {

struct PipelineLimits {
  uint64_t max_bytes = 5u << 20;  // larger files are not parsed (text only)
  uint64_t max_nodes = 100000;    // YAML nodes per file (lines + flow items
                                  // before parsing, visits after)
  int max_depth = 100;            // nesting of mappings and sequences
};

// One value of the file: a byte range and where it sits.
struct PipelineScalar {
  uint64_t begin = 0;  // byte offsets into the content, [begin, end)
  uint64_t end = 0;
  std::string key_path;  // jobs.build.steps[2].env.OPENAI_API_KEY
  std::string job;       // "" when the system has no job there
};

// A literal assigned to a secret-like name (rule pipeline.literal-secret).
struct PipelineLiteral {
  std::string name;  // the variable or input name
  std::string key_path;
  std::string job;
  std::string value;    // the secret bytes
  uint64_t offset = 0;  // of the value's first byte in the content
  uint64_t line = 0;    // 1-based
  uint64_t column = 0;  // 1-based, bytes
};

struct PipelineAnalysis {
  std::string system;
  std::vector<PipelineScalar> scalars;  // sorted by begin, disjoint
  std::vector<PipelineLiteral> literal_secrets;
  std::vector<PipelineReference> references;   // status left empty
  std::vector<PipelineFindingEntry> findings;  // pipeline_findings
  std::vector<std::string> diagnostics;        // "line L, column C: problem"
  bool parsed = false;  // false when the file could not be read as a whole

  // The scalar whose range holds `offset`, or nullptr.
  const PipelineScalar* ScalarAt(uint64_t offset) const;
};

// `path` is copied into references and findings; `system` comes from
// PipelineSystemFor. Jenkins files use the line scanner, all others YAML.
PipelineAnalysis AnalyzePipeline(std::string_view path,
                                 std::string_view content,
                                 std::string_view system,
                                 const PipelineLimits& limits = {});

// The Jenkinsfile scanner behind AnalyzePipeline (system "jenkins").
PipelineAnalysis AnalyzeJenkinsfile(std::string_view path,
                                    std::string_view content);

// Byte offset of 1-based (line, column) in content whose line starts are
// `line_starts` (0-based offsets, line_starts[0] == 0).
uint64_t OffsetOf(const std::vector<uint64_t>& line_starts, uint64_t line,
                  uint64_t column);
std::vector<uint64_t> LineStarts(std::string_view content);

// Guards yaml-cpp's LoadAll against streams it would loop on forever (a
// document that starts where the previous one did): reads `text` once with
// a no-op handler and throws YAML::ParserException there. Call before
// YAML::LoadAll on untrusted input; the client readers use it too.
void CheckYamlDocumentsAdvance(const std::string& text);

}  // namespace sprawl
