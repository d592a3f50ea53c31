// Commands: staff, api-key, audit.
#include <iostream>
#include <ostream>

#include "cli/context.hpp"

namespace onecard::cli {

using core::Result;
using core::Status;

namespace {

struct StaffOptions {
  std::string username;
  std::string display_name;
  std::string password;
  bool password_stdin = false;
  std::string role;
  std::string store;
  std::string region;
  bool disable = false;
  bool enable = false;
  std::int64_t id = 0;
  int limit = 50;
  std::string action;
  std::string actor;
  std::string object;
  std::int64_t before_id = 0;
};

// The password from --password or, with --password-stdin, the first line of standard input.
Result<std::string> PasswordOf(const StaffOptions& o) {
  if (!o.password_stdin) return o.password;
  std::string line;
  std::getline(std::cin, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

void PrintStaff(Session& s, const service::StaffView& v) {
  s.out() << v.username << "  " << v.role;
  if (!v.store.empty()) s.out() << " @ " << v.store;
  if (!v.region.empty()) s.out() << " @ region " << v.region;
  s.out() << "  " << v.status;
  if (v.locked_until) s.out() << " (locked until " << s.Local(*v.locked_until) << ")";
  if (!v.display_name.empty()) s.out() << "  " << v.display_name;
  s.out() << "\n";
}

void PrintKey(Session& s, const service::ApiKeyView& k) {
  s.out() << "#" << k.id << "  " << k.name << "  " << k.role;
  if (!k.store.empty()) s.out() << " @ " << k.store;
  if (!k.region.empty()) s.out() << " @ region " << k.region;
  s.out() << "  " << k.status << "\n";
}

}  // namespace

void AddStaffCommands(CLI::App& app, CliContext& ctx) {
  auto o = std::make_shared<StaffOptions>();
  auto* staff = app.add_subcommand("staff", "Staff users who log in to the API and console");
  staff->require_subcommand(1);

  auto* add = staff->add_subcommand("add", "Add a staff user");
  add->add_option("username", o->username, "Login name (a-z, 0-9, . _ - @)")->required();
  add->add_option("--role", o->role, "admin, marketing, finance, store_manager or clerk")
      ->required();
  add->add_option("--store", o->store, "Store code (store managers and clerks)");
  add->add_option("--region", o->region, "Region code (marketing or finance of a region)");
  add->add_option("--name", o->display_name, "Name shown to people");
  add->add_option("--password", o->password, "Password (10+ characters; visible to `ps`)");
  add->add_flag("--password-stdin", o->password_stdin, "Read the password from standard input");
  add->callback([&ctx, o] {
    ctx.action = [o](Session& s) -> Status {
      ONECARD_TRY(service::Request req, s.MakeRequest(false));
      ONECARD_TRY(std::string password, PasswordOf(*o));
      ONECARD_TRY(
          service::StaffView v,
          s.services().staff().Add(req, service::StaffSpec{o->username, o->display_name, password,
                                                           o->role, o->store, o->region}));
      s.Emit(v, [&] {
        s.out() << "Added ";
        PrintStaff(s, v);
      });
      return {};
    };
  });

  auto* set = staff->add_subcommand("set", "Change a staff user (ends their sessions)");
  set->add_option("username", o->username, "Login name")->required();
  set->add_option("--role", o->role, "New role");
  set->add_option("--store", o->store, "New store code (\"\" for none)");
  set->add_option("--region", o->region, "New region code (\"\" for none)");
  set->add_option("--name", o->display_name, "New display name");
  set->add_option("--password", o->password, "New password");
  set->add_flag("--password-stdin", o->password_stdin, "Read the new password from stdin");
  set->add_flag("--disable", o->disable, "Disable the user (ends every session)");
  set->add_flag("--enable", o->enable, "Enable the user again (and lift a lock-out)");
  set->callback([&ctx, o, set] {
    ctx.action = [o, set](Session& s) -> Status {
      ONECARD_TRY(service::Request req, s.MakeRequest(false));
      service::StaffChanges c;
      if (set->get_option("--role")->count() > 0) c.role = o->role;
      if (set->get_option("--store")->count() > 0) c.store = o->store;
      if (set->get_option("--region")->count() > 0) c.region = o->region;
      if (set->get_option("--name")->count() > 0) c.display_name = o->display_name;
      if (set->get_option("--password")->count() > 0 || o->password_stdin) {
        ONECARD_TRY(std::string password, PasswordOf(*o));
        c.password = password;
      }
      if (o->disable) c.active = false;
      if (o->enable) c.active = true;
      ONECARD_TRY(service::StaffView v, s.services().staff().Update(req, o->username, c));
      s.Emit(v, [&] {
        s.out() << "Changed ";
        PrintStaff(s, v);
      });
      return {};
    };
  });

  staff->add_subcommand("list", "List staff users")->callback([&ctx] {
    ctx.action = [](Session& s) -> Status {
      ONECARD_TRY(service::TenantRef t, s.Tenant());
      ONECARD_TRY(std::vector<service::StaffView> all, s.services().staff().List(t));
      s.Emit(all, [&] {
        for (const auto& v : all) PrintStaff(s, v);
      });
      return {};
    };
  });

  auto* key = app.add_subcommand("api-key", "API keys for tills and other machines");
  key->require_subcommand(1);
  auto* kadd = key->add_subcommand("add", "Make an API key (printed once, never again)");
  kadd->add_option("name", o->username, "Name (a-z, 0-9, . _ - @), e.g. till-sh01-1")->required();
  kadd->add_option("--role", o->role, "Role the key acts with")->required();
  kadd->add_option("--store", o->store, "Store code");
  kadd->add_option("--region", o->region, "Region code");
  kadd->callback([&ctx, o] {
    ctx.action = [o](Session& s) -> Status {
      ONECARD_TRY(service::Request req, s.MakeRequest(false));
      ONECARD_TRY(service::ApiKeyView k,
                  s.services().staff().AddApiKey(
                      req, service::ApiKeySpec{o->username, o->role, o->store, o->region}));
      s.Emit(k, [&] {
        s.out() << "Added API key ";
        PrintKey(s, k);
        s.out() << "Key (shown only now; send it as Authorization: Bearer KEY):\n  " << k.key
                << "\n";
      });
      return {};
    };
  });
  key->add_subcommand("list", "List API keys")->callback([&ctx] {
    ctx.action = [](Session& s) -> Status {
      ONECARD_TRY(service::TenantRef t, s.Tenant());
      ONECARD_TRY(std::vector<service::ApiKeyView> all, s.services().staff().ListApiKeys(t));
      s.Emit(all, [&] {
        for (const auto& k : all) PrintKey(s, k);
      });
      return {};
    };
  });
  auto* krevoke = key->add_subcommand("revoke", "Revoke an API key at once");
  krevoke->add_option("id", o->id, "Key id (see api-key list)")->required();
  krevoke->callback([&ctx, o] {
    ctx.action = [o](Session& s) -> Status {
      ONECARD_TRY(service::Request req, s.MakeRequest(false));
      ONECARD_TRY(service::ApiKeyView k, s.services().staff().RevokeApiKey(req, o->id));
      s.Emit(k, [&] {
        s.out() << "Revoked ";
        PrintKey(s, k);
      });
      return {};
    };
  });

  auto* audit = app.add_subcommand("audit", "The audit log of changes, newest first");
  audit->add_option("--limit", o->limit, "How many (1–500)")->capture_default_str();
  audit->add_option("--action", o->action, "Only this action, e.g. points.adjust");
  audit->add_option("--actor", o->actor, "Only this actor");
  audit->add_option("--object", o->object, "Only this object id (a card number, member id…)");
  audit->add_option("--before-id", o->before_id, "Page: entries older than this id");
  audit->callback([&ctx, o] {
    ctx.action = [o](Session& s) -> Status {
      ONECARD_TRY(service::TenantRef t, s.Tenant());
      storage::AuditFilter f;
      f.limit = o->limit;
      f.action = o->action;
      f.actor = o->actor;
      f.object_id = o->object;
      f.before_id = o->before_id;
      ONECARD_TRY(service::AuditPage page, s.services().staff().Audit(t, f));
      s.Emit(page, [&] {
        for (const auto& a : page.items) {
          s.out() << "#" << a.id << "  " << s.Local(a.at) << "  " << a.actor_kind << ":" << a.actor;
          if (!a.store.empty()) s.out() << " @ " << a.store;
          if (!a.client.empty()) s.out() << " from " << a.client;
          s.out() << "  " << a.action;
          if (!a.object_id.empty()) s.out() << " " << a.object_kind << " " << a.object_id;
          s.out() << "\n";
        }
        if (page.next_before_id != 0) {
          s.out() << "More: onecard audit --before-id " << page.next_before_id << "\n";
        }
      });
      return {};
    };
  });
}

}  // namespace onecard::cli
