// Fuzz target: the CI pipeline parsers (YAML systems through yaml-cpp, the
// Jenkinsfile line scanner) and the reference finder. The first byte picks
// the system; the rest is the file. Properties: no crash or throw, scalars
// sorted, disjoint and inside the content, literal secrets inside it too,
// no diagnostic that only says "bad file", and the history scan's
// prefilter never passes over a file the analysis finds something in.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_util.h"
#include "scanner/pipelines/pipeline_analyzer.h"
#include "scanner/pipelines/pipeline_files.h"
#include "scanner/pipelines/pipeline_prefilter.h"
#include "scanner/pipelines/secret_names.h"

namespace {

constexpr std::array<std::string_view, 12> kSystems = {
    sprawl::kGithubActions,      sprawl::kGitlabCi,
    sprawl::kCircleCi,           sprawl::kAzurePipelines,
    sprawl::kBitbucketPipelines, sprawl::kTravisCi,
    sprawl::kBuildkite,          sprawl::kDrone,
    sprawl::kWoodpecker,         sprawl::kTekton,
    sprawl::kArgoWorkflows,      sprawl::kJenkins};

constexpr std::array<std::string_view, 12> kPaths = {".github/workflows/ci.yml",
                                                     ".gitlab-ci.yml",
                                                     ".circleci/config.yml",
                                                     "azure-pipelines.yml",
                                                     "bitbucket-pipelines.yml",
                                                     ".travis.yml",
                                                     ".buildkite/pipeline.yml",
                                                     ".drone.yml",
                                                     ".woodpecker.yml",
                                                     "tekton/task.yaml",
                                                     "argo/wf.yaml",
                                                     "Jenkinsfile"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sprawl;
  if (size < 1) return 0;
  const std::size_t which = data[0] % kSystems.size();
  const std::string_view content(reinterpret_cast<const char*>(data + 1),
                                 size - 1);
  (void)PipelineSystemFor(kPaths[which], content.substr(0, 4096));
  const PipelineAnalysis a =
      AnalyzePipeline(kPaths[which], content, kSystems[which]);
  // Documented: sorted by begin, disjoint (exact duplicates included: the
  // issue 9 NUL reproducer, seed regress-nul-duplicate-scalars).
  uint64_t previous_end = 0;
  for (const PipelineScalar& s : a.scalars) {
    FUZZ_ASSERT(s.begin <= s.end);
    FUZZ_ASSERT(s.end <= content.size());
    FUZZ_ASSERT(s.begin >= previous_end);
    previous_end = s.end;
    const PipelineScalar* at = a.ScalarAt(s.begin);
    FUZZ_ASSERT(s.begin == s.end ||
                (at != nullptr && at->begin == s.begin && at->end == s.end));
  }
  // yaml-cpp's nesting cap is named, not passed on as "bad file" (issue 9).
  for (const std::string& d : a.diagnostics) {
    FUZZ_ASSERT(d.find("bad file") == std::string::npos);
  }
  for (const PipelineLiteral& l : a.literal_secrets) {
    FUZZ_ASSERT(l.offset <= content.size());
    FUZZ_ASSERT(!l.value.empty());
  }
  if (!a.literal_secrets.empty() || !a.findings.empty()) {
    FUZZ_ASSERT(MayHoldPipelineSecret(content, kSystems[which]));
  }
  (void)FindReferences(kSystems[which], content.substr(0, 8192),
                       (data[0] & 0x80) != 0);
  return 0;
}
