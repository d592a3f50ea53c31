// The state of one CLI run, shared by the command groups (internal to the CLI).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <iosfwd>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/result.hpp"
#include "service/services.hpp"

namespace onecard::cli {

// What a command needs opened before it runs.
enum class Needs : std::uint8_t { kDatabase, kNewDatabase };

class Session;

struct CliContext {
  CliContext(std::ostream& o, std::ostream& e) : out(o), err(e) {}

  std::ostream& out;
  std::ostream& err;
  std::string db_path = "onecard.db";
  std::string secret_file;  // "" : db_path + ".secret"
  std::string tenant_code;
  std::string staff;
  std::string store_code;
  std::string key;
  bool json = false;

  Needs needs = Needs::kDatabase;
  std::function<core::Status(Session&)> action;  // set by the command chosen
  // A command that opens the database itself (serve): run instead of `action`.
  std::function<core::Status()> standalone;
  CLI::App* root = nullptr;
  int exit_code = 0;  // on success (verify sets 8 when books differ)
};

// An open database with its services, and helpers to build requests and print.
class Session {
 public:
  Session(CliContext& ctx, service::Services& services) : ctx_(ctx), services_(services) {}

  service::Services& services() { return services_; }
  CliContext& ctx() { return ctx_; }
  std::ostream& out() { return ctx_.out; }

  // The tenant named by --tenant, or the only one.
  core::Result<service::TenantRef> Tenant();
  // A request for the tenant, staff and store of this run. `needs_key`: a value-moving command,
  // which gets a generated key when --key was not given.
  core::Result<service::Request> MakeRequest(bool needs_key);

  // Prints `value` as JSON (with --json) or runs `human`.
  template <class T>
  void Emit(const T& value, const std::function<void()>& human) {
    if (ctx_.json) {
      ctx_.out << nlohmann::json(value).dump(2) << "\n";
    } else {
      human();
    }
  }

  // Local "YYYY-MM-DD HH:MM" and dates in the tenant's time zone.
  std::string Local(core::Timestamp t);
  // An expiry instant as the last day it is valid ("2026-12-31"), or "never".
  std::string ValidUntil(const std::optional<core::Timestamp>& expires_at);
  // A date given as the last valid day, as the instant the value expires.
  core::Result<std::optional<core::Timestamp>> ExpiryFromDate(const std::string& date,
                                                              std::string_view field);

 private:
  CliContext& ctx_;
  service::Services& services_;
  std::optional<service::TenantRef> tenant_;
};

// A file's whole text. Error: kInvalidArgument naming `field` when it cannot be read.
core::Result<std::string> ReadText(const std::string& path, std::string_view field);
// A basket file: {"lines": [{"sku", "quantity", "price" (yuan), "categories", "item_class",
// "non_earning"}, …]}; with `passes` (checkout) a line may name the "pass" that pays for it.
core::Result<std::vector<core::BasketLine>> ReadBasket(const std::string& path,
                                                       bool passes = false);

// Command groups, each in its own file.
void AddOrgCommands(CLI::App& app, CliContext& ctx);
void AddMemberCommands(CLI::App& app, CliContext& ctx);
void AddCardCommands(CLI::App& app, CliContext& ctx);
void AddLedgerCommands(CLI::App& app, CliContext& ctx);
void AddStaffCommands(CLI::App& app, CliContext& ctx);
void AddServeCommand(CLI::App& app, CliContext& ctx);
void AddProgrammeCommands(CLI::App& app, CliContext& ctx);
void AddCheckoutCommands(CLI::App& app, CliContext& ctx);
void AddCatalogueCommands(CLI::App& app, CliContext& ctx);
void AddGiftCommands(CLI::App& app, CliContext& ctx);
void AddCouponCommands(CLI::App& app, CliContext& ctx);

}  // namespace onecard::cli
