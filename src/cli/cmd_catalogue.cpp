// Commands: category, product (set, show, list, import, export), promotion (issue #5).
#include <fstream>
#include <ostream>

#include "cli/context.hpp"
#include "core/money.hpp"

namespace onecard::cli {

using core::ErrorCode;
using core::MakeError;
using core::Result;
using core::Status;
using core::Yuan;

namespace {

struct CatalogueOptions {
  std::string code, name, parent, sku, file, category, q, price, item_class, non_earning, bundle,
      status, from, to;
  std::vector<std::string> categories, tier_prices;
  bool clear_categories = false, all = false;
  std::optional<std::string> new_name, new_parent;
  int limit = 100;
  std::int64_t id = 0;
};

void PrintProduct(std::ostream& out, const service::ProductView& p, bool detail) {
  out << p.sku << "  " << p.name << "  ¥" << Yuan(p.list_price) << "  " << p.item_class;
  if (!p.categories.empty()) {
    out << "  in";
    for (const std::string& c : p.categories) out << " " << c;
  }
  if (p.non_earning) out << "  non-earning";
  if (p.bundle) out << "  bundle";
  if (p.status != "active") out << "  " << p.status;
  out << "\n";
  if (!detail) return;
  for (const service::TierPriceView& t : p.tier_prices) {
    out << "  " << t.tier << " price ¥" << Yuan(t.price) << "\n";
  }
}

void PrintPromotion(Session& s, const service::PromotionView& p) {
  s.out() << p.id << "  " << p.sku << "  " << p.name << "  ¥" << Yuan(p.price) << "  "
          << s.Local(p.starts_at) << " to " << s.Local(p.ends_at) << "  " << p.status << "\n";
}

void AddCategory(CLI::App& app, CliContext& ctx, std::shared_ptr<CatalogueOptions> o) {
  auto* group = app.add_subcommand("category", "Catalogue categories (a tree)");
  group->require_subcommand(1);
  auto* add = group->add_subcommand("add", "Add a category");
  add->add_option("code", o->code, "Category code (a-z, 0-9, _ and -)")->required();
  add->add_option("--name", o->name, "Name")->required();
  add->add_option("--parent", o->parent, "The category it sits in");
  add->callback([&ctx, o] {
    ctx.action = [o](Session& s) -> Status {
      ONECARD_TRY(service::Request req, s.MakeRequest(false));
      ONECARD_TRY(service::CategoryView c,
                  s.services().catalogue().AddCategory(req, o->code, o->name, o->parent));
      s.Emit(c, [&] { s.out() << "Added category " << c.code << " " << c.name << "\n"; });
      return {};
    };
  });
  auto* set = group->add_subcommand("set", "Rename a category or move it");
  set->add_option("code", o->code, "Category code")->required();
  set->add_option("--name", o->new_name, "New name");
  set->add_option("--parent", o->new_parent, "New parent (\"\": to the top)");
  set->callback([&ctx, o] {
    ctx.action = [o](Session& s) -> Status {
      ONECARD_TRY(service::Request req, s.MakeRequest(false));
      ONECARD_TRY(service::CategoryView c, s.services().catalogue().UpdateCategory(
                                               req, o->code, o->new_name, o->new_parent));
      s.Emit(c, [&] { s.out() << "Category " << c.code << " " << c.name << "\n"; });
      return {};
    };
  });
  group->add_subcommand("list", "The category tree")->callback([&ctx] {
    ctx.action = [](Session& s) -> Status {
      ONECARD_TRY(service::TenantRef t, s.Tenant());
      ONECARD_TRY(std::vector<service::CategoryView> all,
                  s.services().catalogue().ListCategories(t));
      s.Emit(all, [&] {
        for (const auto& c : all) {
          s.out() << std::string(2 * (c.path.size() - 1), ' ') << c.code << "  " << c.name << "\n";
        }
      });
      return {};
    };
  });
}

void AddProduct(CLI::App& app, CliContext& ctx, std::shared_ptr<CatalogueOptions> o) {
  auto* group = app.add_subcommand("product", "Catalogue products (by SKU)");
  group->require_subcommand(1);
  auto* set = group->add_subcommand(
      "set", "Create a product, or change the options given of an existing one");
  set->add_option("sku", o->sku, "SKU (A-Z, a-z, 0-9, '.', '_', '-')")->required();
  set->add_option("--name", o->name, "Name (required for a new product)");
  set->add_option("--price", o->price, "List price per unit, yuan (required for a new product)");
  set->add_option("--class", o->item_class, "Item class: goods, labour, parts… (default goods)");
  set->add_option("--category", o->categories, "A category it sits in (repeatable)");
  set->add_flag("--no-categories", o->clear_categories, "Take it out of every category");
  set->add_option("--non-earning", o->non_earning, "yes or no: earns no points");
  set->add_option("--bundle", o->bundle, "yes or no: a bundle (coupons do not combine with it)");
  set->add_option("--status", o->status, "active or retired");
  set->add_option("--tier-price", o->tier_prices,
                  "TIER=YUAN, the tier's own price (repeatable; TIER= removes it)");
  set->callback([&ctx, o] {
    ctx.action = [o](Session& s) -> Status {
      ONECARD_TRY(service::Request req, s.MakeRequest(false));
      service::CatalogueService& cat = s.services().catalogue();
      service::ProductSpec spec;
      Result<service::ProductView> existing = cat.GetProduct(req.tenant, o->sku);
      if (existing) {
        spec =
            service::ProductSpec{existing->sku,        existing->name,       existing->list_price,
                                 existing->item_class, existing->categories, existing->non_earning,
                                 existing->bundle,     existing->status,     existing->tier_prices};
      } else if (existing.error().code != ErrorCode::kProductNotFound) {
        return existing.error();
      } else {
        spec.sku = o->sku;
        if (o->name.empty() || o->price.empty()) {
          return MakeError(ErrorCode::kInvalidArgument,
                           o->sku + " is a new product: give --name and --price", "name");
        }
      }
      if (!o->name.empty()) spec.name = o->name;
      if (!o->price.empty()) {
        ONECARD_TRY(spec.list_price, service::ParsePrice(o->price, "price"));
      }
      if (!o->item_class.empty()) spec.item_class = o->item_class;
      if (o->clear_categories) spec.categories.clear();
      if (!o->categories.empty()) spec.categories = o->categories;
      if (!o->non_earning.empty()) {
        ONECARD_TRY(spec.non_earning, service::ParseYesNo(o->non_earning, "non-earning"));
      }
      if (!o->bundle.empty()) {
        ONECARD_TRY(spec.bundle, service::ParseYesNo(o->bundle, "bundle"));
      }
      if (!o->status.empty()) spec.status = o->status;
      for (const std::string& tp : o->tier_prices) {
        const std::size_t eq = tp.find('=');
        if (eq == std::string::npos || eq == 0) {
          return MakeError(ErrorCode::kInvalidArgument,
                           "--tier-price " + tp + ": expected TIER=YUAN (gold=45.00)",
                           "tier-price");
        }
        const std::string tier = tp.substr(0, eq);
        std::erase_if(spec.tier_prices, [&](const auto& t) { return t.tier == tier; });
        if (eq + 1 < tp.size()) {
          ONECARD_TRY(std::int64_t fen, service::ParsePrice(tp.substr(eq + 1), "tier-price"));
          spec.tier_prices.push_back({tier, fen});
        }
      }
      ONECARD_TRY(service::ProductView v, cat.PutProduct(req, spec));
      s.Emit(v, [&] {
        s.out() << (existing ? "Updated " : "Added ");
        PrintProduct(s.out(), v, true);
      });
      return {};
    };
  });
  auto* show = group->add_subcommand("show", "One product with its tier prices and promotions");
  show->add_option("sku", o->sku, "SKU")->required();
  show->callback([&ctx, o] {
    ctx.action = [o](Session& s) -> Status {
      ONECARD_TRY(service::TenantRef t, s.Tenant());
      ONECARD_TRY(service::ProductView v, s.services().catalogue().GetProduct(t, o->sku));
      s.Emit(v, [&] {
        PrintProduct(s.out(), v, true);
        for (const auto& p : v.promotions) {
          s.out() << "  promotion ";
          PrintPromotion(s, p);
        }
      });
      return {};
    };
  });
  auto* list = group->add_subcommand("list", "Products by SKU");
  list->add_option("--category", o->category, "In this category or below it");
  list->add_option("--q", o->q, "SKU or name contains this");
  list->add_flag("--all", o->all, "Retired products too");
  list->add_option("--after", o->sku, "Start after this SKU (the last of the previous page)");
  list->add_option("--limit", o->limit, "At most this many (1–500)")->capture_default_str();
  list->callback([&ctx, o] {
    ctx.action = [o](Session& s) -> Status {
      ONECARD_TRY(service::TenantRef t, s.Tenant());
      service::ProductQuery q{o->sku, o->category, o->q, o->all, o->limit};
      ONECARD_TRY(service::ProductPage page, s.services().catalogue().ListProducts(t, q));
      s.Emit(page.products, [&] {
        for (const auto& p : page.products) PrintProduct(s.out(), p, false);
        if (!page.next.empty()) s.out() << "(more: --after " << page.next << ")\n";
      });
      return {};
    };
  });
  auto* import_cmd = group->add_subcommand(
      "import",
      "Create or update products from CSV, by SKU: every row or none (docs/catalogue.md)");
  import_cmd->add_option("file", o->file, "CSV file (UTF-8)")->required();
  import_cmd->callback([&ctx, o] {
    ctx.action = [o](Session& s) -> Status {
      ONECARD_TRY(std::string text, ReadText(o->file, "file"));
      ONECARD_TRY(service::Request req, s.MakeRequest(false));
      ONECARD_TRY(service::ImportView v, s.services().catalogue().ImportCsv(req, text));
      s.Emit(v, [&] {
        s.out() << "Imported " << o->file << ": " << v.rows << " rows, " << v.created
                << " created, " << v.updated << " updated, " << v.unchanged << " unchanged\n";
      });
      return {};
    };
  });
  auto* export_cmd = group->add_subcommand("export", "Every product as CSV (retired ones too)");
  export_cmd->add_option("file", o->file, "Write to this file (default: standard output)");
  export_cmd->callback([&ctx, o] {
    ctx.action = [o](Session& s) -> Status {
      ONECARD_TRY(service::TenantRef t, s.Tenant());
      ONECARD_TRY(std::string csv, s.services().catalogue().ExportCsv(t));
      if (o->file.empty()) {
        s.out() << csv;
        return {};
      }
      std::ofstream f(o->file, std::ios::binary | std::ios::trunc);
      f << csv;
      f.close();
      if (!f) {
        return MakeError(ErrorCode::kInvalidArgument, "cannot write " + o->file, "file");
      }
      return {};
    };
  });
}

void AddPromotion(CLI::App& app, CliContext& ctx, std::shared_ptr<CatalogueOptions> o) {
  auto* group = app.add_subcommand("promotion", "Promotional prices for a window of time");
  group->require_subcommand(1);
  auto* add = group->add_subcommand(
      "add", "Sell a product at a price for everyone from --from to --to (overrides tier prices)");
  add->add_option("sku", o->sku, "SKU")->required();
  add->add_option("--name", o->name, "Name shown on receipts")->required();
  add->add_option("--price", o->price, "Price per unit, yuan")->required();
  add->add_option("--from", o->from, "Local start: YYYY-MM-DD or YYYY-MM-DDTHH:MM")->required();
  add->add_option("--to", o->to, "Local end: YYYY-MM-DD (to the end of that day) or …THH:MM")
      ->required();
  add->callback([&ctx, o] {
    ctx.action = [o](Session& s) -> Status {
      ONECARD_TRY(service::Request req, s.MakeRequest(false));
      service::PromotionSpec spec;
      spec.sku = o->sku;
      spec.name = o->name;
      ONECARD_TRY(spec.price, service::ParsePrice(o->price, "price"));
      ONECARD_TRY(spec.starts_at,
                  service::ParseLocalInstant(req.tenant.timezone, o->from, false, "from"));
      ONECARD_TRY(spec.ends_at, service::ParseLocalInstant(req.tenant.timezone, o->to, true, "to"));
      ONECARD_TRY(service::PromotionView v, s.services().catalogue().AddPromotion(req, spec));
      s.Emit(v, [&] {
        s.out() << "Added promotion ";
        PrintPromotion(s, v);
      });
      return {};
    };
  });
  auto* list = group->add_subcommand("list", "Promotions in force or to come");
  list->add_option("--sku", o->sku, "Of this product only");
  list->add_flag("--all", o->all, "Ended and cancelled ones too");
  list->callback([&ctx, o] {
    ctx.action = [o](Session& s) -> Status {
      ONECARD_TRY(service::TenantRef t, s.Tenant());
      ONECARD_TRY(std::vector<service::PromotionView> all,
                  s.services().catalogue().ListPromotions(t, o->sku, o->all));
      s.Emit(all, [&] {
        for (const auto& p : all) PrintPromotion(s, p);
      });
      return {};
    };
  });
  auto* end = group->add_subcommand("end", "End a promotion now (or cancel one to come)");
  end->add_option("id", o->id, "Promotion id")->required();
  end->callback([&ctx, o] {
    ctx.action = [o](Session& s) -> Status {
      ONECARD_TRY(service::Request req, s.MakeRequest(false));
      ONECARD_TRY(service::PromotionView v, s.services().catalogue().EndPromotion(req, o->id));
      s.Emit(v, [&] {
        s.out() << "Promotion ";
        PrintPromotion(s, v);
      });
      return {};
    };
  });
}

}  // namespace

void AddCatalogueCommands(CLI::App& app, CliContext& ctx) {
  auto o = std::make_shared<CatalogueOptions>();
  AddCategory(app, ctx, o);
  AddProduct(app, ctx, o);
  AddPromotion(app, ctx, o);
}

}  // namespace onecard::cli
