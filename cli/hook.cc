#include "cli/hook.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <vector>

#include "cli/app.h"
#include "cli/common.h"

extern char** environ;

namespace sprawl {
namespace {

namespace fs = std::filesystem;

struct Captured {
  int exit_code = -1;
  std::string out;
};

// Runs argv (PATH lookup) with stdout captured and stderr discarded; no
// shell is involved, so paths with spaces or quotes are safe.
Result<Captured> RunCapture(const std::vector<std::string>& argv) {
  int fds[2];
  if (::pipe(fds) != 0) return Error{std::string("pipe: ") + strerror(errno)};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  posix_spawn_file_actions_addclose(&actions, fds[1]);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null",
                                   O_WRONLY, 0);
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int rc =
      posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  if (rc != 0) {
    ::close(fds[0]);
    return Error{"cannot run " + argv[0] + ": " + strerror(rc)};
  }
  Captured c;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n > 0) {
      c.out.append(buf, static_cast<std::size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  c.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
  return c;
}

std::string FirstLine(const std::string& s) {
  return s.substr(0, s.find('\n'));
}

// The directory git runs hooks from, for the work tree holding `repo`.
Result<fs::path> HooksDir(const std::string& repo) {
  auto top = RunCapture({"git", "-C", repo, "rev-parse", "--show-toplevel"});
  if (!top.ok()) return top.error();
  if (top->exit_code != 0 || FirstLine(top->out).empty()) {
    return Error{repo +
                 ": not inside a git work tree (a pre-commit hook needs one)"};
  }
  const fs::path root = FirstLine(top->out);
  auto hooks = RunCapture(
      {"git", "-C", root.string(), "rev-parse", "--git-path", "hooks"});
  if (!hooks.ok()) return hooks.error();
  if (hooks->exit_code != 0 || FirstLine(hooks->out).empty()) {
    return Error{root.string() + ": git cannot tell where hooks live"};
  }
  fs::path dir = FirstLine(hooks->out);
  if (dir.is_relative()) dir = root / dir;  // relative to the work tree
  return dir.lexically_normal();
}

std::string ShellQuote(const std::string& s) {
  std::string q = "'";
  for (char c : s) {
    if (c == '\'') {
      q += "'\\''";
    } else {
      q += c;
    }
  }
  return q + "'";
}

std::string SelfPath() {
  std::error_code ec;
  fs::path p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : p.string();
}

}  // namespace

std::string PreCommitHookScript(const std::string& sprawl_path) {
  std::string s = R"SH(#!/bin/sh
# sprawl pre-commit hook, installed by `sprawl hook install`.
# Blocks a commit whose staged changes add a credential that fails the
# policy (by default: unregistered, unowned, expired, revoked, misplaced).
# Reinstall with `sprawl hook install --force`; skip once with
# `git commit --no-verify` (not recommended).
SPRAWL=)SH";
  s += sprawl_path.empty() ? "\"${SPRAWL:-sprawl}\"" : ShellQuote(sprawl_path);
  s += R"SH(
if [ ! -x "$SPRAWL" ]; then
  SPRAWL=$(command -v "$SPRAWL" 2>/dev/null || command -v sprawl 2>/dev/null) || SPRAWL=
fi
if [ -z "$SPRAWL" ]; then
  echo "sprawl pre-commit: the sprawl binary was not found (installed path gone, none on PATH); commit blocked." >&2
  echo "  Install sprawl and run 'sprawl hook install --force', or skip once with: git commit --no-verify" >&2
  exit 1
fi

report=$("$SPRAWL" git --staged --format text)
status=$?
[ -n "$report" ] && printf '%s\n' "$report"

case $status in
0)
  if printf '%s\n' "$report" | grep -q '^Nothing was scanned\.$'; then
    echo "sprawl pre-commit: nothing was scanned (no staged text change differs from HEAD); no credential check was made."
  else
    blobs=$(printf '%s\n' "$report" | sed -n 's/.*; scanned \([0-9][0-9]*\) blob.*/\1/p' | tail -n 1)
    echo "sprawl pre-commit: ok, ${blobs:-the} staged blob(s) scanned; no credential fails the policy."
  fi
  exit 0
  ;;
1)
  {
    echo
    echo "sprawl pre-commit: COMMIT BLOCKED. These staged lines hold a credential that fails the policy:"
    printf '%s\n' "$report" | awk '
      /^FAIL /  { fail = 1; what = $2 " " $3; next }
      /^warn /  { fail = 0; next }
      fail && /\[index\]/ { line = $0; sub(/^ +/, "", line); sub(/  \[index\].*/, "", line); print "  " line "  (" what ")" }'
    echo
    echo "To go on, do one of:"
    echo "  - remove the secret from the staged file(s), keep it in a secret manager or CI secret, and 'git add' again;"
    echo "  - register it with its owner: 'sprawl inventory init --output .sprawl/inventory.yaml' drafts (or extends)"
    echo "    the inventory; fill in the owner and commit the inventory;"
    echo "  - if it is a test or documentation value, add an 'allow:' entry (fingerprint, reason, owner, expires)"
    echo "    to the inventory."
    echo "Skip the check once (not recommended): git commit --no-verify"
  } >&2
  exit 1
  ;;
3)
  echo "sprawl pre-commit: not every staged change could be read (exit 3, incomplete scan; see the warnings above); commit blocked." >&2
  exit 1
  ;;
*)
  echo "sprawl pre-commit: sprawl could not check the staged changes (exit $status, see the error above); commit blocked." >&2
  exit 1
  ;;
esac
)SH";
  return s;
}

CLI::App* AddHookCommands(CLI::App* app, HookArgs* args) {
  CLI::App* hook =
      app->add_subcommand("hook", "Manage the git pre-commit hook");
  hook->require_subcommand(1);
  CLI::App* install = hook->add_subcommand(
      "install",
      "Install a git pre-commit hook running `sprawl git --staged` "
      "(honours core.hooksPath)");
  install->add_option("repo", args->repo, "Repository (default: .)");
  install->add_flag("--force", args->force,
                    "Overwrite an existing pre-commit hook");
  return install;
}

int RunHookInstall(const HookArgs& args) {
  auto dir = HooksDir(args.repo);
  if (!dir.ok()) return FailWith("hook install: " + dir.error().message);
  const fs::path hook = *dir / "pre-commit";
  std::error_code ec;
  if (fs::exists(fs::symlink_status(hook, ec)) && !args.force) {
    return FailWith("hook install: " + hook.string() +
                    " already exists; not overwriting it (use --force to "
                    "replace it, or call `sprawl git --staged` from it)");
  }
  fs::create_directories(*dir, ec);
  if (ec) {
    return FailWith("hook install: cannot create " + dir->string() + ": " +
                    ec.message());
  }
  if (args.force) fs::remove(hook, ec);  // a symlink is replaced, not followed
  {
    std::ofstream out(hook, std::ios::binary | std::ios::trunc);
    out << PreCommitHookScript(SelfPath());
    out.close();
    if (!out) return FailWith("hook install: cannot write " + hook.string());
  }
  fs::permissions(hook,
                  fs::perms::owner_all | fs::perms::group_read |
                      fs::perms::group_exec | fs::perms::others_read |
                      fs::perms::others_exec,
                  fs::perm_options::replace, ec);
  if (ec) {
    return FailWith("hook install: cannot make " + hook.string() +
                    " executable: " + ec.message());
  }
  std::cout << "sprawl: installed pre-commit hook " << hook.string()
            << " (runs `sprawl git --staged`)\n";
  return kExitOk;
}

}  // namespace sprawl
