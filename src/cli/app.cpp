// RunCli: global options, `init`, `verify`, and the dispatch to the command groups.
#include <cstdlib>
#include <filesystem>
#include <ostream>
#include <random>

#include "cli/cli.hpp"
#include "cli/context.hpp"
#include "cli/print.hpp"
#include "service/calendar.hpp"
#include "service/demo.hpp"
#include "storage/sqlite/sqlite_store.hpp"

namespace onecard::cli {

using core::ErrorCode;
using core::MakeError;
using core::Result;
using core::Status;

int ExitCodeFor(core::ErrorClass cls) {
  switch (cls) {
    case core::ErrorClass::kInvalid:
      return kExitInvalid;
    case core::ErrorClass::kNotFound:
      return kExitNotFound;
    case core::ErrorClass::kRejected:
      return kExitRejected;
    case core::ErrorClass::kConflict:
      return kExitConflict;
    case core::ErrorClass::kUnavailable:
      return kExitUnavailable;
    case core::ErrorClass::kInternal:
      return kExitInternal;
    case core::ErrorClass::kUnauthenticated:
    case core::ErrorClass::kForbidden:
    case core::ErrorClass::kLimited:
      return kExitRejected;  // the CLI itself never asks for credentials; staff login refusals
  }
  return kExitInternal;
}

Result<service::TenantRef> Session::Tenant() {
  if (!tenant_) {
    ONECARD_TRY(service::TenantRef t, services_.org().ResolveTenant(ctx_.tenant_code));
    tenant_ = t;
  }
  return *tenant_;
}

Result<service::Request> Session::MakeRequest(bool needs_key) {
  ONECARD_TRY(service::TenantRef tenant, Tenant());
  ONECARD_TRY(service::Actor actor,
              services_.org().ResolveActor(tenant, ctx_.staff, ctx_.store_code));
  std::string key = ctx_.key;
  if (key.empty() && needs_key) {
    // A key of our own still protects against the writer applying this command twice; a script
    // that may retry passes --key so that its retry carries the same one.
    std::random_device rd;
    std::uniform_int_distribution<unsigned long long> dist;
    char buf[40];
    std::snprintf(buf, sizeof buf, "cli-%016llx", dist(rd));
    key = buf;
  }
  service::Request r;
  r.tenant = tenant;
  r.actor = actor;
  r.idempotency_key = key;
  return r;
}

std::string Session::Local(core::Timestamp t) {
  Result<service::TenantRef> tenant = Tenant();
  return service::LocalDateTime(tenant ? tenant->timezone : "UTC", t);
}

std::string Session::ValidUntil(const std::optional<core::Timestamp>& expires_at) {
  if (!expires_at) return "never";
  Result<service::TenantRef> tenant = Tenant();
  // The lot is valid up to the instant before it expires: show that instant's local date.
  return service::LocalDate(tenant ? tenant->timezone : "UTC",
                            core::Timestamp{expires_at->micros - 1})
      .ToString();
}

Result<std::optional<core::Timestamp>> Session::ExpiryFromDate(const std::string& date,
                                                               std::string_view field) {
  ONECARD_TRY(service::TenantRef tenant, Tenant());
  return service::ExpiryAfterLastDay(tenant.timezone, date, field);
}

namespace {

void PrintError(CliContext& ctx, const core::Error& e) {
  if (ctx.json) {
    nlohmann::json j = {{"error",
                         {{"code", core::ErrorCodeName(e.code)},
                          {"class", core::ErrorClassName(core::ClassOf(e.code))},
                          {"message", e.message},
                          {"field", e.field}}}};
    ctx.out << j.dump(2) << "\n";
  }
  ctx.err << "onecard: " << e.ToString() << "\n";
}

// "1 entry", "2 entries": a count with its noun.
std::string Counted(std::int64_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

void PrintVerify(Session& s, const service::VerifyReport& r) {
  s.Emit(r, [&] {
    std::ostream& o = s.out();
    if (r.ok) {
      o << "The books balance: " << Counted(r.entries, "entry", "entries") << ", "
        << Counted(r.postings, "posting", "postings") << ", "
        << Counted(r.accounts, "account", "accounts") << " and " << Counted(r.lots, "lot", "lots")
        << " recomputed from the journal; every figure matches.\n";
      return;
    }
    o << "The books do NOT balance: "
      << Counted(static_cast<std::int64_t>(r.discrepancies.size()), "discrepancy", "discrepancies")
      << " in " << Counted(r.entries, "entry", "entries") << ".\n";
    for (const service::DiscrepancyLine& d : r.discrepancies) {
      o << "  " << d.what;
      if (d.id != 0) o << " " << d.id;
      o << ": " << d.detail << "\n";
    }
  });
}

void AddInitAndVerify(CLI::App& app, CliContext& ctx) {
  auto* init = app.add_subcommand("init", "Create a new database with a first tenant");
  auto demo = std::make_shared<bool>(false);
  auto code = std::make_shared<std::string>("main");
  auto name = std::make_shared<std::string>("My business");
  auto tz = std::make_shared<std::string>("Asia/Shanghai");
  init->add_flag("--demo", *demo, "Fill the tenant with demo stores, members, cards and history");
  init->add_option("--tenant-code", *code, "Code of the first tenant")->capture_default_str();
  init->add_option("--name", *name, "Name of the first tenant")->capture_default_str();
  init->add_option("--timezone", *tz, "IANA time zone of the tenant's business days")
      ->capture_default_str();
  init->callback([&ctx, demo, code, name, tz] {
    ctx.needs = Needs::kNewDatabase;
    ctx.action = [&ctx, demo, code, name, tz](Session& s) -> Status {
      if (*demo) {
        ONECARD_TRY(service::DemoSummary summary,
                    service::LoadDemo(s.services().store(), s.services().clock().Now(),
                                      s.services().gifts().options()));
        s.Emit(summary, [&] {
          s.out() << "Created " << ctx.db_path << " with the demo tenant \"" << summary.tenant
                  << "\": " << summary.stores << " stores, " << summary.members << " members, "
                  << summary.cards << " cards, " << summary.entries << " journal entries.\n"
                  << "Programme in force: " << summary.programme << ".\n";
        });
        return {};
      }
      ONECARD_TRY(service::TenantRef t, s.services().org().CreateTenant(*code, *name, *tz));
      s.Emit(service::TenantView{t.code, *name, t.timezone}, [&] {
        s.out() << "Created " << ctx.db_path << " with tenant " << t.code << " (" << *name << ", "
                << t.timezone << ").\n";
      });
      return {};
    };
  });

  auto* verify = app.add_subcommand(
      "verify", "Recompute every balance and lot from the journal; exit 0 only if exact");
  verify->callback([&ctx] {
    ctx.action = [](Session& s) -> Status {
      ONECARD_TRY(service::VerifyReport report, s.services().Verify());
      PrintVerify(s, report);
      if (!report.ok) s.ctx().exit_code = kExitBooksUnbalanced;
      return {};
    };
  });
}

}  // namespace

int RunCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  CliContext ctx{out, err};
  CLI::App app{"OneCard: membership, points and stored value for shops, chains and alliances",
               "onecard"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "onecard 0.1.0");
  const char* user = std::getenv("USER");
  ctx.db_path = "onecard.db";
  ctx.staff = user != nullptr ? user : "cli";
  app.add_option("--db", ctx.db_path, "Database file")
      ->envname("ONECARD_DB")
      ->capture_default_str();
  app.add_option("--secret-file", ctx.secret_file,
                 "Server secret for gift-card PINs (default: the database path + .secret)")
      ->envname("ONECARD_SECRET_FILE");
  app.add_option("--tenant", ctx.tenant_code, "Tenant code (default: the only tenant)")
      ->envname("ONECARD_TENANT");
  app.add_option("--staff", ctx.staff, "Who is acting (recorded with every change)")
      ->envname("ONECARD_STAFF");
  app.add_option("--store", ctx.store_code, "Store acted at (default: head office)")
      ->envname("ONECARD_STORE");
  app.add_option("--key", ctx.key,
                 "Idempotency key: a retry with the same key is not applied twice");
  app.add_flag("--json", ctx.json, "Print results as JSON");
  AddInitAndVerify(app, ctx);
  AddOrgCommands(app, ctx);
  AddMemberCommands(app, ctx);
  AddCardCommands(app, ctx);
  AddLedgerCommands(app, ctx);
  AddStaffCommands(app, ctx);
  AddServeCommand(app, ctx);
  AddProgrammeCommands(app, ctx);
  AddCheckoutCommands(app, ctx);
  AddCatalogueCommands(app, ctx);
  AddGiftCommands(app, ctx);
  AddCouponCommands(app, ctx);
  ctx.root = &app;

  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp& e) {
    out << app.help();
    return kExitOk;
  } catch (const CLI::CallForAllHelp& e) {
    out << app.help("", CLI::AppFormatMode::All);
    return kExitOk;
  } catch (const CLI::CallForVersion& e) {
    out << e.what() << "\n";
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    err << "onecard: " << e.what() << "\n";
    err << "Run `onecard --help` (or `onecard COMMAND --help`) for usage.\n";
    return kExitUsage;
  }
  if (ctx.standalone) {
    if (core::Status s = ctx.standalone(); !s) {
      PrintError(ctx, s.error());
      return ExitCodeFor(core::ClassOf(s.error().code));
    }
    return kExitOk;
  }
  if (!ctx.action) {
    err << "onecard: choose a command; run `onecard --help`\n";
    return kExitUsage;
  }

