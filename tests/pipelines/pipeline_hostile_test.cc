// Hostile pipeline files straight through AnalyzePipeline: the properties
// fuzz_pipeline checks (scalars sorted, disjoint, inside the content and
// found again by ScalarAt), replayed over every input under
// fixtures/fuzz/pipeline/ and over the issue 9 reproducers: NUL bytes in
// quoted multi-line values, and nesting beyond yaml-cpp's own limit.
#include <doctest/doctest.h>

#include <filesystem>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "scanner/pipelines/pipeline_analyzer.h"
#include "scanner/pipelines/pipeline_files.h"
#include "tests/test_util.h"

namespace sprawl {
namespace {

namespace fs = std::filesystem;

// fuzz_pipeline's choice of system from the first byte of an input.
std::string_view SystemForByte(unsigned char b) {
  static const std::string_view kSystems[] = {
      kGithubActions,      kGitlabCi, kCircleCi,      kAzurePipelines,
      kBitbucketPipelines, kTravisCi, kBuildkite,     kDrone,
      kWoodpecker,         kTekton,   kArgoWorkflows, kJenkins};
  return kSystems[b % 12];
}

// The documented shape of PipelineAnalysis::scalars, strictly: no two
// scalars share a byte, not even as exact duplicates.
void CheckScalars(const PipelineAnalysis& a, std::string_view content) {
  uint64_t previous_end = 0;
  for (const PipelineScalar& s : a.scalars) {
    CAPTURE(s.begin);
    CAPTURE(s.end);
    CHECK(s.begin <= s.end);
    CHECK(s.end <= content.size());
    CHECK(s.begin >= previous_end);
    previous_end = s.end;
    if (s.begin == s.end) continue;
    const PipelineScalar* at = a.ScalarAt(s.begin);
    REQUIRE(at != nullptr);
    CHECK(at->begin == s.begin);
    CHECK(at->end == s.end);
  }
  for (const PipelineLiteral& l : a.literal_secrets) {
    CHECK(l.offset <= content.size());
    CHECK(!l.value.empty());
  }
}

std::string DeepFlow(int depth) {
  return "jobs: " + std::string(static_cast<std::size_t>(depth), '[') +
         std::string(static_cast<std::size_t>(depth), ']') + "\n";
}
std::string DeepMap(int depth) {
  std::string s = "jobs: ";
  for (int i = 0; i < depth; ++i) s += "{a: ";
  s += "x";
  return s + std::string(static_cast<std::size_t>(depth), '}') + "\n";
}
// Block sequences nested on one line: "- - - x".
std::string DeepBlock(int depth) {
  std::string s = "jobs:\n  ";
  for (int i = 0; i < depth; ++i) s += "- ";
  return s + "x\n";
}

TEST_SUITE("pipeline hostile") {
  TEST_CASE(
      "every fuzz_pipeline corpus input keeps the analyzer's documented "
      "scalar shape") {
    const fs::path dir = fs::path(SPRAWL_SOURCE_DIR) / "fixtures/fuzz/pipeline";
    int replayed = 0;
    for (const auto& entry : fs::directory_iterator(dir)) {
      const std::string data = testing::ReadFile(entry.path().string());
      if (data.empty()) continue;
      CAPTURE(entry.path().filename().string());
      const std::string_view content = std::string_view(data).substr(1);
      const std::string_view system =
          SystemForByte(static_cast<unsigned char>(data[0]));
      CheckScalars(AnalyzePipeline("ci.yml", content, system), content);
      ++replayed;
    }
    CHECK(replayed >= 7);
  }

  TEST_CASE(
      "issue 9: a quoted multi-line value holding NUL bytes yields each "
      "scalar range once") {
    using namespace std::string_literals;
    struct Row {
      const char* name;
      std::string content;
    };
    const Row rows[] = {
        // fixtures/fuzz/pipeline/regress-nul-duplicate-scalars (azure).
        {"fuzz reproducer", "\0'\x01\n\0')\n\0\n))"s},
        {"single-quoted", "a: '\0x\n\0y'\nb: c\n"s},
        {"double-quoted", "a: \"\0x\n\0y\"\nb: c\n"s},
        {"sequence items", "- '\0\n'\n- '\0\n\0'\n- z\n"s},
        {"secret name", "env:\n  API_TOKEN: '\0\nabc\0'\n"s},
    };
    for (const Row& row : rows) {
      CAPTURE(row.name);
      for (std::string_view system :
           {kGithubActions, kAzurePipelines, kGitlabCi}) {
        CAPTURE(system);
        const PipelineAnalysis a =
            AnalyzePipeline("ci.yml", row.content, system);
        CheckScalars(a, row.content);
        std::set<std::tuple<uint64_t, uint64_t>> ranges;
        for (const PipelineScalar& s : a.scalars) {
          CHECK(ranges.emplace(s.begin, s.end).second);
        }
      }
    }
  }

  TEST_CASE(
      "issue 9: a pipeline nested beyond yaml-cpp's limit names the nesting "
      "limit, not 'bad file'") {
    struct Row {
      const char* name;
      std::string content;
    };
    const Row rows[] = {
        {"3000 flow sequences", DeepFlow(3000)},
        {"3000 flow mappings", DeepMap(3000)},
        {"3000 block sequences", DeepBlock(3000)},
    };
    for (const Row& row : rows) {
      CAPTURE(row.name);
      const PipelineAnalysis a = AnalyzePipeline(".github/workflows/ci.yml",
                                                 row.content, kGithubActions);
      CHECK_FALSE(a.parsed);
      REQUIRE(a.diagnostics.size() == 1);
      const std::string& d = a.diagnostics[0];
      CAPTURE(d);
      CHECK(d.find("bad file") == std::string::npos);
      CHECK(d.find("nesting limit") != std::string::npos);
      CHECK(d.find("levels deep at line ") != std::string::npos);
      CHECK(d.find("scanned as plain text") != std::string::npos);
    }
  }

  TEST_CASE(
      "nesting between the analyzer's cap and yaml-cpp's is parsed and the "
      "deeper part skipped with a diagnostic") {
    const std::string content = DeepFlow(150);
    const PipelineAnalysis a =
        AnalyzePipeline(".github/workflows/ci.yml", content, kGithubActions);
    CHECK(a.parsed);
    REQUIRE(a.diagnostics.size() == 1);
    CHECK(a.diagnostics[0].find("nested deeper than 100 levels") !=
          std::string::npos);
    CheckScalars(a, content);
  }
}

}  // namespace
}  // namespace sprawl
