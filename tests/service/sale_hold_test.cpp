// Two-phase settle (issue #5 item 4): a held sale takes its tenders into escrow and reserves its
// coupons and pass visits, earning nothing yet; its capture makes it exactly the sale a settle
// would have made; a void — or the hold running out — puts everything back into the very lots;
// held value can never be spent twice; returns wait for the capture.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "support/test_env.hpp"

namespace onecard::testing {
namespace {

using core::Asset;
using core::ErrorCode;

std::int64_t Query(TestEnv& env, const std::string& sql) {
  return QueryInt(env.db_path(), sql);
}

service::SaleSpec Sale(const std::string& card, std::vector<service::TenderSpec> tenders,
                       const std::string& doc) {
  core::BasketLine shampoo;
  shampoo.sku = "SHAMPOO";
  shampoo.unit_price = 6000;
  core::BasketLine comb;
  comb.sku = "COMB";
  comb.quantity = 2;
  comb.unit_price = 2000;
  return service::SaleSpec{card, {shampoo, comb}, std::move(tenders), doc, {}};
}

service::TenderSpec Tender(const std::string& method, std::int64_t fen, std::int64_t points = 0) {
  return {method, fen, points, "", "", ""};
}

// ¥90 + 1,000 points for a ¥100 basket: ¥10 in points, ¥50 stored value, ¥40 by bank card.
std::vector<service::TenderSpec> MixedTenders() {
  return {Tender("points", 0, 1000), Tender("stored_value", 5000), Tender("bank_card", 4000)};
}

class SaleHoldTest : public ::testing::Test {
 protected:
  SaleHoldTest() {
    UseProgramme(env_, ExampleProgramme("p3.toml"));  // 10 points a yuan; points pay ≤ 10 %
    card_ = env_.NewCard();
    env_.Earn(card_, 1500);
    env_.TopUp(card_, 20000);
  }

  service::MemberTierView State(const std::string& card) {
    auto s = env_.services().tiers().State(env_.tenant(), core::MemberId{env_.MemberOf(card)});
    EXPECT_TRUE(s) << s.error().ToString();
    return s ? *s : service::MemberTierView{};
  }

