#include "http/serve.hpp"

#include <toml++/toml.h>

#include <condition_variable>
#include <mutex>
#include <ostream>
#include <thread>

#include "service/services.hpp"
#include "storage/sqlite/sqlite_store.hpp"

namespace onecard::http {
namespace {

using core::ErrorCode;
using core::MakeError;
using core::Status;

core::Error Bad(std::string_view source, std::string_view why) {
  return MakeError(ErrorCode::kInvalidArgument, std::string(source) + ": " + std::string(why));
}

core::Result<std::int64_t> Number(std::string_view text, std::int64_t min, std::int64_t max,
                                  std::string_view source) {
  std::int64_t v = 0;
  bool ok = !text.empty() && text.size() <= 12;
  for (char c : text) {
    ok = ok && c >= '0' && c <= '9';
    if (ok) v = v * 10 + (c - '0');
  }
  if (!ok || v < min || v > max) {
    return Bad(source, "expected a whole number from " + std::to_string(min) + " to " +
                           std::to_string(max) + ", got '" + std::string(text) + "'");
  }
  return v;
}

core::Result<bool> Flag(std::string_view text, std::string_view source) {
  if (text == "true" || text == "1" || text == "on" || text == "yes") return true;
  if (text == "false" || text == "0" || text == "off" || text == "no") return false;
  return Bad(source, "expected true or false, got '" + std::string(text) + "'");
}

struct Setting {
  const char* name;
  const char* help;
  std::function<Status(ServeSettings&, std::string_view, std::string_view)> apply;
};

const std::vector<Setting>& Settings() {
  using S = ServeSettings;
  static const std::vector<Setting> settings = {
      {"db", "database path",
       [](S& s, std::string_view v, std::string_view) -> Status {
         s.db = std::string(v);
         return {};
       }},
      {"secret_file", "gift-card PIN secret (default: the database path + .secret)",
       [](S& s, std::string_view v, std::string_view) -> Status {
         s.secret_file = std::string(v);
         return {};
       }},
      {"listen", "HOST:PORT",
       [](S& s, std::string_view v, std::string_view src) -> Status {
         const std::size_t colon = v.rfind(':');
         if (colon == std::string_view::npos || colon == 0) {
           return Bad(src, "expected HOST:PORT, e.g. 127.0.0.1:8080");
         }
         ONECARD_TRY(std::int64_t port, Number(v.substr(colon + 1), 0, 65535, src));
         std::string host(v.substr(0, colon));
         if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
           host = host.substr(1, host.size() - 2);
         }
         s.server.host = host;
         s.server.port = static_cast<std::uint16_t>(port);
         return {};
       }},
      {"threads", "I/O threads",
       [](S& s, std::string_view v, std::string_view src) -> Status {
         ONECARD_TRY(std::int64_t n, Number(v, 1, 64, src));
         s.server.threads = static_cast<int>(n);
         return {};
       }},
      {"max_in_flight", "requests handled at once",
       [](S& s, std::string_view v, std::string_view src) -> Status {
         ONECARD_TRY(std::int64_t n, Number(v, 1, 1'000'000, src));
         s.server.max_in_flight = static_cast<int>(n);
         return {};
       }},
      {"max_connections", "open connections",
       [](S& s, std::string_view v, std::string_view src) -> Status {
         ONECARD_TRY(std::int64_t n, Number(v, 1, 1'000'000, src));
         s.server.max_connections = static_cast<int>(n);
         return {};
       }},
      {"header_limit", "bytes",
       [](S& s, std::string_view v, std::string_view src) -> Status {
         ONECARD_TRY(std::int64_t n, Number(v, 1024, 1 << 20, src));
         s.server.header_limit = static_cast<std::size_t>(n);
         return {};
       }},
      {"body_limit", "bytes",
       [](S& s, std::string_view v, std::string_view src) -> Status {
         ONECARD_TRY(std::int64_t n, Number(v, 1024, 64 << 20, src));
         s.server.body_limit = static_cast<std::size_t>(n);
         return {};
       }},
      {"read_timeout_ms", "ms",
       [](S& s, std::string_view v, std::string_view src) -> Status {
         ONECARD_TRY(std::int64_t n, Number(v, 10, 3'600'000, src));
         s.server.read_timeout = std::chrono::milliseconds(n);
         return {};
       }},
      {"write_timeout_ms", "ms",
       [](S& s, std::string_view v, std::string_view src) -> Status {
         ONECARD_TRY(std::int64_t n, Number(v, 10, 3'600'000, src));
         s.server.write_timeout = std::chrono::milliseconds(n);
         return {};
       }},
      {"idle_timeout_ms", "ms",
       [](S& s, std::string_view v, std::string_view src) -> Status {
         ONECARD_TRY(std::int64_t n, Number(v, 10, 86'400'000, src));
         s.server.idle_timeout = std::chrono::milliseconds(n);
         return {};
       }},
      {"access_log", "true/false",
       [](S& s, std::string_view v, std::string_view src) -> Status {
         ONECARD_TRY(s.api.access_log, Flag(v, src));
         return {};
       }},
      {"blocking_threads", "threads",
       [](S& s, std::string_view v, std::string_view src) -> Status {
         ONECARD_TRY(std::int64_t n, Number(v, 1, 64, src));
         s.api.blocking_threads = static_cast<int>(n);
         return {};
       }},
      {"group_max", "commands per commit",
       [](S& s, std::string_view v, std::string_view src) -> Status {
         ONECARD_TRY(std::int64_t n, Number(v, 1, 10'000, src));
         s.group_max = static_cast<int>(n);
         return {};
       }},
      {"session_ttl_s", "seconds",
       [](S& s, std::string_view v, std::string_view src) -> Status {
         ONECARD_TRY(std::int64_t n, Number(v, 60, 30 * 86'400, src));
         s.staff.session_ttl = std::chrono::seconds(n);
         return {};
       }},
      {"login_lockout_s", "seconds",
       [](S& s, std::string_view v, std::string_view src) -> Status {
         ONECARD_TRY(std::int64_t n, Number(v, 1, 86'400, src));
         s.staff.lockout = std::chrono::seconds(n);
         return {};
       }},
      {"max_failed_logins", "per account",
       [](S& s, std::string_view v, std::string_view src) -> Status {
         ONECARD_TRY(std::int64_t n, Number(v, 1, 1000, src));
         s.staff.max_failures_per_account = static_cast<int>(n);
         return {};
       }},
      {"max_failed_logins_per_client", "per address",
       [](S& s, std::string_view v, std::string_view src) -> Status {
         ONECARD_TRY(std::int64_t n, Number(v, 1, 100000, src));
         s.staff.max_failures_per_client = static_cast<int>(n);
         return {};
       }},
  };
  return settings;
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::vector<std::string> SettingNames() {
  std::vector<std::string> out;
  for (const Setting& s : Settings()) out.emplace_back(s.name);
  return out;
}

Status ApplySetting(ServeSettings& s, std::string_view name, std::string_view value,
                    std::string_view source) {
  for (const Setting& setting : Settings()) {
    if (setting.name == name) return setting.apply(s, value, source);
  }
  return Bad(source, "unknown setting '" + std::string(name) + "'");
}

Status ApplyConfigFile(ServeSettings& s, const std::string& path) {
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return MakeError(
        ErrorCode::kInvalidArgument,
        path + ":" + std::to_string(e.source().begin.line) + ": " + std::string(e.description()),
        "config");
  }
  std::function<Status(const toml::table&)> walk = [&](const toml::table& t) -> Status {
    for (const auto& [key, node] : t) {
      const std::string k(key.str());
      if (const toml::table* inner = node.as_table()) {
        if (k != "server") return Bad(path, "unknown table [" + k + "]");
        ONECARD_CHECK(walk(*inner));
        continue;
      }
      std::string text;
      if (const auto* str = node.as_string()) {
        text = str->get();
      } else if (const auto* i = node.as_integer()) {
        text = std::to_string(i->get());
      } else if (const auto* b = node.as_boolean()) {
        text = b->get() ? "true" : "false";
      } else {
        return Bad(path + ": " + k, "expected a string, a whole number or true/false");
      }
      ONECARD_CHECK(ApplySetting(s, k, text, path + ": " + k));
    }
    return {};
  };
  return walk(root);
}

Status ApplyEnvironment(ServeSettings& s, const std::map<std::string, std::string>& env) {
  for (const Setting& setting : Settings()) {
    const std::string var = "ONECARD_" + Upper(setting.name);
    auto it = env.find(var);
    if (it != env.end()) ONECARD_CHECK(setting.apply(s, it->second, var));
  }
  return {};
}

Status Serve(const ServeSettings& settings, std::ostream& out) {
  ONECARD_TRY(std::unique_ptr<storage::Store> store,
              storage::sqlite::OpenStore(settings.db, {.mode = storage::OpenMode::kExisting}));
  service::SystemClock clock;
  service::GiftOptions gifts;
  ONECARD_TRY(gifts.secret,
              service::OpenGiftSecret(*store, settings.secret_file.empty() ? settings.db + ".secret"
                                                                           : settings.secret_file));
  service::Services services(*store, clock, service::WriterOptions{settings.group_max},
                             settings.staff, gifts);
  Api api(services, settings.api);
  ServerOptions server_options = settings.server;
  server_options.handle_signals = true;
  Server server(server_options, [&api](ApiRequest&& req, Respond respond) {
    api.Handle(std::move(req), std::move(respond));
  });
  api.SetGauges([&server] { return server.gauges(); });
  ONECARD_TRY(std::uint16_t port, server.Listen());

  // Timed-out holds are released, and held sales past their timeout voided, in the background.
  std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;
  std::thread sweeper([&] {
    std::unique_lock lock(mu);
    while (!cv.wait_for(lock, settings.hold_sweep, [&] { return stopping; })) {
      lock.unlock();
      (void)services.ledger().ReleaseDueHolds();
      (void)services.checkout().ReleaseDueSales();
      lock.lock();
    }
  });
  server.OnStopping([&] {
    std::fputs(R"({"level":"info","msg":"shutting down: finishing requests in flight"})"
               "\n",
               stderr);
  });

  out << "OneCard is serving http://" << settings.server.host << ":" << port << "/ ("
      << store->Describe() << ")" << std::endl;
  server.Run();  // until SIGTERM/SIGINT; every request in flight is answered before it returns
  {
    std::lock_guard lock(mu);
    stopping = true;
  }
  cv.notify_all();
  sweeper.join();
  std::fputs(R"({"level":"info","msg":"stopped"})"
             "\n",
             stderr);
  return {};
}

}  // namespace onecard::http
