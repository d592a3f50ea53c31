// Commands: tenant, region, store, card-type, field.
#include <ostream>

#include "cli/context.hpp"
#include "cli/print.hpp"

namespace onecard::cli {

using core::Result;
using core::Status;

namespace {

struct OrgOptions {
  std::string code;
  std::string name;
  std::string timezone = "Asia/Shanghai";
  std::string parent;
  std::string region;
  std::string address;
  std::string kind = "personal";
  int validity_months = 0;
  std::string fee = "0";
  std::string label;
  std::string type = "text";
  std::vector<std::string> choices;
  bool indexed = false;
  bool member_editable = false;
};

void AddTenant(CLI::App& app, CliContext& ctx, std::shared_ptr<OrgOptions> o) {
  auto* tenant = app.add_subcommand("tenant", "Tenants: the merchants, chains or alliances");
  tenant->require_subcommand(1);
  auto* add = tenant->add_subcommand("add", "Add a tenant");
  add->add_option("code", o->code, "Tenant code (a-z, 0-9, _ and -)")->required();
  add->add_option("--name", o->name, "Name")->required();
  add->add_option("--timezone", o->timezone, "IANA time zone")->capture_default_str();
  add->callback([&ctx, o] {
    ctx.action = [o](Session& s) -> Status {
      ONECARD_TRY(service::TenantRef t,
                  s.services().org().CreateTenant(o->code, o->name, o->timezone));
      s.Emit(service::TenantView{t.code, o->name, t.timezone},
             [&] { s.out() << "Added tenant " << t.code << " (" << t.timezone << ")\n"; });
      return {};
    };
  });
  auto* list = tenant->add_subcommand("list", "List tenants");
  list->callback([&ctx] {
    ctx.action = [](Session& s) -> Status {
      ONECARD_TRY(std::vector<service::TenantView> all, s.services().org().ListTenants());
      s.Emit(all, [&] {
        for (const auto& t : all) s.out() << t.code << "  " << t.name << "  " << t.timezone << "\n";
      });
      return {};
    };
  });
}

void AddRegionAndStore(CLI::App& app, CliContext& ctx, std::shared_ptr<OrgOptions> o) {
  auto* region = app.add_subcommand("region", "Regions between head office and stores");
  region->require_subcommand(1);
  auto* radd = region->add_subcommand("add", "Add a region");
  radd->add_option("code", o->code, "Region code")->required();
  radd->add_option("--name", o->name, "Name")->required();
  radd->add_option("--parent", o->parent, "Parent region code");
  radd->callback([&ctx, o] {
    ctx.action = [o](Session& s) -> Status {
      ONECARD_TRY(service::Request req, s.MakeRequest(false));
      ONECARD_TRY(service::RegionView r,
                  s.services().org().AddRegion(req, o->code, o->name, o->parent));
      s.Emit(r, [&] { s.out() << "Added region " << r.code << " " << r.name << "\n"; });
      return {};
    };
  });
  region->add_subcommand("list", "List regions")->callback([&ctx] {
    ctx.action = [](Session& s) -> Status {
      ONECARD_TRY(service::TenantRef t, s.Tenant());
      ONECARD_TRY(std::vector<service::RegionView> all, s.services().org().ListRegions(t));
      s.Emit(all, [&] {
        for (const auto& r : all) {
          s.out() << r.code << "  " << r.name;
          if (!r.parent.empty()) s.out() << "  (in " << r.parent << ")";
          s.out() << "\n";
        }
      });
      return {};
    };
  });

  auto* store = app.add_subcommand("store", "Stores (outlets, or alliance merchants' shops)");
  store->require_subcommand(1);
  auto* sadd = store->add_subcommand("add", "Add a store");
  sadd->add_option("code", o->code, "Store code")->required();
  sadd->add_option("--name", o->name, "Name")->required();
  sadd->add_option("--region", o->region, "Region code");
  sadd->add_option("--address", o->address, "Address");
  sadd->callback([&ctx, o] {
    ctx.action = [o](Session& s) -> Status {
      ONECARD_TRY(service::Request req, s.MakeRequest(false));
      ONECARD_TRY(service::StoreView v,
                  s.services().org().AddStore(req, o->code, o->name, o->region, o->address));
      s.Emit(v, [&] { s.out() << "Added store " << v.code << " " << v.name << "\n"; });
      return {};
    };
  });
  store->add_subcommand("list", "List stores")->callback([&ctx] {
    ctx.action = [](Session& s) -> Status {
      ONECARD_TRY(service::TenantRef t, s.Tenant());
      ONECARD_TRY(std::vector<service::StoreView> all, s.services().org().ListStores(t));
      s.Emit(all, [&] {
        for (const auto& v : all) {
          s.out() << v.code << "  " << v.name;
          if (!v.region.empty()) s.out() << "  (region " << v.region << ")";
          s.out() << "\n";
        }
      });
      return {};
    };
  });
}

void PrintPassTerms(Session& s, const service::PassTermsView& v) {
  std::ostream& o = s.out();
  o << "Card type " << v.card_type << " (" << v.kind << ") pays for";
  for (const std::string& sku : v.skus) o << " " << sku;
  for (const std::string& c : v.categories) o << " " << c << "/*";
  o << "\n  at";
  if (v.stores.empty()) o << " every store";
  for (const std::string& store : v.stores) o << " " << store;
  o << " · " << (v.per_day == 0 ? "no daily limit" : std::to_string(v.per_day) + " a day") << "\n";
}

void AddCardTypes(CLI::App& app, CliContext& ctx, std::shared_ptr<OrgOptions> o) {
  auto* ct = app.add_subcommand("card-type", "Card types the tenant issues");
  ct->require_subcommand(1);
  auto* add = ct->add_subcommand("add", "Add a card type");
  add->add_option("code", o->code, "Type code")->required();
  add->add_option("--name", o->name, "Name")->required();
  add->add_option("--kind", o->kind,
                  "personal, linked, group, stored_value, points, count, pass or gift")
      ->capture_default_str();
  add->add_option("--validity-months", o->validity_months, "Membership validity (0: none)");
  add->add_option("--fee", o->fee, "Membership fee in yuan, charged on issue and renewal");
  add->callback([&ctx, o] {
    ctx.action = [o](Session& s) -> Status {
      ONECARD_TRY(core::CardKind kind, core::ParseCardKind(o->kind));
      std::int64_t fee = 0;
      if (o->fee != "0") {
        ONECARD_TRY(core::Money m,
                    core::Money::Parse(o->fee, "fee", core::SignPolicy::kPositiveOnly));
        fee = m.fen();
      }
      ONECARD_TRY(service::Request req, s.MakeRequest(false));
      ONECARD_TRY(service::CardTypeView v,
                  s.services().org().AddCardType(
                      req, service::CardTypeSpec{o->code, o->name, kind, o->validity_months, fee}));
      s.Emit(v, [&] { s.out() << "Added card type " << v.code << " (" << v.kind << ")\n"; });
      return {};
    };
  });
  // What a count card or pass pays for (docs/passes.md).
  auto terms = std::make_shared<service::PassTermsSpec>();
  auto terms_code = std::make_shared<std::string>();
  auto* set_terms = ct->add_subcommand("pass-terms", "Set what a count card or pass pays for");
  set_terms->add_option("code", *terms_code, "Type code (of kind count or pass)")->required();
  set_terms->add_option("--sku", terms->skus, "A SKU it pays for (repeat)");
  set_terms->add_option("--category", terms->categories,
                        "A category it pays for, with those below (repeat)");
  set_terms->add_option("--store", terms->stores, "A store it is used at (repeat; none: every)");
  set_terms->add_option("--per-day", terms->per_day, "Uses a day (0: no limit)");
  set_terms->callback([&ctx, terms, terms_code] {
    ctx.action = [terms, terms_code](Session& s) -> Status {
      ONECARD_TRY(service::Request req, s.MakeRequest(false));
      ONECARD_TRY(service::PassTermsView v,
                  s.services().passes().SetTerms(req, *terms_code, *terms));
      s.Emit(v, [&] { PrintPassTerms(s, v); });
      return {};
    };
  });
  auto* show_terms = ct->add_subcommand("pass-terms-show", "What a count card or pass pays for");
  show_terms->add_option("code", *terms_code, "Type code")->required();
  show_terms->callback([&ctx, terms_code] {
    ctx.action = [terms_code](Session& s) -> Status {
      ONECARD_TRY(service::TenantRef t, s.Tenant());
      ONECARD_TRY(service::PassTermsView v, s.services().passes().Terms(t, *terms_code));
      s.Emit(v, [&] { PrintPassTerms(s, v); });
      return {};
    };
  });
  ct->add_subcommand("list", "List card types")->callback([&ctx] {
    ctx.action = [](Session& s) -> Status {
      ONECARD_TRY(service::TenantRef t, s.Tenant());
      ONECARD_TRY(std::vector<service::CardTypeView> all, s.services().org().ListCardTypes(t));
      s.Emit(all, [&] {
        for (const auto& v : all) {
          s.out() << v.code << "  " << v.name << "  " << v.kind;
          if (v.validity_months > 0) s.out() << "  valid " << v.validity_months << " months";
          if (v.fee_fen > 0) s.out() << "  fee " << core::Money::Fen(v.fee_fen).ToString();
          s.out() << "\n";
        }
      });
      return {};
    };
  });
}

void AddFields(CLI::App& app, CliContext& ctx, std::shared_ptr<OrgOptions> o) {
  auto* field = app.add_subcommand("field", "Custom member fields");
  field->require_subcommand(1);
  auto* define = field->add_subcommand("define", "Define a custom field");
  define->add_option("key", o->code, "Field key (a-z, 0-9, _ and -)")->required();
  define->add_option("--label", o->label, "Label shown to people")->required();
  define->add_option("--type", o->type, "text, number, date, choice or bool")
      ->capture_default_str();
  define->add_option("--choices", o->choices, "Choices of a choice field")->delimiter(',');
  define->add_flag("--indexed", o->indexed, "Searchable with `member find`");
  define->add_flag("--member-editable", o->member_editable, "Members may edit it themselves");
  define->callback([&ctx, o] {
    ctx.action = [o](Session& s) -> Status {
      ONECARD_TRY(core::FieldType type, core::ParseFieldType(o->type));
      ONECARD_TRY(service::Request req, s.MakeRequest(false));
      ONECARD_TRY(service::FieldView v,
                  s.services().org().DefineField(
                      req, core::FieldDefinition{o->code, o->label, type, o->choices, o->indexed,
                                                 o->member_editable}));
      s.Emit(v, [&] { s.out() << "Defined field " << v.key << " (" << v.type << ")\n"; });
      return {};
    };
  });
  field->add_subcommand("list", "List custom fields")->callback([&ctx] {
    ctx.action = [](Session& s) -> Status {
      ONECARD_TRY(service::TenantRef t, s.Tenant());
      ONECARD_TRY(std::vector<service::FieldView> all, s.services().org().ListFields(t));
      s.Emit(all, [&] {
        for (const auto& v : all) {
          s.out() << v.key << "  " << v.label << "  " << v.type;
          if (v.indexed) s.out() << "  indexed";
          if (v.member_editable) s.out() << "  member-editable";
          s.out() << "\n";
        }
      });
      return {};
    };
  });
}

}  // namespace

void AddOrgCommands(CLI::App& app, CliContext& ctx) {
  auto options = std::make_shared<OrgOptions>();
  AddTenant(app, ctx, options);
  AddRegionAndStore(app, ctx, options);
  AddCardTypes(app, ctx, options);
  AddFields(app, ctx, options);
}

}  // namespace onecard::cli