  TestEnv env_;
  std::string card_;
};

TEST_F(SaleHoldTest, AHeldSaleTakesItsTendersIntoEscrowAndItsCaptureIsTheSaleASettleMakes) {
  auto& checkout = env_.services().checkout();
  auto held = checkout.Hold(env_.Keyed("hold-1"), Sale(card_, MixedTenders(), "R1"), 300);
  ASSERT_TRUE(held) << held.error().ToString();
  EXPECT_EQ(held->status, "held");
  ASSERT_TRUE(held->hold_expires_at.has_value());
  EXPECT_EQ(*held->hold_expires_at, env_.clock().Now().PlusSeconds(300));
  EXPECT_EQ(held->due, 10000);
  EXPECT_EQ(held->points_earned, 900);  // to be earned at the capture
  EXPECT_GT(held->entry_id, 0);
  // The value tendered has left the card (it cannot be spent twice); nothing is earned yet and
  // the member's state has not moved.
  EXPECT_EQ(env_.Balance(card_), 500);
  EXPECT_EQ(env_.Balance(card_, Asset::kStoredValue), 15000);
  EXPECT_EQ(*held->points_balance, 500);
  EXPECT_EQ(State(card_).purchases, 0);
  EXPECT_EQ(State(card_).cumulative_spend, 0);
  EXPECT_EQ(Query(env_, "SELECT count(*) FROM entries WHERE kind = 'hold'"), 1);
  EXPECT_EQ(env_.VerifyProblems(), "");  // escrow holds exactly what the held sale took

  // A held sale takes no returns.
  service::ReturnSpec back;
  back.sale = held->id;
  back.all = true;
  back.doc_no = "RT1";
  back.reason = "changed mind";
  auto early = checkout.Return(env_.Req(), back);
  ASSERT_FALSE(early);
  EXPECT_EQ(early.error().code, ErrorCode::kSaleNotSettled);

  // The capture, with the bank terminal's slip for the third tender.
  env_.clock().AdvanceSeconds(30);
  auto captured = checkout.Capture(env_.Keyed("capture-1"), {held->id, {{3, "SLIP-88123"}}});
  ASSERT_TRUE(captured) << captured.error().ToString();
  EXPECT_EQ(captured->status, "settled");
  EXPECT_EQ(captured->id, held->id);
  EXPECT_EQ(captured->points_earned, 900);
  EXPECT_EQ(captured->tenders[2].reference, "SLIP-88123");
  ASSERT_TRUE(captured->closed_at.has_value());
  EXPECT_EQ(*captured->points_balance, 1400);
  EXPECT_EQ(*captured->stored_value_balance, 15000);
  EXPECT_EQ(env_.Balance(card_), 1400);
  EXPECT_EQ(State(card_).purchases, 1);
  EXPECT_EQ(State(card_).cumulative_spend, 10000);
  EXPECT_EQ(State(card_).cumulative_points, 900);
  EXPECT_EQ(env_.VerifyProblems(), "");

  // The same sale settled at once for another member ends the same way, to the fen and point.
  const std::string other = env_.NewCard("李娜");
  env_.Earn(other, 1500);
  env_.TopUp(other, 20000);
  auto settled = checkout.Settle(env_.Req(), Sale(other, MixedTenders(), "R2"));
  ASSERT_TRUE(settled) << settled.error().ToString();
  EXPECT_EQ(settled->status, "settled");
  EXPECT_EQ(settled->points_earned, captured->points_earned);
  ASSERT_EQ(settled->lines.size(), captured->lines.size());
  for (std::size_t i = 0; i < settled->lines.size(); ++i) {
    EXPECT_EQ(settled->lines[i].paid, captured->lines[i].paid);
    EXPECT_EQ(settled->lines[i].points, captured->lines[i].points);
  }
  EXPECT_EQ(env_.Balance(other), env_.Balance(card_));
  EXPECT_EQ(env_.Balance(other, Asset::kStoredValue), env_.Balance(card_, Asset::kStoredValue));
  EXPECT_EQ(State(other).cumulative_spend, State(card_).cumulative_spend);
  // The store's books agree too: what it redeemed and sold is the same for both sales.
  EXPECT_EQ(Query(env_,
                  "SELECT sum(p.amount) FROM postings p JOIN accounts a ON a.id = p.account_id "
                  "WHERE a.role = 'points_redeemed' AND p.entry_id IN (SELECT entry_id FROM sales "
                  "WHERE doc_no = 'R1')"),
            1000);

  // A retry of the capture answers the same; a new capture or a void is refused.
  auto again = checkout.Capture(env_.Keyed("capture-1"), {held->id, {{3, "SLIP-88123"}}});
  ASSERT_TRUE(again) << again.error().ToString();
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(checkout.Capture(env_.Keyed("capture-2"), {held->id, {}}).error().code,
            ErrorCode::kHoldNotActive);
  EXPECT_EQ(checkout.Void(env_.Keyed("void-1"), held->id, "too late").error().code,
            ErrorCode::kHoldNotActive);
  EXPECT_EQ(env_.Balance(card_), 1400);

  // Once captured, the sale is returned like any other: the tendered points and stored value go
  // back to the lots they came from, the earned points are taken back.
  auto returned = checkout.Return(env_.Keyed("return-1"), back);
  ASSERT_TRUE(returned) << returned.error().ToString();
  EXPECT_EQ(returned->points_restored, 1000);
  EXPECT_EQ(returned->points_taken_back, 900);
  EXPECT_EQ(env_.Balance(card_), 1500);
  EXPECT_EQ(env_.Balance(card_, Asset::kStoredValue), 20000);
  auto read = checkout.Get(env_.tenant(), held->id);
  ASSERT_TRUE(read) << read.error().ToString();
  EXPECT_EQ(read->status, "settled");
  EXPECT_EQ(read->returns.size(), 1U);
  EXPECT_EQ(env_.VerifyProblems(), "");
}

TEST_F(SaleHoldTest, AVoidPutsEveryTenderCouponAndGiftCardBackExactly) {
  auto& checkout = env_.services().checkout();
  // A second lot of points that expires sooner: the sale takes it first, the void restores it.
  const core::Timestamp soon = env_.ValidUntil("2027-01-31");
  service::EarnRequest earn;
  earn.card = card_;
  earn.amount = 300;
  earn.expires_at = soon;
  ASSERT_TRUE(env_.ledger().Earn(env_.Req(), earn));
  service::CampaignSpec campaign;
  campaign.code = "off5";
  campaign.name = "¥5 off";
  campaign.kind = "fixed";
  campaign.amount_off = 500;
  auto made = env_.services().coupons().CreateCampaign(env_.Req(""), campaign);
  ASSERT_TRUE(made) << made.error().ToString();
  auto issued = env_.services().coupons().Issue(env_.Req(""), "off5", {card_, 1});
  ASSERT_TRUE(issued) << issued.error().ToString();
  const std::string code = issued->coupons.at(0).code;
  service::GiftBatchSpec spec;
  spec.code = "g";
  spec.name = "Gift";
  spec.face_value = 5000;
  spec.count = 1;
  auto batch = env_.services().gifts().CreateBatch(env_.Req(""), spec);
  ASSERT_TRUE(batch) << batch.error().ToString();
  ASSERT_TRUE(env_.services().gifts().Activate(env_.Req(), {{}, "g", "G-1", "cash"}));
  const service::GiftCardIssued gift = batch->issued.at(0);

  const std::string lots_before =
      std::to_string(Query(env_, "SELECT sum(remaining * id) FROM lots"));
  // ¥95 after the coupon: 900 points (¥9), ¥30 gift card, ¥56 stored value.
  service::SaleSpec sale = Sale(card_,
                                {Tender("points", 0, 900),
                                 {"gift_card", 3000, 0, "", gift.number, gift.pin},
                                 Tender("stored_value", 5600)},
                                "R1");
  sale.coupons = {{code, 0}};
  auto held = checkout.Hold(env_.Keyed("hold-1"), sale, 600);
  ASSERT_TRUE(held) << held.error().ToString();
  EXPECT_EQ(held->due, 9500);
  EXPECT_EQ(env_.Balance(card_), 900);
  EXPECT_EQ(env_.Balance(gift.number, Asset::kGiftValue), 2000);
  EXPECT_EQ(Query(env_, "SELECT used FROM coupon_campaigns WHERE code = 'off5'"), 1);

  // While held, the coupon is taken: another sale cannot use it.
  service::SaleSpec other = Sale(card_, {Tender("cash", 9500)}, "R2");
  other.coupons = {{code, 0}};
  auto taken = checkout.Settle(env_.Req(), other);
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error().code, ErrorCode::kCouponUsedUp);

