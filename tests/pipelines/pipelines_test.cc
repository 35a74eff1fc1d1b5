// CI pipeline awareness: pipeline files recognised by path (and Tekton/Argo
// by content); per system, literals assigned to secret-like names found with
// exact key path, line and column, references listed, decoys silent; static
// cloud keys in login actions flagged; malformed, huge and alias-bomb YAML
// give diagnostics without losing rule findings; the CLI JSON carries it all.
#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "scanner/pipelines/pipeline_analyzer.h"
#include "scanner/pipelines/pipeline_files.h"
#include "scanner/pipelines/pipeline_scan.h"
#include "scanner/ruleset/rule_loader.h"
#include "scanner/scan/dir_scan.h"
#include "tests/test_util.h"

namespace sprawl {
namespace {

using testing::ColumnAt;
using testing::kAlnum;
using testing::kUrlSafe;
using testing::LineAt;
using testing::SyntheticToken;
using testing::TempDir;
using testing::WriteFile;

std::string Secret(uint64_t seed) {
  return SyntheticToken("", kAlnum, 24, seed);
}
std::string OpenAiKey(uint64_t seed) {
  return SyntheticToken("sk-proj-", kUrlSafe, 156, seed);
}

// Replaces every "@N@" with Secret(N) for N in 1..9.
std::string Fill(std::string text) {
  for (int n = 1; n <= 9; ++n) {
    const std::string mark = "@" + std::to_string(n) + "@";
    for (std::size_t at = text.find(mark); at != std::string::npos;
         at = text.find(mark)) {
      text.replace(at, mark.size(), Secret(static_cast<uint64_t>(n)));
    }
  }
  return text;
}

struct LiteralWant {
  std::string key_path;
  int secret;  // Secret(secret) is the value
};

struct ReferenceWant {
  std::string name;
  std::string key_path;
  std::string needle;  // unique text on the reference's line
};

struct SystemCase {
  std::string path;
  std::string system;
  std::string text;  // with @N@ secrets
  std::vector<LiteralWant> literals;
  std::vector<ReferenceWant> references;
  std::vector<std::string> finding_key_paths;  // static-cloud-key findings
  std::string job;  // job of the first literal ("" = none expected)
};

const std::vector<SystemCase>& Cases() {
  static const std::vector<SystemCase> cases = {
      {".github/workflows/ci.yml",
       "github-actions",
       R"(name: ci
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    env:
      DB_PASSWORD: @1@
      API_TOKEN: ${{ secrets.API_TOKEN }}
    strategy:
      matrix:
        region: [us, eu]
    steps:
      - uses: actions/checkout@v4
      - name: deploy
        run: ./deploy --region ${{ matrix.region }} --key "${{ secrets.DEPLOY_KEY }}"
        env:
          SLACK_WEBHOOK_SECRET: '@2@'
          CONFIG: ${{ vars.APP_CONFIG }}
          GH_TOKEN: ${{ secrets.GITHUB_TOKEN }}
          RELEASE_TOKEN: ${{ github.token }}
          UPLOAD_TOKEN: ${{ secrets.github_token }}
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}
          aws-secret-access-key: "@3@"
          aws-region: eu-west-1
)",
       {{"jobs.build.env.DB_PASSWORD", 1},
        {"jobs.build.steps[1].env.SLACK_WEBHOOK_SECRET", 2},
        {"jobs.build.steps[2].with.aws-secret-access-key", 3}},
       {{"API_TOKEN", "jobs.build.env.API_TOKEN", "secrets.API_TOKEN"},
        {"DEPLOY_KEY", "jobs.build.steps[1].run", "secrets.DEPLOY_KEY"},
        {"AWS_ACCESS_KEY_ID", "jobs.build.steps[2].with.aws-access-key-id",
         "secrets.AWS_ACCESS_KEY_ID"}},
       {"jobs.build.steps[2].with.aws-access-key-id"},
       "build"},
      {"tools/release/action.yml",
       "github-actions",
       R"(name: release
inputs:
  token:
    description: GitHub token
    default: ${{ github.token }}
runs:
  using: composite
  steps:
    - run: ./publish.sh
      shell: bash
      env:
        NPM_TOKEN: @1@
)",
       {{"runs.steps[0].env.NPM_TOKEN", 1}},
       {},
       {},
       ""},
      {".gitlab-ci.yml",
       "gitlab-ci",
       R"(variables:
  DOCKER_PASSWORD: @1@
  DEPLOY_TOKEN:
    value: "@2@"
    description: deploy token
stages: [build]
.defaults: &defaults
  image: alpine
build:
  <<: *defaults
  stage: build
  variables:
    DB_PASSWORD: $PROD_DB_PASSWORD
  script:
    - echo "$CI_JOB_TOKEN" | docker login -u bot --password-stdin
    - 'curl -H "PRIVATE-TOKEN: ${API_ACCESS_TOKEN}" https://gitlab.example.com'
    - export SENTRY_AUTH_TOKEN=@3@
)",
       {{"variables.DOCKER_PASSWORD", 1},
        {"variables.DEPLOY_TOKEN.value", 2},
        {"build.script[2]", 3}},
       {{"PROD_DB_PASSWORD", "build.variables.DB_PASSWORD", "$PROD_DB"},
        {"API_ACCESS_TOKEN", "build.script[1]", "API_ACCESS_TOKEN"}},
       {},
       ""},
      {"ci/deploy.gitlab-ci.yml",
       "gitlab-ci",
       R"(deploy:
  script:
    - ./deploy.sh
  variables:
    HEROKU_API_KEY: @1@
)",
       {{"deploy.variables.HEROKU_API_KEY", 1}},
       {},
       {},
       "deploy"},
      {".circleci/config.yml",
       "circleci",
       R"(version: 2.1
jobs:
  test:
    docker:
      - image: cimg/node:20.0
        auth:
          username: bot
          password: @1@
    environment:
      STRIPE_SECRET_KEY: $STRIPE_TEST_KEY
    steps:
      - run: npm publish --token ${NPM_PUBLISH_TOKEN}
workflows:
  main:
    jobs: [test]
)",
       {{"jobs.test.docker[0].auth.password", 1}},
       {{"STRIPE_TEST_KEY", "jobs.test.environment.STRIPE_SECRET_KEY",
         "STRIPE_TEST_KEY"},
        {"NPM_PUBLISH_TOKEN", "jobs.test.steps[0].run", "NPM_PUBLISH"}},
       {},
       "test"},
      {"azure-pipelines.yml",
       "azure-pipelines",
       R"(trigger: [main]
variables:
  - name: API_SECRET
    value: @1@
  - group: prod
jobs:
  - job: Build
    steps:
      - script: ./deploy.sh --token $(deployToken)
        env:
          SONAR_TOKEN: $(SonarToken)
          BUILD_NUMBER: $(Build.BuildId)
          SIGNING_PASSWORD: '@2@'
)",
       {{"variables[0].value", 1},
        {"jobs[0].steps[0].env.SIGNING_PASSWORD", 2}},
       {{"deployToken", "jobs[0].steps[0].script", "deployToken"},
        {"SonarToken", "jobs[0].steps[0].env.SONAR_TOKEN", "SonarToken"}},
       {},
       ""},
      {"bitbucket-pipelines.yml",
       "bitbucket-pipelines",
       R"(pipelines:
  default:
    - step:
        name: deploy
        script:
          - pipe: atlassian/aws-s3-deploy:1.1.0
            variables:
              AWS_SECRET_ACCESS_KEY: $AWS_SECRET
              S3_BUCKET: my-bucket
          - HEROKU_API_KEY=@1@ ./release.sh
)",
       {{"pipelines.default[0].step.script[1]", 1}},
       {{"AWS_SECRET",
         "pipelines.default[0].step.script[0].variables.AWS_SECRET_ACCESS_KEY",
         "$AWS_SECRET"}},
       {},
       ""},
      {".travis.yml",
       "travis-ci",
       R"(language: python
env:
  global:
    - SECRET_TOKEN=@1@
    - secure: "Zm9vYmFyYmF6cXV4Cg=="
    - PUBLIC_FLAG=enabled
deploy:
  provider: pypi
  password: $PYPI_PASSWORD
)",
       {{"env.global[0]", 1}},
       {{"PYPI_PASSWORD", "deploy.password", "PYPI_PASSWORD"}},
       {},
       ""},
      {".buildkite/pipeline.yml",
       "buildkite",
       R"(steps:
  - label: "deploy"
    command: ./deploy.sh
    env:
      DATADOG_API_KEY: @1@
      GITHUB_TOKEN: $GH_RELEASE_TOKEN
)",
       {{"steps[0].env.DATADOG_API_KEY", 1}},
       {{"GH_RELEASE_TOKEN", "steps[0].env.GITHUB_TOKEN", "GH_RELEASE"}},
       {},
       "deploy"},
      {".drone.yml",
       "drone",
       R"(kind: pipeline
type: docker
name: default
steps:
  - name: publish
    image: plugins/docker
    settings:
      username: bot
      password:
        from_secret: docker_password
    environment:
      SLACK_TOKEN: @1@
---
kind: secret
name: docker_password
)",
       {{"steps[0].environment.SLACK_TOKEN", 1}},
       {{"docker_password", "steps[0].settings.password.from_secret",
         "from_secret"}},
       {},
       "publish"},
      {".woodpecker/build.yml",
       "woodpecker",
       R"(steps:
  build:
    image: golang
    environment:
      REGISTRY_PASSWORD:
        from_secret: registry_pw
      CODECOV_TOKEN: @1@
    commands:
      - go build ./...
)",
       {{"steps.build.environment.CODECOV_TOKEN", 1}},
       {{"registry_pw", "steps.build.environment.REGISTRY_PASSWORD.from_secret",
         "registry_pw"}},
       {},
       ""},
      {".tekton/push.yaml",
       "tekton",
       R"(apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: build
spec:
  steps:
    - name: push
      image: alpine
      env:
        - name: REGISTRY_TOKEN
          value: @1@
        - name: GIT_PASSWORD
          valueFrom:
            secretKeyRef:
              name: git-credentials
              key: password
)",
       {{"spec.steps[0].env[0].value", 1}},
       {{"git-credentials", "spec.steps[0].env[1].valueFrom.secretKeyRef",
         "git-credentials"}},
       {},
       "push"},
      {"workflows/ci.yaml",
       "argo-workflows",
       R"(apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: ci-
spec:
  entrypoint: main
  templates:
    - name: main
      container:
        image: alpine
        env:
          - name: SLACK_BOT_TOKEN
            value: "@1@"
)",
       {{"spec.templates[0].container.env[0].value", 1}},
       {},
       {},
       "main"},
      {"Jenkinsfile",
       "jenkins",
       R"(pipeline {
  agent any
  environment {
    AWS_CREDS = credentials('aws-prod')
    SONAR_TOKEN = '@1@'
    APP_NAME = 'billing-service-prod'
  }
  stages {
    stage('Deploy') {
      steps {
        withCredentials([string(credentialsId: 'openai-key', variable: 'OPENAI_API_KEY'),
                         usernamePassword(credentialsId: 'db-creds', usernameVariable: 'DB_USER', passwordVariable: 'DB_PASS')]) {
          sh './deploy.sh'
        }
      }
    }
  }
}
)",
       {{"pipeline.environment.SONAR_TOKEN", 1}},
       {{"aws-prod", "pipeline.environment.AWS_CREDS", "aws-prod"},
        {"openai-key",
         "pipeline.stages.stage(Deploy).steps.withCredentials.OPENAI_API_KEY",
         "openai-key"},
        {"db-creds",
         "pipeline.stages.stage(Deploy).steps.withCredentials.DB_PASS",
         "db-creds"}},
       {},
       ""},
  };
  return cases;
}

