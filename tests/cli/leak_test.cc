// Secrets never leak from sprawl itself: synthetic secrets are planted in a
// tree, a git history (committed, deleted, staged), stdin, a pipeline file
// (also a malformed one) and a hand-written inventory; every scanning command
// runs with every format, to stdout and to --output, with --verbose, a
// private TMPDIR and rules cache; then every artefact (stdout, stderr, report
// files, cache, temporary files, the sweep datastore, a drafted inventory) is
// searched for the raw secret bytes. Only --show-secrets may print them.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tests/test_util.h"

namespace sprawl {
namespace {

namespace fs = std::filesystem;
using testing::CommandOptions;
using testing::CommandResult;
using testing::kAlnum;
using testing::RunCommand;
using testing::SyntheticGithubToken;
using testing::SyntheticToken;
using testing::TempDir;
using testing::WriteFile;

struct Planted {
  std::vector<std::string> secrets;  // raw bytes that must never appear
  std::string pem;
};

Planted MakeSecrets() {
  Planted p;
  p.secrets = {
      SyntheticGithubToken("ghp_", 501),               // work tree
      SyntheticToken("glpat-", testing::kUrlSafe, 20, 502),  // history only
      SyntheticToken("gsk_", kAlnum, 52, 503),               // staged
      SyntheticGithubToken("ghp_", 504),               // stdin
      SyntheticGithubToken("ghp_", 505),               // pipeline literal
      SyntheticGithubToken("ghp_", 506),  // malformed pipeline
      SyntheticGithubToken("ghp_", 507),  // pasted in inventory
  };
  p.pem = testing::SyntheticPem("RSA", 6, 508);
  // Every body line of the key is secret too.
  std::size_t at = p.pem.find('\n') + 1;
  while (at < p.pem.size()) {
    const std::size_t nl = p.pem.find('\n', at);
    if (nl == std::string::npos) break;
    p.secrets.push_back(p.pem.substr(at, nl - at));
    at = nl + 1;
  }
  return p;
}

void Git(const std::string& repo, const std::string& args) {
  const std::string cmd = "git -C '" + repo +
                          "' -c user.name=t -c user.email=t@example.com "
                          "-c commit.gpgsign=false " +
                          args + " >/dev/null 2>&1";
  REQUIRE_MESSAGE(std::system(cmd.c_str()) == 0, cmd);
}

// Every regular file under `dir`, read whole, with its path.
std::vector<std::pair<std::string, std::string>> Artefacts(
    const std::string& dir) {
  std::vector<std::pair<std::string, std::string>> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec)) {
      out.emplace_back(it->path().string(), testing::ReadFile(it->path()));
    }
  }
  return out;
}

// Fails naming the artefact and secret when any secret occurs in `text`.
void CheckClean(const Planted& p, const std::string& what,
                const std::string& text) {
  for (const auto& s : p.secrets) {
    if (text.find(s) != std::string::npos) {
      FAIL_CHECK("raw secret " << s.substr(0, 4) << "... leaked into " << what);
    }
  }
}