  // A void needs a reason; then everything is back where it was, lot by lot.
  auto no_reason = checkout.Void(env_.Keyed("void-0"), held->id, "");
  ASSERT_FALSE(no_reason);
  EXPECT_EQ(no_reason.error().field, "reason");
  auto voided = checkout.Void(env_.Keyed("void-1"), held->id, "bank card declined");
  ASSERT_TRUE(voided) << voided.error().ToString();
  EXPECT_EQ(voided->status, "voided");
  EXPECT_EQ(voided->close_reason, "bank card declined");
  EXPECT_EQ(*voided->points_balance, 1800);
  EXPECT_EQ(env_.Balance(card_), 1800);
  EXPECT_EQ(env_.Balance(card_, Asset::kStoredValue), 20000);
  EXPECT_EQ(env_.Balance(gift.number, Asset::kGiftValue), 5000);
  EXPECT_EQ(std::to_string(Query(env_, "SELECT sum(remaining * id) FROM lots")), lots_before);
  EXPECT_EQ(Query(env_, "SELECT count(*) FROM lots WHERE expires_at = " +
                            std::to_string(soon.micros) + " AND remaining = 300"),
            1);
  EXPECT_EQ(Query(env_, "SELECT used FROM coupon_campaigns WHERE code = 'off5'"), 0);
  EXPECT_EQ(Query(env_, "SELECT voided FROM coupon_redemptions"), 1);
  EXPECT_EQ(State(card_).purchases, 0);
  EXPECT_EQ(env_.VerifyProblems(), "");

