// `onecard serve`: settings, and running the server over a database until SIGTERM/SIGINT.
//
// Settings come from, in order of precedence (highest first): command-line options, environment
// variables (ONECARD_…), a TOML config file (--config or ONECARD_CONFIG), the defaults. Each
// setting's name, variable and default: docs/api.md#settings.
#pragma once

#include <chrono>
#include <iosfwd>
#include <map>
#include <string>

#include "core/result.hpp"
#include "http/api.hpp"
#include "http/server.hpp"
#include "service/staff_service.hpp"

namespace onecard::http {

struct ServeSettings {
  std::string db = "onecard.db";
  // The server secret that keys gift-card PIN hashes; "" : the database path + ".secret" (made
  // on first start). Keep a copy apart from database backups.
  std::string secret_file;
  ServerOptions server;
  ApiOptions api;
  service::StaffOptions staff;
  int group_max = 100;
  std::chrono::seconds hold_sweep{10};  // how often timed-out holds are released
};

// Applies one setting by name ("listen", "threads", …) from text; kInvalidArgument naming the
// source ("ONECARD_THREADS", "onecard.toml: threads") when the value is wrong.
core::Status ApplySetting(ServeSettings& s, std::string_view name, std::string_view value,
                          std::string_view source);
// Reads a TOML file of settings (flat keys, or a [server] table).
core::Status ApplyConfigFile(ServeSettings& s, const std::string& path);
// Applies every ONECARD_<NAME> variable present in `env` (name → value).
core::Status ApplyEnvironment(ServeSettings& s, const std::map<std::string, std::string>& env);
// The setting names, for documentation and tests.
std::vector<std::string> SettingNames();

// Runs until a signal (or a fatal start-up error: returned). Prints where it listens on `out`.
core::Status Serve(const ServeSettings& settings, std::ostream& out);

}  // namespace onecard::http
