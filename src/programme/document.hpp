// Programme documents: the TOML a merchant writes (docs/programmes.md), read into a
// core::Programme and checked as a whole.
//
// Every problem is reported, not just the first, each with the field's path, the line in the
// file and the reason — an unknown field, a wrong type, a malformed amount, overlapping or
// impossible tier thresholds, a reference to a tier that does not exist or is not below the one
// that names it. A document with any problem yields no programme.
//
//   ProgrammeDocument doc = ReadProgramme(text, "p2.toml");
//   if (!doc.problems.empty()) for (auto& p : doc.problems) std::cerr << p.ToString() << '\n';
//
// References to stores, categories and products are checked when a version is activated for a
// tenant, which knows them; the document alone cannot.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/programme.hpp"
#include "core/result.hpp"

namespace onecard::programme {

struct Problem {
  std::string source;  // file name as given
  int line = 0;        // 1-based; 0 when the problem has no single place
  std::string path;    // "tiers[2].entry.single_purchase.silver"
  std::string message;
  std::string ToString() const;  // "p2.toml:41: tiers[2].entry…: message"
};

struct ProgrammeDocument {
  std::optional<core::Programme> programme;  // only when there are no problems
  std::vector<Problem> problems;
};

ProgrammeDocument ReadProgramme(std::string_view text, std::string_view source);

// Reads and checks a file. Error: kFieldInvalid whose message lists every problem, one per line
// (kInvalidArgument when the file cannot be read).
core::Result<core::Programme> LoadProgramme(const std::string& path);

}  // namespace onecard::programme
