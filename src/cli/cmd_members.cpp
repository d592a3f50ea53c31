// Commands: member add, show, find, update.
#include <map>
#include <ostream>

#include "cli/context.hpp"
#include "cli/print.hpp"

namespace onecard::cli {

using core::ErrorCode;
using core::MakeError;
using core::Result;
using core::Status;

namespace {

struct MemberOptions {
  std::map<std::string, std::string> profile;  // by profile field name
  std::map<std::string, CLI::Option*> profile_opts;
  std::vector<std::string> fields;  // key=value
  bool pending = false;
  std::string channel;
  std::int64_t referrer = -1;
  std::string home_store;
  bool home_store_given = false;
  std::string status;
  std::string reason;
  std::int64_t id = 0;
  std::string card;
  std::string query;
  int limit = 20;
};

// One option per profile field: --name, --phone, --id-number, …
void AddProfileOptions(CLI::App* cmd, const std::shared_ptr<MemberOptions>& o) {
  for (std::string_view field : core::ProfileFieldNames()) {
    std::string flag = "--" + std::string(field);
    for (char& c : flag) c = c == '_' ? '-' : c;
    o->profile_opts[std::string(field)] =
        cmd->add_option(flag, o->profile[std::string(field)], "Profile: " + std::string(field));
  }
  cmd->add_option("--field", o->fields, "Custom field as key=value (repeatable; key= clears)");
  cmd->add_option("--channel", o->channel,
                  "Enrolment channel: till, online, sms, call_centre, import");
  cmd->add_option("--referrer", o->referrer, "Member id of the referrer (0 clears)");
  cmd->add_option("--home-store", o->home_store, "Home store code");
}

Result<service::MemberChanges> Changes(const MemberOptions& o) {
  service::MemberChanges c;
  for (const auto& [field, opt] : o.profile_opts) {
    if (opt->count() > 0) c.profile.emplace_back(field, o.profile.at(field));
  }
  for (const std::string& kv : o.fields) {
    const std::size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      return MakeError(ErrorCode::kInvalidArgument, "\"" + kv + "\" is not key=value", "field");
    }
    c.custom.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
  }
  if (!o.channel.empty()) {
    ONECARD_TRY(core::EnrolChannel channel, core::ParseEnrolChannel(o.channel));
    c.channel = channel;
  }
  if (o.referrer >= 0) c.referrer_id = o.referrer;
  if (o.home_store_given) c.home_store = o.home_store;
  if (!o.status.empty()) {
    ONECARD_TRY(core::MemberStatus status, core::ParseMemberStatus(o.status));
    c.status = status;
  }
  c.reason = o.reason;
  return c;
}

}  // namespace

// `overview`: the tenant at a glance — its stores and its first members with their cards and
// main balances.
void AddOverview(CLI::App& app, CliContext& ctx) {
  auto limit = std::make_shared<int>(20);
  auto* overview =
      app.add_subcommand("overview", "The tenant at a glance: stores, members, balances");
  overview->add_option("--limit", *limit, "Members to show")->capture_default_str();
  overview->callback([&ctx, limit] {
    ctx.action = [limit](Session& s) -> Status {
      ONECARD_TRY(service::TenantRef t, s.Tenant());
      ONECARD_TRY(std::vector<service::StoreView> stores, s.services().org().ListStores(t));
      ONECARD_TRY(std::vector<service::MemberView> members,
                  s.services().members().List(t, 0, *limit));
      std::vector<service::CardBalances> balances;
      for (const auto& m : members) {
        for (const auto& c : m.cards) {
          if (c.status.rfind("replaced", 0) == 0 || c.status.rfind("closed", 0) == 0) continue;
          ONECARD_TRY(service::CardBalances b, s.services().ledger().Balance(t, c.number));
          balances.push_back(std::move(b));
        }
      }
      nlohmann::json j = {
          {"tenant", t.code}, {"stores", stores}, {"members", members}, {"balances", balances}};
      s.Emit(j, [&] {
        std::ostream& o = s.out();
        o << "Tenant " << t.code << " (" << t.timezone << ") · " << stores.size() << " store(s):";
        for (const auto& st : stores) o << " " << st.code;
        o << "\n";
        for (const auto& m : members) {
          o << "\n";
          PrintMemberLine(s, m);
          for (const auto& b : balances) {
            if (b.member_id != m.id) continue;
            o << "    card " << b.card_number << " (" << b.status << "):";
            for (const auto& a : b.assets) {
              if (a.balance == 0 && a.held == 0) continue;
              o << "  " << AssetLabel(a.asset) << " " << Amount(a.asset, a.balance);
              if (a.held != 0) o << " (+" << Amount(a.asset, a.held) << " on hold)";
            }
            o << "\n";
          }
        }
      });
      return {};
    };
  });
}

