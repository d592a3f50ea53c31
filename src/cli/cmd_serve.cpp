// Command: serve (the HTTP API).
#include <cstdlib>
#include <iostream>
#include <map>

#include "cli/context.hpp"
#include "http/serve.hpp"

extern char** environ;

namespace onecard::cli {

using core::Status;

void AddServeCommand(CLI::App& app, CliContext& ctx) {
  struct Options {
    std::string config;
    std::string listen;
    int threads = 0;
    bool no_access_log = false;
  };
  auto o = std::make_shared<Options>();
  auto* serve = app.add_subcommand(
      "serve", "Serve the HTTP/JSON API until SIGTERM or SIGINT (settings: docs/api.md)");
  serve->add_option("--config", o->config, "TOML settings file")->envname("ONECARD_CONFIG");
  serve->add_option("--listen", o->listen, "HOST:PORT to listen on (default 127.0.0.1:8080)");
  serve->add_option("--threads", o->threads, "I/O threads (default 2)");
  serve->add_flag("--no-access-log", o->no_access_log, "Do not log every request");
  serve->callback([&ctx, o] {
    ctx.standalone = [&ctx, o]() -> Status {
      // Precedence: options > environment > config file > defaults.
      http::ServeSettings settings;
      if (!o->config.empty()) ONECARD_CHECK(http::ApplyConfigFile(settings, o->config));
      std::map<std::string, std::string> env;
      for (char** e = environ; *e != nullptr; ++e) {
        const std::string_view kv(*e);
        const std::size_t eq = kv.find('=');
        if (kv.starts_with("ONECARD_") && eq != std::string_view::npos) {
          env.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
        }
      }
      ONECARD_CHECK(http::ApplyEnvironment(settings, env));
      if (ctx.root != nullptr && ctx.root->get_option("--db")->count() > 0) {
        settings.db = ctx.db_path;
      }
      if (!o->listen.empty())
        ONECARD_CHECK(http::ApplySetting(settings, "listen", o->listen, "--listen"));
      if (o->threads != 0) {
        ONECARD_CHECK(
            http::ApplySetting(settings, "threads", std::to_string(o->threads), "--threads"));
      }
      if (o->no_access_log) settings.api.access_log = false;
      return http::Serve(settings, ctx.out);
    };
  });
}

}  // namespace onecard::cli