  // The coupon serves another sale now; the voided sale can be neither captured nor returned,
  // and its receipt number stays used.
  auto reused = checkout.Settle(env_.Req(), other);
  ASSERT_TRUE(reused) << reused.error().ToString();
  EXPECT_EQ(reused->discount_total, 500);
  EXPECT_EQ(checkout.Capture(env_.Keyed("capture-1"), {held->id, {}}).error().code,
            ErrorCode::kHoldNotActive);
  EXPECT_EQ(checkout.Settle(env_.Req(), Sale(card_, {Tender("cash", 10000)}, "R1")).error().code,
            ErrorCode::kCodeTaken);
  EXPECT_EQ(env_.VerifyProblems(), "");
}

TEST_F(SaleHoldTest, AHoldNotCapturedInTimeExpiresAndGivesEverythingBack) {
  auto& checkout = env_.services().checkout();
  auto too_short = checkout.Hold(env_.Req(), Sale(card_, MixedTenders(), "R0"), 9);
  ASSERT_FALSE(too_short);
  EXPECT_EQ(too_short.error().field, "timeout");
  auto held = checkout.Hold(env_.Req(), Sale(card_, MixedTenders(), "R1"), 60);
  ASSERT_TRUE(held) << held.error().ToString();
  auto later = checkout.Hold(env_.Req(), Sale(card_, {Tender("stored_value", 10000)}, "R2"), 600);
  ASSERT_TRUE(later) << later.error().ToString();
  EXPECT_EQ(env_.Balance(card_, Asset::kStoredValue), 5000);

  // Nothing is due yet.
  auto none = checkout.ReleaseDueSales();
  ASSERT_TRUE(none) << none.error().ToString();
  EXPECT_EQ(*none, 0);

  env_.clock().AdvanceSeconds(61);
  auto late = checkout.Capture(env_.Req(), {held->id, {}});
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, ErrorCode::kHoldExpired);
  auto released = checkout.ReleaseDueSales();
  ASSERT_TRUE(released) << released.error().ToString();
  EXPECT_EQ(*released, 1);
  auto read = checkout.Get(env_.tenant(), held->id);
  ASSERT_TRUE(read) << read.error().ToString();
  EXPECT_EQ(read->status, "expired");
  EXPECT_EQ(env_.Balance(card_), 1500);
  EXPECT_EQ(env_.Balance(card_, Asset::kStoredValue), 10000);  // the later hold still holds
  auto again = checkout.ReleaseDueSales();
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, 0);

  // The later hold is captured in its time; the books agree.
  auto captured = checkout.Capture(env_.Req(), {later->id, {}});
  ASSERT_TRUE(captured) << captured.error().ToString();
  EXPECT_EQ(env_.Balance(card_, Asset::kStoredValue), 10000);
  EXPECT_EQ(env_.Balance(card_), 1500 + 1000);
  EXPECT_EQ(Query(env_, "SELECT count(*) FROM sales WHERE status = 'settled'"), 1);
  EXPECT_EQ(env_.VerifyProblems(), "");
}

TEST_F(SaleHoldTest, ACaptureNamesOnlyExternalTenders) {
  auto& checkout = env_.services().checkout();
  auto held = checkout.Hold(env_.Req(), Sale(card_, MixedTenders(), "R1"), 300);
  ASSERT_TRUE(held) << held.error().ToString();
  auto points_ref = checkout.Capture(env_.Req(), {held->id, {{1, "X"}}});
  ASSERT_FALSE(points_ref);
  EXPECT_EQ(points_ref.error().field, "references[0].tender");
  auto beyond = checkout.Capture(env_.Req(), {held->id, {{4, "X"}}});
  ASSERT_FALSE(beyond);
  EXPECT_EQ(beyond.error().field, "references[0].tender");
  auto twice = checkout.Capture(env_.Req(), {held->id, {{3, "A"}, {3, "B"}}});
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().field, "references[1].tender");
  auto missing = checkout.Capture(env_.Req(), {held->id + 1, {}});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kSaleNotFound);
  EXPECT_EQ(checkout.Get(env_.tenant(), held->id)->status, "held");
  EXPECT_EQ(env_.VerifyProblems(), "");
}

TEST_F(SaleHoldTest, ManyTillsHoldingFromOneStoredValueNeverOverdraw) {
  auto& checkout = env_.services().checkout();
  env_.TopUp(card_, 80000);  // ¥1,000 in all: room for exactly ten ¥100 holds
  std::atomic<int> refused = 0;
  std::mutex mu;
  std::vector<std::int64_t> held;
  std::vector<std::thread> tills;
  for (int t = 0; t < 8; ++t) {
    tills.emplace_back([&, t] {
      for (int i = 0; i < 4; ++i) {
        const std::string doc = "T" + std::to_string(t) + "-" + std::to_string(i);
        auto r = checkout.Hold(env_.Req(t % 2 == 0 ? "s1" : "s2"),
                               Sale(card_, {Tender("stored_value", 10000)}, doc), 300);
        if (r) {
          std::lock_guard lock(mu);
          held.push_back(r->id);
        } else if (r.error().code == ErrorCode::kInsufficientBalance) {
          ++refused;
        } else {
          ADD_FAILURE() << r.error().ToString();
        }
      }
    });
  }
  for (std::thread& t : tills) t.join();
  ASSERT_EQ(held.size(), 10U);
  EXPECT_EQ(refused.load(), 22);
  EXPECT_EQ(env_.Balance(card_, Asset::kStoredValue), 0);
  // Half captured, half voided: ¥500 paid, ¥500 back.
  for (std::size_t i = 0; i < held.size(); ++i) {
    auto r = i % 2 == 0 ? checkout.Capture(env_.Req(), {held[i], {}})
                        : checkout.Void(env_.Req(), held[i], "customer left");
    ASSERT_TRUE(r) << r.error().ToString();
  }
  EXPECT_EQ(env_.Balance(card_, Asset::kStoredValue), 50000);
  EXPECT_EQ(env_.Balance(card_), 1500 + 5 * 1000);
  EXPECT_EQ(State(card_).purchases, 5);
  EXPECT_EQ(env_.VerifyProblems(), "");
}

