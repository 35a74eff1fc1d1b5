// Test paths: whether a location lies under a directory of tests, fixtures,
// examples or samples, where a credential is usually a decoy shipped on
// purpose. A credential seen only in such places keeps its status (the gate
// is unchanged) but is reported at low confidence, with the reason.
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "scanner/findings/report.h"

namespace sprawl {

// The first directory component of `path` (separators '/' or '\'; the last
// component, the file name, is not judged) that names a test, fixture or
// example directory, compared case-insensitively; "" when there is none.
// Names: t test tests testing testdata spec specs __tests__ fixture fixtures
// __fixtures__ example examples sample samples mock mocks __mocks__
// dummyserver, and any name starting with test_ test- tests_ tests- or
// ending in _test -test _tests -tests (test_data, unit_tests, e2e-tests).
std::string TestDirectoryOf(std::string_view path);

// Whether the file name (the last component of `path`) names a test, spec
// or fixture file by the conventions of its language, case-sensitively
// where the convention is: Go `*_test.go`; Python `test_*.py`, `*_test.py`,
// `conftest.py`; JavaScript/TypeScript `*.spec.*` and `*.test.*` (js jsx ts
// tsx mjs cjs); Java/Kotlin/Scala/C# `*Test.*`, `*Tests.*`, `*IT.java`;
// Ruby `*_spec.rb`, `*_test.rb`; PHP `*Test.php`; Rust and C/C++
// `*_test.rs|c|cc|cpp`, `test_*.c|cc|cpp`; Swift `*Tests.swift`; and any
// `*.example`, `*.sample`, `*.template` file (`.env.example`).
bool IsTestFileName(std::string_view path);

// Where `path` is a test location: its test directory followed by '/', or
// its file name when only the name says so; "" when it is neither.
std::string TestLocationOf(std::string_view path);

// For every credential whose rule confidence is above low and whose every
// location (at least one) is a test location (TestLocationOf): sets `confidence` to
// "low" and `confidence_reason` to why. Nothing is dropped; status, reason
// and `fails` are untouched.
void LowerConfidenceOfTestOnlyCredentials(Report* report);

}  // namespace sprawl
