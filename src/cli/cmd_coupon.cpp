// Commands: coupon — campaigns (create, list, show, stop, resume), issue (to a member or as a
// batch of bearer coupons), list, show, void and check (issue #5, R-504).
#include <ostream>

#include "cli/context.hpp"
#include "cli/secret_file.hpp"
#include "core/csv.hpp"
#include "core/money.hpp"

namespace onecard::cli {

using core::Result;
using core::Status;
using core::Yuan;

namespace {

struct CouponCliOptions {
  std::string code, name, percent, amount, max_discount, min_spend, from, until, promo, card, out,
      state;
  std::vector<std::string> skus, categories, stores;
  std::int64_t valid_days = 0, per_member = 0, total = 0, count = 1, id = 0, after = 0;
  std::optional<std::int64_t> uses;
  std::string budget;
  bool no_restore = false, batch = false;
  int limit = 100;
};

Result<std::int64_t> OptFen(const std::string& yuan, std::string_view field) {
  if (yuan.empty()) return std::int64_t{0};
  ONECARD_TRY(core::Money m, core::Money::Parse(yuan, field, core::SignPolicy::kPositiveOnly));
  return m.fen();
}

Result<std::optional<core::CivilDate>> OptDay(const std::string& text, std::string_view field) {
  if (text.empty()) return std::optional<core::CivilDate>{};
  ONECARD_TRY(core::CivilDate d, core::CivilDate::Parse(text, field));
  return std::optional<core::CivilDate>(d);
}

void PrintCampaign(Session& s, const service::CampaignView& c) {
  std::ostream& out = s.out();
  out << c.code << "  " << c.name << "  " << c.terms << "  " << c.state << "\n";
  out << "  valid " << c.valid_from.ToString() << " to "
      << (c.valid_until ? c.valid_until->ToString() : std::string("no end"));
  if (c.valid_days > 0) out << ", " << c.valid_days << " days from issue";
  out << "\n";
  if (!c.promo_code.empty()) out << "  promo code " << c.promo_code << "\n";
  if (!c.skus.empty() || !c.categories.empty()) {
    out << "  for";
    for (const std::string& sku : c.skus) out << " " << sku;
    for (const std::string& cat : c.categories) out << " category:" << cat;
    out << " (never bundles)\n";
  }
  if (!c.stores.empty()) {
    out << "  at";
    for (const std::string& st : c.stores) out << " " << st;
    out << "\n";
  }
  const auto limit = [](std::int64_t n) { return n > 0 ? std::to_string(n) : std::string("any"); };
  out << "  uses: " << limit(c.uses_per_coupon) << " per coupon, " << limit(c.per_member_limit)
      << " per member, " << limit(c.total_limit) << " in all"
      << (c.budget ? ", budget ¥" + Yuan(c.budget) : "") << "; "
      << (c.restore_on_return ? "a full return gives the use back" : "a return keeps the use")
      << "\n";
  out << "  issued " << c.issued << ", used " << c.used << ", discount given ¥"
      << Yuan(c.discount_given);
  if (c.budget_left) out << ", budget left ¥" << Yuan(*c.budget_left);
  out << "\n";
}

void PrintCoupon(Session& s, const service::CouponView& c) {
  s.out() << c.id << "  " << (c.code.empty() ? c.hint : c.code) << "  " << c.campaign << "  "
          << c.terms << "  " << c.state;
  if (c.member_id > 0) s.out() << "  member " << c.member_id;
  s.out() << "  valid " << c.valid_from.ToString() << " to "
          << (c.valid_until ? c.valid_until->ToString() : std::string("no end"));
  s.out() << "  used " << c.used;
  if (c.uses_left) s.out() << " (" << *c.uses_left << " left)";
  s.out() << (c.usable ? "  usable" : "  not usable") << "\n";
  for (const service::CouponRedemptionView& r : c.redemptions) {
    s.out() << "  sale " << r.sale_id << "  " << s.Local(r.at) << "  −¥" << Yuan(r.discount);
    if (r.return_id) s.out() << "  (given back by return " << *r.return_id << ")";
    s.out() << "\n";
  }
}

void AddCampaign(CLI::App& group, CliContext& ctx, const std::shared_ptr<CouponCliOptions>& o) {
  auto* campaign = group.add_subcommand("campaign", "Coupon campaigns");
  campaign->require_subcommand(1);
  auto* create = campaign->add_subcommand("create", "Make a campaign: what its coupons take off");
  create->add_option("code", o->code, "Campaign code (a-z, 0-9, _ and -)")->required();
  create->add_option("--name", o->name, "Name shown on receipts")->required();
  create->add_option("--percent", o->percent, "Percent off, e.g. 15 or 12.5");
  create->add_option("--amount", o->amount, "Yuan off, e.g. 20.00");
  create->add_option("--max-discount", o->max_discount, "A percent coupon takes at most (yuan)");
  create->add_option("--min-spend", o->min_spend, "Yuan the lines it is for must come to");
  create->add_option("--sku", o->skus, "Only these products (repeatable)");
  create->add_option("--category", o->categories, "Only these categories (repeatable)");
  create->add_option("--store", o->stores, "Only at these stores (repeatable)");
  create->add_option("--from", o->from, "First day of use (YYYY-MM-DD, default today)");
  create->add_option("--until", o->until, "Last day of use");
  create->add_option("--valid-days", o->valid_days, "An issued coupon may be used N days");
  create->add_option("--promo-code", o->promo, "One shared code instead of unique coupons");
  create->add_option("--uses", o->uses, "Uses per coupon (default 1; 0: no limit)");
  create->add_option("--per-member", o->per_member, "Uses per member (0: no limit)");
  create->add_option("--total", o->total, "Uses in all (0: no limit)");
  create->add_option("--budget", o->budget, "Yuan of discount in all");
  create->add_flag("--no-restore", o->no_restore, "A return does not give the use back");
  create->callback([&ctx, o] {
    ctx.action = [o](Session& s) -> Status {
      service::CampaignSpec c;
      c.code = o->code;
      c.name = o->name;
      if (!o->percent.empty() && !o->amount.empty()) {
        return core::MakeError(core::ErrorCode::kFieldInvalid, "give --percent or --amount",
                               "kind");
      }
      c.kind = o->percent.empty() ? "fixed" : "percent";
      c.percent_off = o->percent;
      ONECARD_TRY(c.amount_off, OptFen(o->amount, "amount"));
      ONECARD_TRY(c.max_discount, OptFen(o->max_discount, "max_discount"));
      ONECARD_TRY(c.min_spend, OptFen(o->min_spend, "min_spend"));
      ONECARD_TRY(c.budget, OptFen(o->budget, "budget"));
      c.skus = o->skus;
      c.categories = o->categories;
      c.stores = o->stores;
      ONECARD_TRY(c.valid_from, OptDay(o->from, "from"));
      ONECARD_TRY(c.valid_until, OptDay(o->until, "until"));
      c.valid_days = o->valid_days;
      c.promo_code = o->promo;
      c.uses_per_coupon = o->uses;
      c.per_member_limit = o->per_member;
      c.total_limit = o->total;
      c.restore_on_return = !o->no_restore;
      ONECARD_TRY(service::Request req, s.MakeRequest(false));
      ONECARD_TRY(service::CampaignView v, s.services().coupons().CreateCampaign(req, c));
      s.Emit(v, [&] {
        s.out() << "Made coupon campaign ";
        PrintCampaign(s, v);
      });
      return {};
    };
  });
  campaign->add_subcommand("list", "Every campaign, newest first")->callback([&ctx] {
    ctx.action = [](Session& s) -> Status {
      ONECARD_TRY(service::TenantRef t, s.Tenant());
      ONECARD_TRY(std::vector<service::CampaignView> all, s.services().coupons().ListCampaigns(t));
      s.Emit(all, [&] {
        if (all.empty()) s.out() << "No coupon campaigns.\n";
        for (const auto& c : all) PrintCampaign(s, c);
      });
      return {};
    };
  });
  auto* show = campaign->add_subcommand("show", "One campaign");
  show->add_option("code", o->code, "Campaign code")->required();
  show->callback([&ctx, o] {
    ctx.action = [o](Session& s) -> Status {
      ONECARD_TRY(service::TenantRef t, s.Tenant());
      ONECARD_TRY(service::CampaignView c, s.services().coupons().GetCampaign(t, o->code));
      s.Emit(c, [&] { PrintCampaign(s, c); });
      return {};
    };
  });
  for (const bool stop : {true, false}) {
    auto* cmd = campaign->add_subcommand(
        stop ? "stop" : "resume",
        stop ? "Stop a campaign: no more issuing or use" : "Resume a stopped campaign");
    cmd->add_option("code", o->code, "Campaign code")->required();
    cmd->callback([&ctx, o, stop] {
      ctx.action = [o, stop](Session& s) -> Status {
        ONECARD_TRY(service::Request req, s.MakeRequest(false));
        ONECARD_TRY(service::CampaignView c, s.services().coupons().SetCampaignState(
                                                 req, o->code, stop ? "stopped" : "active"));
        s.Emit(c, [&] { PrintCampaign(s, c); });
        return {};
      };
    });
  }
}

}  // namespace

void AddCouponCommands(CLI::App& app, CliContext& ctx) {
  auto* group = app.add_subcommand("coupon", "Coupons: campaigns, issuing, look-ups");
  group->require_subcommand(1);
  auto o = std::make_shared<CouponCliOptions>();
  AddCampaign(*group, ctx, o);

  auto* issue = group->add_subcommand(
      "issue", "Issue a campaign's coupons to a member (--card) or as bearer coupons (--batch)");
  issue->add_option("campaign", o->code, "Campaign code")->required();
  issue->add_option("--card", o->card, "The member's card");
  issue->add_flag("--batch", o->batch, "Bearer coupons, for anyone holding the code");
  issue->add_option("--count", o->count, "How many (member: 1-100, batch: 1-10,000)");
  issue->add_option("--out", o->out, "Write the codes as CSV to this new file");
  issue->callback([&ctx, o] {
    ctx.action = [o](Session& s) -> Status {
      if (o->card.empty() == !o->batch) {
        return core::MakeError(core::ErrorCode::kFieldInvalid,
                               "give --card (a member's coupons) or --batch (bearer coupons)",
                               "card");
      }
      ONECARD_TRY(service::Request req, s.MakeRequest(true));
      SecretFile file;
      if (!o->out.empty()) ONECARD_CHECK(file.Open(o->out));
      ONECARD_TRY(service::IssueView v,
                  s.services().coupons().Issue(req, o->code, {o->card, o->count}));
      std::string csv =
          core::CsvRecord(std::vector<std::string>{"id", "code", "valid_from", "valid_until"});
      for (const service::CouponView& c : v.coupons) {
        csv += core::CsvRecord(
            std::vector<std::string>{std::to_string(c.id), c.code, c.valid_from.ToString(),
                                     c.valid_until ? c.valid_until->ToString() : ""});
      }
      if (!o->out.empty()) {
        if (Status written = file.Write(csv); !written) {
          s.out() << csv;  // the only other place the codes will ever be
          return written;
        }
      }
      if (!o->out.empty()) {  // the codes went to the file only
        for (service::CouponView& c : v.coupons) c.code.clear();
      }
      s.Emit(v, [&] {
        s.out() << "Issued " << v.coupons.size() << " coupon" << (v.coupons.size() == 1 ? "" : "s")
                << " of campaign " << v.campaign
                << (v.member_id ? " to member " + std::to_string(v.member_id) : "") << ". Codes "
                << v.codes << "\n";
        if (o->out.empty()) {
          for (const service::CouponView& c : v.coupons) PrintCoupon(s, c);
        } else {
          s.out() << "Codes written to " << o->out << "\n";
        }
      });
      return {};
    };
  });

  auto* list = group->add_subcommand("list", "A campaign's coupons (a member's, with --card)");
  list->add_option("campaign", o->code, "Campaign code")->required();
  list->add_option("--card", o->card, "Only the coupons of this card's member");
  list->add_option("--after", o->after, "Continue after this coupon id");
  list->add_option("--limit", o->limit, "At most this many (default 100)");
  list->callback([&ctx, o] {
    ctx.action = [o](Session& s) -> Status {
      ONECARD_TRY(service::TenantRef t, s.Tenant());
      ONECARD_TRY(service::CouponPage page,
                  s.services().coupons().ListCoupons(t, o->code, o->card, o->after, o->limit));
      s.Emit(page.items, [&] {
        if (page.items.empty()) s.out() << "No coupons.\n";
        for (const auto& c : page.items) PrintCoupon(s, c);
        if (page.next_after) s.out() << "more: --after " << *page.next_after << "\n";
      });
      return {};
    };
  });

  auto* show = group->add_subcommand("show", "One coupon, with its uses");
  show->add_option("id", o->id, "Coupon id")->required();
  show->callback([&ctx, o] {
    ctx.action = [o](Session& s) -> Status {
      ONECARD_TRY(service::TenantRef t, s.Tenant());
      ONECARD_TRY(service::CouponView c, s.services().coupons().GetCoupon(t, o->id));
      s.Emit(c, [&] { PrintCoupon(s, c); });
      return {};
    };
  });

  auto* void_cmd = group->add_subcommand("void", "Void a coupon: it can no longer be used");
  void_cmd->add_option("id", o->id, "Coupon id")->required();
  void_cmd->callback([&ctx, o] {
    ctx.action = [o](Session& s) -> Status {
      ONECARD_TRY(service::Request req, s.MakeRequest(false));
      ONECARD_TRY(service::CouponView c, s.services().coupons().Void(req, o->id));
      s.Emit(c, [&] { PrintCoupon(s, c); });
      return {};
    };
  });

  auto* check = group->add_subcommand("check", "What a code is and whether it may be used today");
  check->add_option("code", o->code, "The coupon or promo code")->required();
  check->callback([&ctx, o] {
    ctx.action = [o](Session& s) -> Status {
      ONECARD_TRY(service::Request req, s.MakeRequest(false));
      ONECARD_TRY(service::CouponCheckView c, s.services().coupons().Check(req, o->code));
      s.Emit(c, [&] {
        s.out() << c.kind << " " << c.hint << " of campaign " << c.campaign << " (" << c.name
                << "): " << c.terms;
        if (c.member_id > 0) s.out() << ", member " << c.member_id << "'s own";
        s.out() << "\n" << (c.usable ? "usable today" : "not usable: " + c.reason) << "\n";
      });
      return {};
    };
  });
}

}  // namespace onecard::cli
