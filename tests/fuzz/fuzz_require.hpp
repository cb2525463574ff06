#pragma once
// The one way a fuzz target reports a broken property: print where and what, then abort, so
// libFuzzer records the input as a crash and the smoke run (run_fuzz.sh) fails. Checks use this
// rather than assert() because fuzz builds may define NDEBUG.

#include <cstdio>
#include <cstdlib>

namespace sluice::fuzz {

// `what` says what went wrong; the caller's file and line name the target and the check.
[[noreturn]] inline void fail(const char* what, const char* file = __builtin_FILE(),
                              int line = __builtin_LINE()) {
  std::fprintf(stderr, "%s:%d: property violated: %s\n", file, line, what);
  std::abort();
}

// `property` says what must hold, e.g. "a reply ends at a newline".
inline void require(bool ok, const char* property, const char* file = __builtin_FILE(),
                    int line = __builtin_LINE()) {
  if (!ok) fail(property, file, line);
}

} // namespace sluice::fuzz