TEST_SUITE("pipelines") {
  TEST_CASE(
      "pipeline files are recognised by path, Tekton and Argo by content") {
    struct Row {
      const char* path;
      const char* head;
      const char* system;
    };
    const Row rows[] = {
        {".github/workflows/ci.yml", "", "github-actions"},
        {"svc/.github/workflows/deploy.yaml", "", "github-actions"},
        {"action.yml", "", "github-actions"},
        {"actions/setup/action.yaml", "", "github-actions"},
        {".gitlab-ci.yml", "", "gitlab-ci"},
        {"ci/templates/build.gitlab-ci.yml", "", "gitlab-ci"},
        {".circleci/config.yml", "", "circleci"},
        {"azure-pipelines.yml", "", "azure-pipelines"},
        {"bitbucket-pipelines.yml", "", "bitbucket-pipelines"},
        {".travis.yml", "", "travis-ci"},
        {".buildkite/pipeline.yml", "", "buildkite"},
        {".drone.yml", "", "drone"},
        {".woodpecker.yml", "", "woodpecker"},
        {".woodpecker/test.yaml", "", "woodpecker"},
        {".tekton/pipeline.yaml", "", "tekton"},
        {"deploy/task.yaml", "apiVersion: tekton.dev/v1beta1\nkind: Task\n",
         "tekton"},
        {"wf/ci.yml", "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\n",
         "argo-workflows"},
        {"Jenkinsfile", "", "jenkins"},
        {"ci/Jenkinsfile.release", "", "jenkins"},
        // Not pipelines.
        {"config.yml", "", ""},
        {".github/dependabot.yml", "", ""},
        {"docs/workflows/ci.yml", "", ""},
        {"k8s/deploy.yaml", "apiVersion: apps/v1\nkind: Deployment\n", ""},
        {"wf/ci.json", "apiVersion: argoproj.io/v1alpha1\n", ""},
        {"src/main.py", "", ""},
    };
    for (const Row& r : rows) {
      CAPTURE(r.path);
      CHECK(PipelineSystemFor(r.path, r.head) == r.system);
    }
  }

  TEST_CASE(
      "issue 16: configuration variables and the platform's own run tokens "
      "are no references; secret stores are") {
    struct Row {
      std::string path, system, text;
      std::vector<std::string> names;  // references expected, in order
    };
    const std::vector<Row> rows = {
        {".github/workflows/a.yml", "github-actions",
         "on: push\njobs:\n  b:\n    runs-on: x\n    env:\n"
         "      CONFIG: ${{ vars.APP_CONFIG }}\n"
         "      GH_TOKEN: ${{ secrets.GITHUB_TOKEN }}\n"
         "      OTHER_TOKEN: ${{ github.token }}\n"
         "      LOWER_TOKEN: ${{ secrets.github_token }}\n"
         "      DEPLOY_TOKEN: ${{ secrets.DEPLOY_TOKEN }}\n"
         "    steps:\n      - if: vars.ENABLED && secrets.SLACK_HOOK\n"
         "        run: echo ${{ vars.REGION }}\n",
         {"DEPLOY_TOKEN", "SLACK_HOOK"}},
        {".gitlab-ci.yml", "gitlab-ci",
         "build:\n  variables:\n    REGISTRY_TOKEN: $CI_JOB_TOKEN\n"
         "    NPM_TOKEN: $NPM_TOKEN\n  script:\n"
         "    - docker login -p $CI_REGISTRY_PASSWORD -u x\n",
         {"NPM_TOKEN"}},
    };
    for (const Row& r : rows) {
      CAPTURE(r.path);
      const PipelineAnalysis a = AnalyzePipeline(r.path, r.text, r.system);
      std::vector<std::string> got;
      for (const auto& ref : a.references) got.push_back(ref.name);
      CHECK(got == r.names);
    }
  }

  TEST_CASE(
      "every system: literals with exact key path, line and column, "
      "references listed, none reported as a secret") {
    for (const SystemCase& c : Cases()) {
      CAPTURE(c.path);
      const std::string text = Fill(c.text);
      REQUIRE(PipelineSystemFor(c.path, text) == c.system);
      const PipelineAnalysis a = AnalyzePipeline(c.path, text, c.system);
      CHECK(a.diagnostics.empty());
      std::string got_paths;
      for (const auto& l : a.literal_secrets) got_paths += l.key_path + " ";
      CAPTURE(got_paths);
      REQUIRE(a.literal_secrets.size() == c.literals.size());
      for (std::size_t i = 0; i < c.literals.size(); ++i) {
        const PipelineLiteral& got = a.literal_secrets[i];
        const std::string want =
            Secret(static_cast<uint64_t>(c.literals[i].secret));
        const std::size_t at = text.find(want);
        CAPTURE(got.key_path);
        CHECK(got.key_path == c.literals[i].key_path);
        CHECK(got.value == want);
        CHECK(got.line == LineAt(text, at));
        CHECK(got.column == ColumnAt(text, at));
      }
      if (!c.job.empty()) CHECK(a.literal_secrets.at(0).job == c.job);
      REQUIRE(a.references.size() == c.references.size());
      for (std::size_t i = 0; i < c.references.size(); ++i) {
        const PipelineReference& got = a.references[i];
        CAPTURE(got.name);
        CHECK(got.system == c.system);
        CHECK(got.path == c.path);
        CHECK(got.name == c.references[i].name);
        CHECK(got.key_path == c.references[i].key_path);
        CHECK(got.line == LineAt(text, text.find(c.references[i].needle)));
        for (const auto& l : a.literal_secrets) CHECK(l.value != got.name);
      }
      REQUIRE(a.findings.size() == c.finding_key_paths.size());
      for (std::size_t i = 0; i < a.findings.size(); ++i) {
        CHECK(a.findings[i].kind == "static-cloud-key-in-login-action");
        CHECK(a.findings[i].key_path == c.finding_key_paths[i]);
        CHECK(
            a.findings[i].line ==
            LineAt(text, text.find(c.finding_key_paths[i].substr(
                                       c.finding_key_paths[i].rfind('.') + 1) +
                                   ":")));
      }
    }
  }

  TEST_CASE(
      "empty values, placeholders, references and non-secret names are "
      "not literal secrets") {
    const std::string text = R"(jobs:
  build:
    runs-on: ubuntu-latest
    permissions:
      id-token: write
    env:
      A_TOKEN: ""
      B_TOKEN: your-token-here
      C_PASSWORD: ${{ secrets.C_PASSWORD }}
      D_SECRET: true
      E_API_KEY: 12345678901
      F_PASSWORD: changeme
      G_TOKEN: <token>
      H_SECRET: $OTHER_VALUE
      I_SECRET_NAME: prod-db-secret
      J_TOKEN: xxxxxxxxxxxxxxxx
      TOKEN_URL: https://example.com/oauth/token
      K_PASSWORD: ~
      L_PASSWORD_FILE: /run/secrets/db
      M_TOKEN: ${{ secrets.M || 'fallback-value' }}
      CACHE_KEY: linux-node-3a9f0c2e71b4d5e6
      APP_NAME: billing-service-prod
    steps:
      - uses: actions/cache@v4
        with:
          key: ${{ runner.os }}-node-${{ hashFiles('**/package-lock.json') }}
      - run: |
          if [ "$DEPLOY_TOKEN" == "" ]; then exit 1; fi
          export PASSWORD=$DB_PASSWORD
)";
    const PipelineAnalysis a =
        AnalyzePipeline(".github/workflows/x.yml", text, "github-actions");
    CHECK(a.diagnostics.empty());
    std::string got_paths;
    for (const auto& l : a.literal_secrets) got_paths += l.key_path + " ";
    CAPTURE(got_paths);
    CHECK(a.literal_secrets.empty());
    REQUIRE(a.references.size() == 2);
    CHECK(a.references[0].name == "C_PASSWORD");
    CHECK(a.references[1].name == "M");
  }

  TEST_CASE(
      "anchors, aliases, merge keys and matrix builds keep key paths "
      "and lines of where the value is written") {
    const std::string text = Fill(R"(x-env: &env
  SHARED_TOKEN: @1@
jobs:
  a:
    env: *env
    strategy:
      matrix:
        include:
          - target: x86
            SIGNING_KEY: @2@3x
  b:
    env:
      <<: *env
      OWN_SECRET: ${{ secrets.OWN }}
)");
    const PipelineAnalysis a =
        AnalyzePipeline(".github/workflows/m.yml", text, "github-actions");
    CHECK(a.diagnostics.empty());
    REQUIRE(a.literal_secrets.size() == 2);
    CHECK(a.literal_secrets[0].key_path == "x-env.SHARED_TOKEN");
    CHECK(a.literal_secrets[0].line == 2);
    CHECK(a.literal_secrets[1].key_path ==
          "jobs.a.strategy.matrix.include[0].SIGNING_KEY");
    CHECK(a.literal_secrets[1].line == 10);
    CHECK(a.literal_secrets[1].job == "a");
    REQUIRE(a.references.size() == 1);
    CHECK(a.references[0].key_path == "jobs.b.env.OWN_SECRET");
    CHECK(a.references[0].line == 14);
  }

  TEST_CASE("multi-document YAML: every document is analysed") {
    const std::string text = Fill(R"(apiVersion: tekton.dev/v1
kind: Task
spec:
  steps:
    - name: a
      env:
        - name: FIRST_TOKEN
          value: @1@
---
apiVersion: tekton.dev/v1
kind: Task
spec:
  steps:
    - name: b
      env:
        - name: SECOND_TOKEN
          value: @2@
)");
    const PipelineAnalysis a =
        AnalyzePipeline(".tekton/t.yaml", text, "tekton");
    REQUIRE(a.literal_secrets.size() == 2);
    CHECK(a.literal_secrets[0].line == 8);
    CHECK(a.literal_secrets[0].job == "a");
    CHECK(a.literal_secrets[1].line == 17);
    CHECK(a.literal_secrets[1].name == "SECOND_TOKEN");
  }

  TEST_CASE("login actions given static keys are flagged; OIDC is not") {
    struct Row {
      const char* step;
      const char* key_path;  // "" = no finding
    };
    const Row rows[] = {
        {"uses: aws-actions/configure-aws-credentials@v4\n        with:\n"
         "          aws-access-key-id: ${{ secrets.ID }}\n"
         "          aws-secret-access-key: ${{ secrets.KEY }}",
         "jobs.d.steps[0].with.aws-access-key-id"},
        {"uses: aws-actions/configure-aws-credentials@v4\n        with:\n"
         "          role-to-assume: arn:aws:iam::123456789012:role/deploy",
         ""},
        {"uses: google-github-actions/auth@v2\n        with:\n"
         "          credentials_json: ${{ secrets.GCP_SA_KEY }}",
         "jobs.d.steps[0].with.credentials_json"},
        {"uses: google-github-actions/auth@v2\n        with:\n"
         "          workload_identity_provider: projects/1/locations/global",
         ""},
        {"uses: Azure/login@v2\n        with:\n"
         "          creds: ${{ secrets.AZURE_CREDENTIALS }}",
         "jobs.d.steps[0].with.creds"},
        {"uses: azure/login@v2\n        with:\n"
         "          client-id: ${{ secrets.AZURE_CLIENT_ID }}",
         ""},
    };
    for (const Row& r : rows) {
      CAPTURE(r.step);
      const std::string text =
          std::string("jobs:\n  d:\n    steps:\n      - ") + r.step + "\n";
      const PipelineAnalysis a =
          AnalyzePipeline(".github/workflows/d.yml", text, "github-actions");
      if (*r.key_path == '\0') {
        CHECK(a.findings.empty());
      } else {
        REQUIRE(a.findings.size() == 1);
        CHECK(a.findings[0].key_path == r.key_path);
        CHECK(a.findings[0].line == 6);
        CHECK(a.findings[0].message.find("OIDC") != std::string::npos);
      }
    }
  }

  TEST_CASE("malformed YAML is a diagnostic with its line, never a crash") {
    const char* bad[] = {
        "jobs:\n\tbuild:\n\t\truns-on: x\n",  // tabs
        "jobs:\n  a: *missing\n",             // unknown anchor
        "jobs: [a, b\n",                      // unclosed flow
        "a: b: c\n",                          // nested plain map
        "a:\n  b: 1\n c: 2\n",                // bad indentation
    };
    for (const std::string text : bad) {
      CAPTURE(text);
      const PipelineAnalysis a =
          AnalyzePipeline(".github/workflows/bad.yml", text, "github-actions");
      REQUIRE(a.diagnostics.size() >= 1);
      CHECK(a.diagnostics[0].find("line ") != std::string::npos);
      CHECK_FALSE(a.parsed);
    }
    const PipelineAnalysis dup = AnalyzePipeline(
        ".gitlab-ci.yml", "build:\n  script: [a]\nbuild:\n  script: [b]\n",
        "gitlab-ci");
    REQUIRE(dup.diagnostics.size() == 1);
    CHECK(dup.diagnostics[0].find("line 3") != std::string::npos);
    CHECK(dup.diagnostics[0].find("duplicate key 'build'") !=
          std::string::npos);
  }

  TEST_CASE("alias bombs, deep nesting and oversized files stay bounded") {
    // Billion laughs: 9 levels of 9 aliases (9^9 leaves if expanded).
    std::string bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n";
    for (int i = 1; i <= 9; ++i) {
      const std::string prev = "*a" + std::to_string(i - 1);
      bomb += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
      for (int j = 0; j < 9; ++j) bomb += (j ? ", " : "") + prev;
      bomb += "]\n";
    }
    const auto start = std::chrono::steady_clock::now();
    const PipelineAnalysis a =
        AnalyzePipeline(".github/workflows/bomb.yml", bomb, "github-actions");
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
    CHECK(a.parsed);

    PipelineLimits tight;
    tight.max_nodes = 100;  // over the walk, not the pre-parse estimate
    const PipelineAnalysis capped = AnalyzePipeline(
        ".github/workflows/bomb.yml", bomb, "github-actions", tight);
    REQUIRE_FALSE(capped.diagnostics.empty());
    CHECK(capped.diagnostics[0].find("nodes") != std::string::npos);

    const std::string deep =
        std::string(100000, '[') + std::string(100000, ']');
    const PipelineAnalysis d =
        AnalyzePipeline(".github/workflows/deep.yml", deep, "github-actions");
    CHECK_FALSE(d.diagnostics.empty());

    std::string nested = "a:\n";
    for (int i = 1; i < 150; ++i) {
      nested += std::string(static_cast<std::size_t>(2 * i), ' ') + "k" +
                std::to_string(i) + ":\n";
    }
    const PipelineAnalysis n =
        AnalyzePipeline(".github/workflows/n.yml", nested, "github-actions");
    REQUIRE_FALSE(n.diagnostics.empty());
    CHECK(n.diagnostics[0].find("nested deeper") != std::string::npos);

    PipelineLimits small;
    small.max_bytes = 16;
    const PipelineAnalysis big = AnalyzePipeline(
        ".github/workflows/b.yml", "jobs:\n  a:\n    runs-on: x\n",
        "github-actions", small);
    REQUIRE(big.diagnostics.size() == 1);
    CHECK(big.diagnostics[0].find("not parsed") != std::string::npos);
  }

  // Built-in rules plus pipeline.literal-secret, as the CLI builds them.
  const Matcher& FullMatcher() {
    static const std::unique_ptr<Matcher> matcher = [] {
      auto rules = LoadBuiltinRules();
      REQUIRE_MESSAGE(rules.ok(), rules.error().message);
      rules->push_back(PipelineLiteralSecretRule());
      Diagnostics quiet(nullptr);
      auto m =
          Matcher::Build(std::move(rules).value(), MatcherOptions{}, &quiet);
      REQUIRE_MESSAGE(m.ok(), m.error().message);
      return std::move(m).value();
    }();
    return *matcher;
  }

  const std::string& RuleId(const Finding& f) {
    return FullMatcher().rules()[f.rule].id;
  }

  DirScanResult ScanTree(const TempDir& dir, Diagnostics* diagnostics,
                         int threads = 2) {
    DirScanOptions options;
    options.roots = {dir.path()};
    options.threads = threads;
    auto r = ScanDirectories(options, FullMatcher(), diagnostics);
    REQUIRE(r.ok());
    return std::move(r).value();
  }

  TEST_CASE(
      "sprawl dir: rule findings in a workflow carry the pipeline "
      "context; literals and references are reported") {
    TempDir dir;
    const std::string key = OpenAiKey(7);
    const std::string text = Fill(
        "name: ci\non: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n"
        "    env:\n      OPENAI_API_KEY: " +
        key +
        "\n      DB_PASSWORD: @1@\n    steps:\n      - run: make\n"
        "        env:\n          OPENAI_API_KEY: ${{ secrets.OPENAI_API_KEY "
        "}}\n");
    WriteFile(dir.Sub(".github/workflows/ci.yml"), text);
    WriteFile(dir.Sub("src/app.py"), "TOKEN = '" + Secret(2) + "'\n");
    Diagnostics diagnostics(nullptr);
    const DirScanResult r = ScanTree(dir, &diagnostics);
    CHECK(diagnostics.warnings() == 0);
    const Finding* openai = nullptr;
    const Finding* literal = nullptr;
    for (const Finding& f : r.findings) {
      if (f.secret == key && RuleId(f) == "openai.project-key") openai = &f;
      if (RuleId(f) == "pipeline.literal-secret" && f.secret == Secret(1)) {
        literal = &f;
      }
      if (f.location.path == "src/app.py") CHECK_FALSE(f.location.pipeline);
    }
    REQUIRE(openai != nullptr);
    REQUIRE(openai->location.pipeline);
    CHECK(openai->location.pipeline->system == "github-actions");
    CHECK(openai->location.pipeline->key_path ==
          "jobs.build.env.OPENAI_API_KEY");
    CHECK(openai->location.pipeline->job == "build");
    CHECK(openai->location.line == 7);
    CHECK(openai->location.column == 23);
    REQUIRE(literal != nullptr);
    CHECK(literal->location.line == 8);
    CHECK(literal->location.column == 20);
    CHECK(literal->location.pipeline->key_path == "jobs.build.env.DB_PASSWORD");
    REQUIRE(r.references.size() == 1);
    CHECK(r.references[0].name == "OPENAI_API_KEY");
    CHECK(r.references[0].key_path == "jobs.build.steps[0].env.OPENAI_API_KEY");
    CHECK(r.references[0].line == 12);
    for (const Finding& f : r.findings) {
      CHECK(f.secret.find("secrets.") == std::string::npos);
    }
  }

  TEST_CASE(
      "sprawl dir: malformed or huge pipeline files are diagnostics and "
      "still scanned as text") {
    TempDir dir;
    const std::string key = OpenAiKey(11);
    WriteFile(dir.Sub(".github/workflows/tabs.yml"),
              "jobs:\n\tbuild:\n\t\tenv:\n\t\t\tKEY: " + key + "\n");
    WriteFile(dir.Sub(".gitlab-ci.yml"),
              "build:\n  script: [a]\nbuild:\n  variables:\n    OPENAI: " +
                  OpenAiKey(12) + "\n");
    std::string big = "jobs:\n  a:\n    steps:\n";
    const std::string step = "      - run: echo padding padding padding\n";
    while (big.size() < 50000000) big += step;  // 50 MB
    big +=
        "      - run: curl -H 'Authorization: Bearer " + OpenAiKey(13) + "'\n";
    WriteFile(dir.Sub(".github/workflows/big.yml"), big);
    Diagnostics diagnostics(nullptr);
    const DirScanResult r = ScanTree(dir, &diagnostics);
    const std::string text = diagnostics.Text();
    CHECK(text.find(".github/workflows/tabs.yml") != std::string::npos);
    CHECK(text.find("malformed YAML at line 2") != std::string::npos);
    CHECK(text.find("duplicate key 'build'") != std::string::npos);
    CHECK(text.find(".github/workflows/big.yml") != std::string::npos);
    int found = 0;
    for (const Finding& f : r.findings) {
      if (f.secret == key) {
        ++found;
        CHECK(f.location.line == 4);
      }
      if (f.secret == OpenAiKey(12)) {
        ++found;
        REQUIRE(f.location.pipeline);
        CHECK(f.location.pipeline->key_path == "build.variables.OPENAI");
      }
      if (f.secret == OpenAiKey(13)) ++found;
    }
    CAPTURE(text);
    CHECK(found == 3);
  }

  TEST_CASE("sprawl dir: pipeline output is identical for 1 and 4 threads") {
    TempDir dir;
    for (int i = 0; i < 12; ++i) {
      WriteFile(
          dir.Sub("svc" + std::to_string(i) + "/.github/workflows/ci.yml"),
          "jobs:\n  a:\n    env:\n      X_TOKEN: ${{ secrets.T" +
              std::to_string(i) +
              " }}\n    steps:\n      - uses: "
              "azure/login@v2\n        with:\n          creds: x" +
              std::to_string(i) + "\n");
    }
    Diagnostics d1(nullptr), d4(nullptr);
    const DirScanResult one = ScanTree(dir, &d1, 1);
    const DirScanResult four = ScanTree(dir, &d4, 4);
    REQUIRE(one.references.size() == 12);
    REQUIRE(four.references.size() == 12);
    REQUIRE(one.pipeline_findings.size() == 12);
    for (std::size_t i = 0; i < 12; ++i) {
      CHECK(one.references[i].path == four.references[i].path);
      CHECK(one.references[i].name == four.references[i].name);
      CHECK(one.pipeline_findings[i].path == four.pipeline_findings[i].path);
    }
    CHECK(one.references[0].path < one.references[1].path);
  }

  TEST_CASE(
      "sprawl dir --format json: references, pipeline_findings and the "
      "location's pipeline object") {
    TempDir dir;
    TempDir cache;
    const std::string key = OpenAiKey(21);
    const std::string text =
        "name: deploy\non: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n"
        "    env:\n      OPENAI_API_KEY: " +
        key +
        "\n    steps:\n      - uses: aws-actions/configure-aws-credentials@v4\n"
        "        with:\n          aws-access-key-id: ${{ secrets.AWS_KEY_ID "
        "}}\n"
        "          aws-secret-access-key: ${{ secrets.AWS_SECRET }}\n"
        "      - run: ./deploy\n        env:\n"
        "          SLACK_TOKEN: " +
        Secret(3) + "\n";
    WriteFile(dir.Sub(".github/workflows/deploy.yml"), text);
    const auto r = testing::RunCommand(
        {SPRAWL_BINARY, "dir", dir.path(), "--format", "json"},
        {.env = {{"SPRAWL_CACHE_DIR", cache.path()}, {"NO_COLOR", "1"}}});
    CAPTURE(r.err);
    REQUIRE(r.exit_code == 1);
    const nlohmann::json j = nlohmann::json::parse(r.out);
    bool saw_openai = false;
    bool saw_literal = false;
    for (const auto& c : j["credentials"]) {
      for (const auto& l : c["locations"]) {
        if (c["rule"] == "openai.project-key") {
          saw_openai = true;
          CHECK(l["line"] == 7);
          CHECK(l["pipeline"]["system"] == "github-actions");
          CHECK(l["pipeline"]["key_path"] == "jobs.deploy.env.OPENAI_API_KEY");
        }
        if (c["rule"] == "pipeline.literal-secret") {
          saw_literal = true;
          CHECK(c["confidence"] == "medium");
          CHECK(l["line"] == 15);
          CHECK(l["pipeline"]["key_path"] ==
                "jobs.deploy.steps[1].env.SLACK_TOKEN");
        }
      }
    }
    CHECK(saw_openai);
    CHECK(saw_literal);
    REQUIRE(j["references"].size() == 2);
    CHECK(j["references"][0]["name"] == "AWS_KEY_ID");
    CHECK(j["references"][0]["system"] == "github-actions");
    CHECK(j["references"][0]["path"] == ".github/workflows/deploy.yml");
    CHECK(j["references"][0]["key_path"] ==
          "jobs.deploy.steps[0].with.aws-access-key-id");
    CHECK(j["references"][0]["status"] == "unregistered");
    CHECK(j["references"][1]["name"] == "AWS_SECRET");
    REQUIRE(j["pipeline_findings"].size() == 1);
    CHECK(j["pipeline_findings"][0]["kind"] ==
          "static-cloud-key-in-login-action");
    CHECK(j["pipeline_findings"][0]["line"] == 11);
    CHECK(j["pipeline_findings"][0]["key_path"] ==
          "jobs.deploy.steps[0].with.aws-access-key-id");
  }

}  // TEST_SUITE

}  // namespace
}  // namespace sprawl