// P1b carries the remainder below ¥1,000 from order to order: a sale settled between a hold and
// its capture neither loses nor doubles a fen of it.
// The settle's reply is written by a hand-made encoder (it is encoded on the writer thread on
// every call): its JSON is the JSON nlohmann's conversion gives, and reads back to the same sale.
TEST_F(SaleHoldTest, TheSaleEncoderWritesWhatTheJsonConversionWrites) {
  auto& checkout = env_.services().checkout();
  const auto same = [](const service::SaleView& v) {
    const nlohmann::json encoded = nlohmann::json::parse(service::EncodeReply(v));
    EXPECT_EQ(encoded, nlohmann::json(v));
    EXPECT_EQ(encoded.get<service::SaleView>().id, v.id);
  };
  auto quote = checkout.Quote(env_.Req(), Sale(card_, MixedTenders(), ""));
  ASSERT_TRUE(quote) << quote.error().ToString();
  ASSERT_TRUE(quote->points_left.has_value());
  same(*quote);
  auto held = checkout.Hold(env_.Req(), Sale(card_, MixedTenders(), "R1"), 300);
  ASSERT_TRUE(held) << held.error().ToString();
  same(*held);
  auto captured = checkout.Capture(env_.Req(), {held->id, {{3, "SLIP \"7\"\n\\"}}});
  ASSERT_TRUE(captured) << captured.error().ToString();
  same(*captured);
  service::ReturnSpec back;
  back.sale = held->id;
  back.lines = {{2, 1}};
  back.doc_no = "RT1";
  back.reason = "one comb";
  ASSERT_TRUE(checkout.Return(env_.Req(), back));
  auto read = checkout.Get(env_.tenant(), held->id);
  ASSERT_TRUE(read) << read.error().ToString();
  ASSERT_EQ(read->returns.size(), 1U);
  same(*read);
  service::SaleView odd = *read;
  odd.explain.push_back(std::string("tab\there, bell \x07, quote \" and ¥ and 中文"));
  odd.coupons.push_back({"c", "name", std::nullopt, "ABCD", 100});
  odd.coupons.push_back({"d", "name", 42, "", 0});
  odd.tenders.push_back({"gift_card", 100, 0, "", "99001", std::int64_t{5}});
  odd.points_balance.reset();
  odd.programme_version.reset();
  same(odd);
}

TEST(SaleHoldCarryTest, ASaleBetweenAHoldAndItsCaptureKeepsTheRemainderExact) {
  TestEnv env;
  UseProgramme(env, ExampleProgramme("p1b.toml"));  // 1 point per full ¥1,000
  const std::string card = env.NewCard("Sales 1");
  auto& checkout = env.services().checkout();
  const auto order = [&](const std::string& doc, std::int64_t fen) {
    core::BasketLine line;
    line.sku = "ORDER";
    line.unit_price = fen;
    return service::SaleSpec{card, {line}, {{"bank_card", fen, 0, "", "", ""}}, doc, {}};
  };
  auto held = checkout.Hold(env.Req(), order("SO-1", 250000), 600);  // 2 points, ¥500 carried
  ASSERT_TRUE(held) << held.error().ToString();
  EXPECT_EQ(held->points_earned, 2);
  auto between = checkout.Settle(env.Req(), order("SO-2", 70000));  // ¥700: no point yet
  ASSERT_TRUE(between) << between.error().ToString();
  EXPECT_EQ(between->points_earned, 0);
  ASSERT_TRUE(checkout.Capture(env.Req(), {held->id, {}}));
  auto last = checkout.Settle(env.Req(), order("SO-3", 80000));
  ASSERT_TRUE(last) << last.error().ToString();
  // ¥2,500 + ¥700 + ¥800 = ¥4,000 in any order: 4 points, nothing carried.
  EXPECT_EQ(env.Balance(card, Asset::kCashablePoints), 4);
  auto state = env.services().tiers().State(env.tenant(), core::MemberId{env.MemberOf(card)});
  ASSERT_TRUE(state);
  EXPECT_EQ(state->carried_fen, 0);
  EXPECT_EQ(state->cumulative_spend, 400000);
  EXPECT_EQ(env.VerifyProblems(), "");
}

}  // namespace
}  // namespace onecard::testing
