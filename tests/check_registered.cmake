# ctest "registered suites": fails when the doctest binary holds a test case
# that no registered ctest suite runs. TESTS = the binary, FILTER = the
# registered suite names joined by commas (tests/CMakeLists.txt).
function(count_cases out)
  execute_process(COMMAND ${TESTS} --count --no-version ${ARGN}
                  OUTPUT_VARIABLE text RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${TESTS} --count failed (${rc}): ${text}")
  endif()
  string(REGEX MATCH "test cases passing the current filters: ([0-9]+)" m "${text}")
  if(NOT m)
    message(FATAL_ERROR "cannot read the test count from: ${text}")
  endif()
  set(${out} ${CMAKE_MATCH_1} PARENT_SCOPE)
endfunction()
count_cases(all)
count_cases(registered "--test-suite=${FILTER}")
if(NOT all EQUAL registered)
  execute_process(COMMAND ${TESTS} --list-test-suites --no-version
                  OUTPUT_VARIABLE suites)
  message(FATAL_ERROR
    "${all} test cases in the binary, ${registered} in registered suites: "
    "a suite is not registered with ctest (declare it as "
    "TEST_SUITE(\"name\") in a tests/**/*_test.cc file).\n"
    "Binary's suites:\n${suites}\nRegistered: ${FILTER}")
endif()
message(STATUS "${all} test cases, all in registered suites")
