// The `onecard` command line: argument parsing and printing, no business rules.
//
// RunCli parses the arguments, opens the database, runs one command through the services and
// prints its result (human-readable, or JSON with --json) to `out`, and errors to `err`. It
// returns the process exit code (see ExitCodeFor and docs/cli.md). Thread-compatible: one call
// at a time per set of streams.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace onecard::cli {

// Exit codes, one per error class (documented in docs/cli.md).
enum ExitCode : int {
  kExitOk = 0,
  kExitInternal = 1,
  kExitUsage = 2,
  kExitNotFound = 3,
  kExitInvalid = 4,
  kExitRejected = 5,
  kExitConflict = 6,
  kExitUnavailable = 7,
  kExitBooksUnbalanced = 8,
};

int ExitCodeFor(core::ErrorClass cls);

// `args` excludes the program name.
int RunCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace onecard::cli
