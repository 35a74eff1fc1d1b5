// SPRAWL_CHECK aborts on programmer errors (broken invariants), never on bad
// input: input problems are returned as Result/Status values.
#pragma once

#include <cstdio>
#include <cstdlib>

#define SPRAWL_CHECK(cond)                                              \
  do {                                                                  \
    if (!(cond)) {                                                      \
      std::fprintf(stderr, "sprawl: internal check failed: %s (%s:%d)\n", \
                   #cond, __FILE__, __LINE__);                          \
      std::abort();                                                     \
    }                                                                   \
  } while (0)