TEST_SUITE("leak") {
  TEST_CASE(
      "no raw secret reaches stdout, stderr, report files, the cache, "
      "temporary files or the datastore without --show-secrets") {
    const Planted p = MakeSecrets();
    const auto& s = p.secrets;
    TempDir work;      // inputs
    TempDir private_;  // everything sprawl may write: TMPDIR, cache, outputs
    const std::string tree = work.Sub("root/tree");
    const std::string repo = work.Sub("root/repo");
    WriteFile(tree + "/app/.env", "GITHUB_TOKEN=" + s[0] + "\n");
    WriteFile(tree + "/keys/id_rsa", p.pem + "\n");
    WriteFile(tree + "/.github/workflows/deploy.yml",
              "on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n"
              "    env:\n      DEPLOY_TOKEN: " +
                  s[4] + "\n    steps:\n      - run: make deploy\n");
    WriteFile(tree + "/.gitlab-ci.yml",
              "deploy:\n  variables: {API_TOKEN: " + s[5] +
                  "\n  script: [\"curl -H 'x: " + s[5] + "'\"\n  - : ]: {\n");
    fs::create_directories(repo);
    Git(repo, "init -q");
    WriteFile(repo + "/.env", "GITLAB_TOKEN=" + s[1] + "\n");
    WriteFile(repo + "/README", "nothing\n");
    Git(repo, "add -A");
    Git(repo, "commit -q -m one");
    fs::remove(repo + "/.env");
    Git(repo, "add -A");
    Git(repo, "commit -q -m two");
    WriteFile(repo + "/groq.py", "GROQ_API_KEY = '" + s[2] + "'\n");
    Git(repo, "add groq.py");
    // An inventory where someone pasted the raw secret for a fingerprint.
    const std::string bad_inventory = work.Sub("bad-inventory.yaml");
    WriteFile(bad_inventory,
              "version: 1\ncredentials:\n  - id: x\n    provider: github\n"
              "    fingerprints: [" +
                  s[6] + "]\n    owner: a@example.com\n");

    const std::string tmp = private_.Sub("tmp");
    const std::string cache = private_.Sub("cache");
    const std::string outdir = private_.Sub("out");
    fs::create_directories(tmp);
    fs::create_directories(outdir);
    CommandOptions o;
    o.env["TMPDIR"] = tmp;
    o.env["SPRAWL_CACHE_DIR"] = cache;
    o.env["XDG_CACHE_HOME"] = private_.Sub("xdg");
    o.env["HOME"] = private_.Sub("home");
    o.timeout_seconds = 120;

    int runs = 0;
    auto run = [&](std::vector<std::string> args, const std::string& input,
                   bool must_hide = true) {
      args.insert(args.begin(), SPRAWL_BINARY);
      CommandOptions oo = o;
      oo.stdin_data = input;
      const CommandResult r = RunCommand(args, oo);
      std::string line;
      for (const auto& a : args) line += a + " ";
      CAPTURE(line);
      CAPTURE(r.err.substr(0, 1000));
      CHECK(r.exit_code >= 0);
      CHECK(r.exit_code <= 2);
      if (must_hide) {
        CheckClean(p, "stdout of " + line, r.out);
        CheckClean(p, "stderr of " + line, r.err);
      }
      ++runs;
      return r;
    };

    const std::vector<std::string> formats = {
        "text", "json", "jsonl", "sarif", "csv", "markdown", "junit", "github"};
    for (const auto& format : formats) {
      for (bool to_file : {false, true}) {
        const std::string out = outdir + "/" + format;
        auto with = [&](std::vector<std::string> args) {
          args.insert(args.end(), {"--format", format, "--verbose"});
          if (to_file) args.insert(args.end(), {"--output", out});
          return args;
        };
        run(with({"dir", tree}), "");
        run(with({"git", repo}), "");
        run(with({"git", repo, "--staged"}), "");
        run(with({"stdin", "--path", "in.env"}),
            "export GITHUB_TOKEN=" + s[3] + "\n");
      }
    }
    run({"inventory", "init", tree, "--output", outdir + "/draft.yaml"}, "");
    run({"inventory", "lint", bad_inventory}, "");
    run({"dir", tree, "--inventory", bad_inventory}, "");
    run({"sweep", "--root", work.Sub("root"), "--datastore",
         outdir + "/sweep.db", "--format", "json", "--verbose"},
        "");
    for (const auto& format : formats) {
      run({"report", "--datastore", outdir + "/sweep.db", "--format", format},
          "");
    }
    MESSAGE(runs << " runs");

    const auto files = Artefacts(private_.path());
    CHECK(files.size() > formats.size());
    for (const auto& [path, content] : files) CheckClean(p, path, content);

    // The search itself works: --show-secrets prints them.
    const auto shown =
        run({"dir", tree, "--format", "json", "--show-secrets"}, "", false);
    CHECK(shown.out.find(s[0]) != std::string::npos);
  }
}

}  // namespace
}  // namespace sprawl
