#include "service/demo.hpp"

#include "core/card.hpp"
#include "service/calendar.hpp"
#include "service/services.hpp"

namespace onecard::service {

using core::Asset;
using core::Result;
using core::Status;

namespace {

constexpr std::int64_t kDay = 86400;

class DemoBuilder {
 public:
  DemoBuilder(storage::Store& store, core::Timestamp now)
      : now_(now), clock_(now.PlusSeconds(-150 * kDay)), services_(store, clock_) {}

  Result<DemoSummary> Build();

 private:
  // Moves the demo clock to `days` after the start, at `hour`:00 Shanghai time.
  void At(int days, int hour) { clock_.Set(start_.PlusSeconds(days * kDay + (hour - 8) * 3600)); }
  Request Req(const std::string& store) {
    Request r;
    r.tenant = tenant_;
    r.actor.staff = "demo";
    r.idempotency_key = "demo-" + std::to_string(++key_);
    if (!store.empty()) {
      Result<Actor> actor = services_.org().ResolveActor(tenant_, staff_for(store), store);
      if (actor) r.actor = *actor;
    }
    r.actor.kind = "system";
    return r;
  }
  static std::string staff_for(const std::string& store) {
    if (store == "bj01") return "wang.clerk";
    if (store == "sh02") return "li.clerk";
    return "zhou.clerk";
  }
  std::optional<core::Timestamp> ValidUntil(core::CivilDate last_day) {
    Result<core::Timestamp> t = EndOfLocalDay(tenant_.timezone, last_day);
    return t ? std::optional<core::Timestamp>(*t) : std::nullopt;
  }
  core::CivilDate Today() { return LocalDate(tenant_.timezone, clock_.Now()); }

  Status Org();
  Result<std::int64_t> Member(const std::vector<std::pair<std::string, std::string>>& profile,
                              const std::vector<std::pair<std::string, std::string>>& custom,
                              const std::string& store, core::EnrolChannel channel);
  Status Issue(std::int64_t member, const std::string& type, const std::string& number,
               const std::string& store, const std::string& primary = "", bool phone = false);
  Status Earn(const std::string& card, std::int64_t points, const std::string& store,
              const std::string& doc, std::optional<core::Timestamp> expires,
              Asset asset = Asset::kPoints, const std::string& reason = "");