  // A new database that its command could not complete is removed again: a failed `init`
  // leaves nothing behind.
  const bool creating = ctx.needs == Needs::kNewDatabase && !std::filesystem::exists(ctx.db_path);
  const auto remove_created = [&] {
    if (!creating) return;
    std::error_code ignored;
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
      std::filesystem::remove(ctx.db_path + suffix, ignored);
    }
  };
  core::Status status;
  {
    storage::sqlite::Options options;
    options.mode = ctx.needs == Needs::kNewDatabase ? storage::OpenMode::kCreate
                                                    : storage::OpenMode::kExisting;
    Result<std::unique_ptr<storage::Store>> store =
        storage::sqlite::OpenStore(ctx.db_path, options);
    if (!store) {
      status = store.error();
    } else {
      service::SystemClock clock;
      // The gift-card secret beside the database (made while it has no gift batch); without
      // one, gift cards can be listed but not made or checked, and those commands say so.
      service::GiftOptions gifts;
      Result<std::string> secret = service::OpenGiftSecret(
          **store, ctx.secret_file.empty() ? ctx.db_path + ".secret" : ctx.secret_file);
      if (secret) {
        gifts.secret = std::move(*secret);
      } else {
        gifts.secret_problem = secret.error().message;
      }
      service::Services services(**store, clock, service::WriterOptions{1}, {}, gifts);
      Session session(ctx, services);
      status = ctx.action(session);
    }
  }
  if (!status) {
    remove_created();
    PrintError(ctx, status.error());
    return ExitCodeFor(core::ClassOf(status.error().code));
  }
  return ctx.exit_code;
}

}  // namespace onecard::cli
