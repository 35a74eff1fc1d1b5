#include "scanner/pipelines/pipeline_files.h"

namespace sprawl {
namespace {

bool IsYaml(std::string_view name) {
  return name.ends_with(".yml") || name.ends_with(".yaml");
}

bool IsJenkinsfile(std::string_view name) {
  return name.starts_with("Jenkinsfile") || name.ends_with(".jenkinsfile") ||
         name.ends_with(".Jenkinsfile");
}

// The directory part of `path` ("" for a bare name), without the slash.
std::string_view Dir(std::string_view path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string_view()
                                         : path.substr(0, slash);
}

std::string_view Base(std::string_view path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// True when the directory `dir` is `name` or ends with "/name" (so a
// pipeline directory is found under any scan prefix, e.g. in a monorepo).
bool DirIs(std::string_view dir, std::string_view name) {
  return dir == name || dir.ends_with(std::string("/") + std::string(name));
}

// True when some directory component of `dir` equals `name`.
bool DirHas(std::string_view dir, std::string_view name) {
  return DirIs(dir, name) || dir.find(std::string(name) + "/") == 0 ||
         dir.find("/" + std::string(name) + "/") != std::string_view::npos;
}

}  // namespace

bool IsYamlName(std::string_view base) { return IsYaml(base); }

bool PipelineCandidateName(std::string_view base) {
  if (IsJenkinsfile(base)) return true;
  if (!IsYaml(base)) return false;
  const std::string_view stem = base.substr(0, base.rfind('.'));
  return stem == "action" || stem.ends_with(".gitlab-ci") ||
         stem == ".gitlab-ci" || base.starts_with("azure-pipelines") ||
         stem == "bitbucket-pipelines" || stem == ".travis" ||
         stem == "buildkite" || stem == ".drone" || stem == ".woodpecker";
}

bool PipelineCandidateDir(std::string_view name) {
  return name == "workflows" || name == ".circleci" || name == "ci" ||
         name == ".azure-pipelines" || name == ".azuredevops" ||
         name == ".buildkite" || name == ".woodpecker" || name == ".tekton" ||
         name == ".argo";
}

std::string PipelineSystemForPath(std::string_view path) {
  const std::string_view base = Base(path);
  const std::string_view dir = Dir(path);
  if (IsJenkinsfile(base)) return std::string(kJenkins);
  if (!IsYaml(base)) return "";
  if (DirIs(dir, ".github/workflows")) return std::string(kGithubActions);
  if (base == "action.yml" || base == "action.yaml") {
    return std::string(kGithubActions);  // composite / docker action
  }
  if (base == ".gitlab-ci.yml" || base == ".gitlab-ci.yaml" ||
      base.ends_with(".gitlab-ci.yml") || base.ends_with(".gitlab-ci.yaml") ||
      DirHas(dir, ".gitlab/ci")) {
    return std::string(kGitlabCi);
  }
  if (DirIs(dir, ".circleci") &&
      (base == "config.yml" || base == "config.yaml")) {
    return std::string(kCircleCi);
  }
  if (base.starts_with("azure-pipelines") || DirIs(dir, ".azure-pipelines") ||
      DirIs(dir, ".azuredevops")) {
    return std::string(kAzurePipelines);
  }
  if (base == "bitbucket-pipelines.yml" || base == "bitbucket-pipelines.yaml") {
    return std::string(kBitbucketPipelines);
  }
  if (base == ".travis.yml" || base == ".travis.yaml") {
    return std::string(kTravisCi);
  }
  if (DirIs(dir, ".buildkite") || base == "buildkite.yml" ||
      base == "buildkite.yaml") {
    return std::string(kBuildkite);
  }
  if (base == ".drone.yml" || base == ".drone.yaml") return std::string(kDrone);
  if (base == ".woodpecker.yml" || base == ".woodpecker.yaml" ||
      DirIs(dir, ".woodpecker")) {
    return std::string(kWoodpecker);
  }
  if (DirHas(dir, ".tekton")) return std::string(kTekton);
  if (DirHas(dir, ".argo")) return std::string(kArgoWorkflows);
  return "";
}

std::string PipelineSystemForContent(std::string_view path,
                                     std::string_view head) {
  if (!IsYaml(Base(path))) return "";
  // An apiVersion line is all it takes; look only at the head.
  std::size_t at = 0;
  while ((at = head.find("apiVersion:", at)) != std::string_view::npos) {
    at += 11;
    std::size_t v = at;
    while (v < head.size() && (head[v] == ' ' || head[v] == '\t' ||
                               head[v] == '"' || head[v] == '\'')) {
      ++v;
    }
    const std::string_view value = head.substr(v, 64);
    if (value.starts_with("tekton.dev/") ||
        value.starts_with("triggers.tekton.dev/")) {
      return std::string(kTekton);
    }
    if (value.starts_with("argoproj.io/")) return std::string(kArgoWorkflows);
  }
  return "";
}

std::string PipelineSystemFor(std::string_view path, std::string_view head) {
  std::string system = PipelineSystemForPath(path);
  if (system.empty()) system = PipelineSystemForContent(path, head);
  return system;
}

}  // namespace sprawl