  core::Timestamp now_;
  ManualClock clock_;
  Services services_;
  core::Timestamp start_;
  TenantRef tenant_;
  int key_ = 0;
};

std::string DemoNumber(int n) {
  std::string digits = std::to_string(n);
  digits.insert(0, 8 - digits.size(), '0');
  return core::WithLuhnDigit("88" + digits);
}

Status DemoBuilder::Org() {
  ONECARD_TRY(tenant_, services_.org().CreateTenant("demo", "Demo Tea & Bakery 演示茶点连锁",
                                                    "Asia/Shanghai"));
  // Day 0 begins at 08:00 Shanghai time, 150 days before now.
  ONECARD_TRY(start_, StartOfLocalDay(tenant_.timezone, Today()));
  start_ = start_.PlusSeconds(8 * 3600);
  At(0, 9);
  OrgService& org = services_.org();
  ONECARD_CHECK(org.AddRegion(Req(""), "east", "East China 华东", ""));
  ONECARD_CHECK(org.AddRegion(Req(""), "north", "North China 华北", ""));
  ONECARD_CHECK(org.AddStore(Req(""), "sh01", "Shanghai Nanjing Rd 上海南京路店", "east",
                             "上海市黄浦区南京东路 100 号"));
  ONECARD_CHECK(org.AddStore(Req(""), "sh02", "Shanghai Xujiahui 上海徐家汇店", "east",
                             "上海市徐汇区漕溪北路 8 号"));
  ONECARD_CHECK(org.AddStore(Req(""), "bj01", "Beijing Wangfujing 北京王府井店", "north",
                             "北京市东城区王府井大街 25 号"));
  // Logins for the API and the web console (the demo's passwords are printed by `make run`).
  for (const DemoLogin& l : DemoLogins()) {
    ONECARD_CHECK(services_.staff().Add(
        Req(""), StaffSpec{l.username, l.display_name, l.password, l.role, l.store, ""}));
  }
  ONECARD_CHECK(
      org.AddCardType(Req(""), {"member", "Member card 会员卡", core::CardKind::kPersonal, 12, 0}));
  ONECARD_CHECK(
      org.AddCardType(Req(""), {"gold", "Gold card 金卡", core::CardKind::kPersonal, 24, 80000}));
  ONECARD_CHECK(
      org.AddCardType(Req(""), {"family", "Family card 亲情副卡", core::CardKind::kLinked, 0, 0}));
  ONECARD_CHECK(
      org.AddCardType(Req(""), {"gift", "Gift card 礼品卡", core::CardKind::kGift, 0, 0}));
  ONECARD_CHECK(
      org.AddCardType(Req(""), {"tea10", "10 teas 十次茶饮卡", core::CardKind::kCount, 0, 0}));
  ONECARD_CHECK(org.DefineField(Req(""), {"favourite_tea",
                                          "Favourite tea 喜爱的茶",
                                          core::FieldType::kChoice,
                                          {"绿茶", "红茶", "乌龙", "普洱"},
                                          false,
                                          true}));
  ONECARD_CHECK(org.DefineField(
      Req(""), {"wechat", "WeChat id 微信号", core::FieldType::kText, {}, true, true}));
  return {};
}

Result<std::int64_t> DemoBuilder::Member(
    const std::vector<std::pair<std::string, std::string>>& profile,
    const std::vector<std::pair<std::string, std::string>>& custom, const std::string& store,
    core::EnrolChannel channel) {
  MemberChanges changes;
  changes.profile = profile;
  changes.custom = custom;
  changes.channel = channel;
  if (channel == core::EnrolChannel::kOnline) changes.status = core::MemberStatus::kPending;
  ONECARD_TRY(MemberView m, services_.members().Add(Req(store), changes));
  return m.id;
}

Status DemoBuilder::Issue(std::int64_t member, const std::string& type, const std::string& number,
                          const std::string& store, const std::string& primary, bool phone) {
  IssueCardRequest r;
  r.member_id = member;
  r.type = type;
  r.number = phone ? "" : number;
  r.phone_as_number = phone;
  r.primary = primary;
  return core::AsStatus(services_.cards().Issue(Req(store), r));
}

Status DemoBuilder::Earn(const std::string& card, std::int64_t points, const std::string& store,
                         const std::string& doc, std::optional<core::Timestamp> expires,
                         Asset asset, const std::string& reason) {
  return core::AsStatus(
      services_.ledger().Earn(Req(store), EarnRequest{card, asset, points, expires, doc, reason}));
}

Result<DemoSummary> DemoBuilder::Build() {
  ONECARD_CHECK(Org());
  LedgerService& ledger = services_.ledger();
  const std::string a = DemoNumber(1);  // Zhang Wei
  const std::string c = DemoNumber(3);  // Wang Fang, lost and replaced by d
  const std::string d = DemoNumber(4);
  const std::string e = DemoNumber(5);  // Chen Jie, frozen
  const std::string f = DemoNumber(6);  // Liu Yang's family card on a
  const std::string g = DemoNumber(7);  // a gift card
  const std::string h = DemoNumber(8);  // a count card
  const std::string b = "13900139000";  // Li Na: her phone is her card number
  const core::CivilDate year_end{Today().year + 1, 12, 31};
  const std::optional<core::Timestamp> next_year_end = ValidUntil(year_end);

  At(1, 10);
  ONECARD_TRY(std::int64_t zhang, Member({{"name", "张伟 Zhang Wei"},
                                          {"gender", "male"},
                                          {"birthday", "1985-06-15"},
                                          {"phone", "13800138000"},
                                          {"city", "上海"},
                                          {"occupation", "engineer"}},
                                         {{"wechat", "zhangwei85"}, {"favourite_tea", "乌龙"}},
                                         "sh01", core::EnrolChannel::kTill));
  ONECARD_CHECK(Issue(zhang, "member", a, "sh01"));
  ONECARD_CHECK(Earn(a, 320, "sh01", "S-1001", next_year_end));
  At(2, 11);
  const std::string li_birthday =
      core::CivilDate{1992, LocalDate(tenant_.timezone, now_).month, 15}.ToString();
  ONECARD_TRY(std::int64_t li,
              Member({{"name", "李娜 Li Na"},
                      {"gender", "female"},
                      {"birthday", li_birthday},
                      {"phone", "139 0013 9000"},
                      {"city", "北京"}},
                     {{"favourite_tea", "绿茶"}}, "bj01", core::EnrolChannel::kTill));
  ONECARD_CHECK(Issue(li, "gold", b, "bj01", "", /*phone=*/true));
  ONECARD_CHECK(Earn(b, 1200, "bj01", "B-2001", next_year_end));
  At(3, 15);
  ONECARD_TRY(std::int64_t wang, Member({{"name", "王芳 Wang Fang"},
                                         {"gender", "female"},
                                         {"birthday", "1990-03-08"},
                                         {"phone", "13700137000"}},
                                        {}, "sh02", core::EnrolChannel::kTill));
  ONECARD_CHECK(Issue(wang, "member", c, "sh02"));
  ONECARD_CHECK(Earn(c, 500, "sh02", "S-2101", next_year_end));
  ONECARD_CHECK(ledger.TopUp(
      Req("sh02"), TopUpRequest{c, Asset::kStoredValue, 20000, 0, std::nullopt, "T-3001", ""}));
  At(5, 12);
  ONECARD_TRY(std::int64_t chen, Member({{"name", "陈杰 Chen Jie"},
                                         {"gender", "male"},
                                         {"birthday", "1978-11-30"},
                                         {"phone", "13600136000"}},
                                        {}, "sh01", core::EnrolChannel::kTill));
  ONECARD_CHECK(Issue(chen, "member", e, "sh01"));
  // Points from a spring promotion, valid 60 days; an expiry run writes them off later.
  ONECARD_CHECK(Earn(e, 600, "sh01", "S-1010", ValidUntil(Today().PlusDays(60))));
  At(8, 18);
  ONECARD_TRY(std::int64_t liu, Member({{"name", "刘洋 Liu Yang"},
                                        {"gender", "female"},
                                        {"birthday", "1987-09-09"},
                                        {"phone", "13500135000"}},
                                       {}, "sh01", core::EnrolChannel::kTill));
  ONECARD_CHECK(Issue(liu, "family", f, "sh01", a));
  ONECARD_CHECK(
      ledger.TopUp(Req("sh01"), TopUpRequest{a, Asset::kStoredValue, 50000, 5000, std::nullopt,
                                             "T-3002", "top-up 500 get 50"}));
  At(12, 14);
  ONECARD_CHECK(services_.cards().Issue(
      Req("sh01"), IssueCardRequest{0, "gift", g, false, "", false, "sold at the desk"}));
  ONECARD_CHECK(ledger.TopUp(
      Req("sh01"), TopUpRequest{g, Asset::kGiftValue, 20000, 0, std::nullopt, "G-0001", ""}));
  ONECARD_CHECK(
      services_.cards().Issue(Req("bj01"), IssueCardRequest{li, "tea10", h, false, "", false, ""}));
  ONECARD_CHECK(ledger.TopUp(
      Req("bj01"), TopUpRequest{h, Asset::kUses, 10, 0, std::nullopt, "C-0001", "10-tea pass"}));
  At(20, 16);
  ONECARD_CHECK(ledger.Pay(Req("sh02"), PayRequest{a, Asset::kStoredValue, 6800, "S-2150", ""}));
  ONECARD_CHECK(Earn(f, 80, "sh02", "S-2150", next_year_end));
  ONECARD_CHECK(ledger.Pay(Req("sh01"), PayRequest{g, Asset::kGiftValue, 4550, "S-1077", ""}));
  ONECARD_CHECK(ledger.Pay(Req("bj01"), PayRequest{h, Asset::kUses, 2, "B-2040", ""}));
  At(30, 13);
  ONECARD_CHECK(Earn(b, 1200, "bj01", "B-2033", next_year_end));
  ONECARD_CHECK(
      Earn(b, 158, "bj01", "", next_year_end, Asset::kCashablePoints, "referral: introduced 刘洋"));
  At(41, 10);
  // A purchase keyed twice by mistake, reversed the same day.
  ONECARD_TRY(
      EntryReceipt wrong,
      ledger.Earn(Req("sh01"), EarnRequest{a, Asset::kPoints, 999, next_year_end, "S-1099", ""}));
  ONECARD_CHECK(
      ledger.Reverse(Req("sh01"), ReverseRequest{wrong.entry_id, "keyed twice by mistake"}));
  At(55, 19);
  ONECARD_CHECK(ledger.Spend(Req("sh02"), SpendRequest{a, core::AssetSelection::kAnyPoints, 200,
                                                       "R-0301", "teapot gift"}));
  ONECARD_CHECK(ledger.Spend(Req("bj01"), SpendRequest{b, core::AssetSelection::kAnyPoints, 500,
                                                       "R-0302", "mooncake box"}));
  At(70, 2);
  ONECARD_CHECK(ledger.Expire(Req(""), Today().PlusDays(-1)));
  At(90, 11);
  ONECARD_CHECK(Earn(e, 90, "sh01", "S-1150", next_year_end));
  At(100, 17);
  ONECARD_CHECK(
      services_.cards().Apply(Req("sh02"), c, core::CardOp::kReportLost, "lost on the metro"));
  At(101, 10);
  ONECARD_CHECK(services_.cards().Replace(Req("sh02"), c, d, "replacement for a lost card"));
  At(120, 15);
  ONECARD_CHECK(
      services_.cards().Apply(Req(""), e, core::CardOp::kFreeze, "disputed charge under review"));
  ONECARD_CHECK(Member({{"name", "赵磊 Zhao Lei"}, {"phone", "13300133000"}}, {}, "",
                       core::EnrolChannel::kOnline));
  // Points that expire soon, so the balance shows a next expiry.
  clock_.Set(now_.PlusSeconds(-3 * kDay));
  ONECARD_CHECK(
      Earn(a, 150, "sh01", "S-1180", ValidUntil(LocalDate(tenant_.timezone, now_).PlusDays(20))));
  clock_.Set(now_.PlusSeconds(-600));
  // An open hold at a till, waiting for capture.
  ONECARD_CHECK(ledger.Hold(
      Req("bj01"), HoldRequest{b, core::AssetSelection::kAnyPoints, 300, 86400, "B-2099"}));
  clock_.Set(now_);

  DemoSummary summary;
  summary.tenant = tenant_.code;
  summary.logins = DemoLogins();
  ONECARD_TRY(std::vector<StoreView> stores, services_.org().ListStores(tenant_));
  summary.stores = static_cast<std::int64_t>(stores.size());
  ONECARD_TRY(std::vector<MemberView> members, services_.members().List(tenant_, 0, 1000));
  summary.members = static_cast<std::int64_t>(members.size());
  for (const auto& m : members) summary.cards += static_cast<std::int64_t>(m.cards.size());
  summary.cards += 1;  // the bearer gift card
  ONECARD_TRY(VerifyReport report, services_.Verify());
  summary.entries = report.entries;
  summary.highlights = {
      {a, "张伟 Zhang Wei", "points with a near expiry, stored value with a bonus lot"},
      {f, "刘洋 Liu Yang", "a family card sharing 张伟's accounts"},
      {b, "李娜 Li Na", "her phone number is her card; cashable points; an open hold"},
      {d, "王芳 Wang Fang", "replaced lost card " + c + "; balances moved across"},
      {e, "陈杰 Chen Jie", "frozen card; 600 points expired by an expiry run"},
      {g, "(bearer)", "a gift card partly spent"},
      {h, "李娜 Li Na", "a 10-tea count card with 8 uses left"},
  };
  return summary;
}

}  // namespace

Result<DemoSummary> LoadDemo(storage::Store& store, core::Timestamp now) {
  DemoBuilder builder(store, now);
  return builder.Build();
}

std::vector<DemoLogin> DemoLogins() {
  return {
      {"admin", "onecard-admin", "admin", "", "Head office admin 总部管理员"},
      {"marketing", "onecard-marketing", "marketing", "", "Marketing 市场部"},
      {"finance", "onecard-finance", "finance", "", "Finance 财务"},
      {"zhou.manager", "onecard-manager", "store_manager", "sh01", "Zhou (manager, sh01) 周店长"},
      {"zhou.clerk", "onecard-clerk", "clerk", "sh01", "Zhou (clerk, sh01) 周店员"},
      {"wang.clerk", "onecard-clerk", "clerk", "bj01", "Wang (clerk, bj01) 王店员"},
  };
}

}  // namespace onecard::service
