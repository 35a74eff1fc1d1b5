// Heuristics on pipeline variables: which names hold secrets, which values
// are literal secrets rather than placeholders or references, and where a
// value references a CI secret store (`${{ secrets.X }}`, `$X`, `$(X)`).
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sprawl {

enum class SecretName {
  kNo,      // not a secret-like name
  kYes,     // *_TOKEN, *_SECRET, *PASSWORD*, *_API_KEY, ...
  kStrict,  // a bare *_KEY: only strong-looking values count
};

// Judges a variable or input name: case-insensitive, `-`, `.` and camelCase
// humps count as `_` (`aws-secret-access-key`, `deployToken`).
SecretName ClassifySecretName(std::string_view name);

// True when `value`, assigned to a name of class `kind`, is a literal secret:
// not empty, not shorter than 8 bytes, not a placeholder, boolean, number,
// path, URL or reference.
bool LooksLikeLiteralSecret(std::string_view value, SecretName kind);

// True when `value` interpolates or points at a secret store instead of
// holding the secret (`${{ … }}`, `$X`, `${X}`, `$(X)`, `vault:…`, …).
bool ContainsReference(std::string_view value);

// One reference found in text; `offset` is where its syntax starts.
struct ReferenceMatch {
  std::string name;
  std::size_t offset = 0;
  bool expression = false;  // a store lookup (`secrets.X`), not a bare `$X`
};

// Finds references in `text` in the syntax of `system`: GitHub expressions
// (`secrets.X` inside `${{ }}`; not `vars.X`, configuration variables, nor
// the platform's own `secrets.GITHUB_TOKEN`), Azure macros (`$(X)`,
// `$[variables.X]`, `variables['X']`), shell style (`$X`, `${X}`) elsewhere.
// `expression_only` (a GitHub `if:`) reads bare `secrets.X` too.
std::vector<ReferenceMatch> FindReferences(std::string_view system,
                                           std::string_view text,
                                           bool expression_only = false);

// True for variables every run of `system` defines (CI_*, CIRCLE_*, ...):
// they are not secrets a team registers.
bool IsPredefinedVariable(std::string_view name);

// True for the ephemeral token a CI platform mints for each run
// (`secrets.GITHUB_TOKEN`, GitLab's `CI_JOB_TOKEN`, and the other
// predefined variables): no team registers it, so it is no reference.
bool IsPlatformToken(std::string_view system, std::string_view name);

// An assignment `NAME=value` inside a script or an env list entry.
struct Assignment {
  std::string name;
  std::string value;         // unquoted
  std::size_t value_offset;  // offset of the value's first byte in the text
};

// Finds shell-style assignments (`export API_TOKEN=abc`, `--build-arg
// X=y`) in `text`; `==` comparisons are not assignments.
std::vector<Assignment> FindAssignments(std::string_view text);

}  // namespace sprawl
