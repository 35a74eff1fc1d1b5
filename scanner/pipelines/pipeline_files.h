// Pipeline file recognition: decides from a path (and, for Tekton and Argo,
// from the first bytes of a YAML file) whether a file is a CI pipeline
// definition and of which system. Only recognised files are parsed, so
// trees with few pipeline files pay nothing. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace sprawl {

// System names as reports show them.
inline constexpr std::string_view kGithubActions = "github-actions";
inline constexpr std::string_view kGitlabCi = "gitlab-ci";
inline constexpr std::string_view kCircleCi = "circleci";
inline constexpr std::string_view kAzurePipelines = "azure-pipelines";
inline constexpr std::string_view kBitbucketPipelines = "bitbucket-pipelines";
inline constexpr std::string_view kTravisCi = "travis-ci";
inline constexpr std::string_view kBuildkite = "buildkite";
inline constexpr std::string_view kDrone = "drone";
inline constexpr std::string_view kWoodpecker = "woodpecker";
inline constexpr std::string_view kTekton = "tekton";
inline constexpr std::string_view kArgoWorkflows = "argo-workflows";
inline constexpr std::string_view kJenkins = "jenkins";

// The system of the pipeline file at `path` (relative, '/'-separated), or ""
// when its path does not name a pipeline file.
std::string PipelineSystemForPath(std::string_view path);

// For a pass over trees that does not know their paths: a file named `base`
// can be a pipeline file (PipelineSystemForPath not "") only when
// PipelineCandidateName(base) is true, or when it is YAML (IsYamlName) and
// some directory above it has a name for which PipelineCandidateDir is true.
bool PipelineCandidateName(std::string_view base);
bool PipelineCandidateDir(std::string_view name);
bool IsYamlName(std::string_view base);

// For a YAML file that PipelineSystemForPath did not recognise: "tekton" or
// "argo-workflows" when `head` (the first bytes of the file) declares a
// Tekton or Argo apiVersion, else "". Returns "" at once for non-YAML paths.
std::string PipelineSystemForContent(std::string_view path,
                                     std::string_view head);

// Both of the above: the path first, then the content sniff.
std::string PipelineSystemFor(std::string_view path, std::string_view head);

}  // namespace sprawl