void AddMemberCommands(CLI::App& app, CliContext& ctx) {
  AddOverview(app, ctx);
  auto* member = app.add_subcommand("member", "Members: enrol, look up, search, update");
  member->require_subcommand(1);

  auto add_opts = std::make_shared<MemberOptions>();
  auto* add = member->add_subcommand("add", "Enrol a member");
  AddProfileOptions(add, add_opts);
  add->add_flag("--pending", add_opts->pending, "Enrol as pending approval");
  add->callback([&ctx, add_opts, add] {
    add_opts->home_store_given = add->count("--home-store") > 0;
    ctx.action = [add_opts](Session& s) -> Status {
      ONECARD_TRY(service::MemberChanges changes, Changes(*add_opts));
      if (add_opts->pending) changes.status = core::MemberStatus::kPending;
      ONECARD_TRY(service::Request req, s.MakeRequest(false));
      ONECARD_TRY(service::MemberView m, s.services().members().Add(req, changes));
      s.Emit(m, [&] {
        s.out() << "Enrolled ";
        PrintMember(s, m);
        s.out() << "Next: issue a card with `onecard card issue --member " << m.id
                << " --type TYPE` (see `onecard card-type list`).\n";
      });
      return {};
    };
  });

  auto show_opts = std::make_shared<MemberOptions>();
  auto* show = member->add_subcommand("show", "Show a member by id or card number");
  show->add_option("id", show_opts->id, "Member id");
  show->add_option("--card", show_opts->card, "Card number");
  show->callback([&ctx, show_opts] {
    ctx.action = [show_opts](Session& s) -> Status {
      ONECARD_TRY(service::TenantRef t, s.Tenant());
      if (show_opts->id == 0 && show_opts->card.empty()) {
        return MakeError(ErrorCode::kInvalidArgument, "give a member id or --card", "member");
      }
      ONECARD_TRY(service::MemberView m,
                  show_opts->card.empty() ? s.services().members().Show(t, show_opts->id)
                                          : s.services().members().ShowByCard(t, show_opts->card));
      s.Emit(m, [&] { PrintMember(s, m); });
      return {};
    };
  });

  auto find_opts = std::make_shared<MemberOptions>();
  auto* find = member->add_subcommand(
      "find", "Search by phone (or its last digits), card number, name or indexed field");
  find->add_option("text", find_opts->query, "What to look for")->required();
  find->add_option("--limit", find_opts->limit, "At most this many")->capture_default_str();
  find->callback([&ctx, find_opts] {
    ctx.action = [find_opts](Session& s) -> Status {
      ONECARD_TRY(service::TenantRef t, s.Tenant());
      ONECARD_TRY(std::vector<service::MemberView> found,
                  s.services().members().Find(t, find_opts->query, find_opts->limit));
      s.Emit(found, [&] {
        if (found.empty()) s.out() << "No member matches \"" << find_opts->query << "\".\n";
        for (const auto& m : found) PrintMemberLine(s, m);
      });
      return {};
    };
  });

  auto list_opts = std::make_shared<MemberOptions>();
  auto* list = member->add_subcommand("list", "List members in enrolment order");
  list->add_option("--after", list_opts->id, "Only members after this id (paging)");
  list->add_option("--limit", list_opts->limit, "At most this many")->capture_default_str();
  list->callback([&ctx, list_opts] {
    ctx.action = [list_opts](Session& s) -> Status {
      ONECARD_TRY(service::TenantRef t, s.Tenant());
      ONECARD_TRY(std::vector<service::MemberView> found,
                  s.services().members().List(t, list_opts->id, list_opts->limit));
      s.Emit(found, [&] {
        if (found.empty()) s.out() << "No members.\n";
        for (const auto& m : found) PrintMemberLine(s, m);
        if (static_cast<int>(found.size()) == list_opts->limit) {
          s.out() << "More: add --after " << found.back().id << "\n";
        }
      });
      return {};
    };
  });

  auto upd_opts = std::make_shared<MemberOptions>();
  auto* update = member->add_subcommand("update", "Change a member's profile, fields or status");
  update->add_option("id", upd_opts->id, "Member id")->required();
  AddProfileOptions(update, upd_opts);
  update->add_option("--status", upd_opts->status,
                     "pending, registered, repeat, dormant or blacklisted");
  update->add_option("--reason", upd_opts->reason, "Why (required with --status)");
  update->callback([&ctx, upd_opts, update] {
    upd_opts->home_store_given = update->count("--home-store") > 0;
    ctx.action = [upd_opts](Session& s) -> Status {
      ONECARD_TRY(service::MemberChanges changes, Changes(*upd_opts));
      ONECARD_TRY(service::Request req, s.MakeRequest(false));
      ONECARD_TRY(service::MemberView m, s.services().members().Update(req, upd_opts->id, changes));
      s.Emit(m, [&] {
        s.out() << "Updated ";
        PrintMember(s, m);
      });
      return {};
    };
  });
}

}  // namespace onecard::cli
