// Gift cards (issue #5 item 7, R-503): batches generated (PINs shown once, stored only as
// argon2id of an HMAC) or imported (all or nothing); selling loads the face value once; the PIN
// is needed to check a balance and to pay; wrong PINs lock the card and the till, counted even
// though the sale is refused; gift value is never topped up, paid or held another way; returns
// put it back on the card; concurrent tills never overdraw a card; reconciliation reports and
// listings add up.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "core/card.hpp"
#include "support/test_env.hpp"

namespace onecard::testing {
namespace {

using core::ErrorCode;
using nlohmann::json;

std::int64_t Query(TestEnv& env, const std::string& sql) {
  return QueryInt(env.db_path(), sql);
}

service::GiftBatchSpec Batch(const std::string& code, std::int64_t face, std::int64_t count) {
  service::GiftBatchSpec b;
  b.code = code;
  b.name = "Gift card " + code;
  b.face_value = face;
  b.count = count;
  return b;
}

// A batch of `count` sold cards of `face`; returns the cards with their PINs.
std::vector<service::GiftCardIssued> SoldCards(TestEnv& env, const std::string& code,
                                               std::int64_t face, std::int64_t count) {
  auto batch = env.services().gifts().CreateBatch(env.Req(""), Batch(code, face, count));
  EXPECT_TRUE(batch) << batch.error().ToString();
  if (!batch) return {};
  auto sold = env.services().gifts().Activate(env.Req(), {{}, code, "G-" + code, "cash"});
  EXPECT_TRUE(sold) << sold.error().ToString();
  return batch->issued;
}

service::TenderSpec Gift(const service::GiftCardIssued& card, std::int64_t amount) {
  return {"gift_card", amount, 0, "", card.number, card.pin};
}

service::SaleSpec Sale(const std::string& card, std::int64_t price,
                       std::vector<service::TenderSpec> tenders, const std::string& doc) {
  core::BasketLine line;
  line.sku = "TEA";
  line.unit_price = price;
  return service::SaleSpec{card, {line}, std::move(tenders), doc, {}};
}

std::string WrongPin(const std::string& pin) {
  std::string wrong = pin;
  wrong[0] = wrong[0] == '9' ? '0' : static_cast<char>(wrong[0] + 1);
  return wrong;
}

TEST(GiftTest, AGeneratedBatchShowsItsPinsOnceAndStoresOnlyHashes) {
  TestEnv env;
  auto& gifts = env.services().gifts();
  auto batch = gifts.CreateBatch(env.Keyed("batch-1", ""), Batch("xmas", 20000, 3));
  ASSERT_TRUE(batch) << batch.error().ToString();
  ASSERT_EQ(batch->issued.size(), 3u);
  EXPECT_EQ(batch->origin, "generated");
  EXPECT_EQ(batch->card_type, "gift");
  for (const auto& c : batch->issued) {
    EXPECT_EQ(c.number.size(), 16u);
    EXPECT_EQ(c.number.substr(0, 2), "99");
    EXPECT_TRUE(core::LuhnValid(c.number)) << c.number;
    EXPECT_EQ(c.pin.size(), 6u);
    EXPECT_EQ(c.face_value, 20000);
  }
  // Only argon2id hashes of a keyed MAC are stored: no PIN appears in them.
  EXPECT_EQ(Query(env, "SELECT count(*) FROM gift_cards WHERE pin_hash LIKE '$argon2id$%'"), 3);
  for (const auto& c : batch->issued) {
    EXPECT_EQ(
        Query(env, "SELECT count(*) FROM gift_cards WHERE instr(pin_hash, '" + c.pin + "') > 0"),
        0);
  }
  EXPECT_EQ(Query(env, "SELECT count(*) FROM audit_log WHERE after LIKE '%" + batch->issued[0].pin +
                           "%'"),
            0);
  // A replay gives the batch back without the PINs.
  auto again = gifts.CreateBatch(env.Keyed("batch-1", ""), Batch("xmas", 20000, 3));
  ASSERT_TRUE(again) << again.error().ToString();
  EXPECT_TRUE(again->issued.empty());
  EXPECT_NE(again->pins.find("not shown again"), std::string::npos);
  EXPECT_EQ(Query(env, "SELECT count(*) FROM cards"), 3);
  // The cards are inactive until sold: the right PIN shows ¥0.
  auto shown = gifts.Balance(env.Req(), batch->issued[0].number, batch->issued[0].pin);
  ASSERT_TRUE(shown) << shown.error().ToString();
  EXPECT_EQ(shown->state, "inactive");
  EXPECT_EQ(shown->balance, 0);
  // The same code again, bad counts and a type that is not a gift type are refused.
  EXPECT_EQ(gifts.CreateBatch(env.Req(""), Batch("xmas", 100, 1)).error().code,
            ErrorCode::kCodeTaken);
  EXPECT_EQ(gifts.CreateBatch(env.Req(""), Batch("big", 100, 5001)).error().field, "count");
  service::GiftBatchSpec member_type = Batch("m", 100, 1);
  member_type.card_type = "member";
  EXPECT_EQ(gifts.CreateBatch(env.Req(""), member_type).error().field, "card_type");
  EXPECT_EQ(Query(env, "SELECT count(*) FROM gift_batches"), 1);
}

TEST(GiftTest, AnImportIsAllOrNothingAndNamesTheLines) {
  TestEnv env;
  auto& gifts = env.services().gifts();
  service::GiftImportSpec spec;
  spec.code = "print-1";
  spec.name = "Printer run 1";
  spec.face_value = 10000;
  spec.csv =
      "number,pin,face_value\n7700000001,123456,\n7700000002,12ab,\n7700000001,654321,50.00\n";
  auto bad = gifts.ImportBatch(env.Req(""), spec);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field, "csv");
  EXPECT_NE(bad.error().message.find("line 3, pin"), std::string::npos) << bad.error().message;
  EXPECT_NE(bad.error().message.find("line 4, number: 7700000001 appears twice"), std::string::npos)
      << bad.error().message;
  EXPECT_EQ(Query(env, "SELECT count(*) FROM cards"), 0);

  // A number already in use refuses the whole file.
  const std::string member = env.NewCard();
  spec.csv = "number,pin\n7700000001,123456\n" + member + ",654321\n";
  auto taken = gifts.ImportBatch(env.Req(""), spec);
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error().code, ErrorCode::kCardNumberTaken);
  EXPECT_NE(taken.error().message.find("line 3"), std::string::npos);
  EXPECT_EQ(Query(env, "SELECT count(*) FROM gift_cards"), 0);
  EXPECT_EQ(Query(env, "SELECT count(*) FROM gift_batches"), 0);

  spec.csv = "pin,number,face_value\n123456,7700000001,\n654321,7700000002,50.00\n";
  auto ok = gifts.ImportBatch(env.Req(""), spec);
  ASSERT_TRUE(ok) << ok.error().ToString();
  EXPECT_EQ(ok->cards, 2);
  EXPECT_TRUE(ok->issued.empty());  // the printer has the PINs; we never echo them
  auto sold = gifts.Activate(env.Req(), {{"7700000001", "7700000002"}, "", "G-1", ""});
  ASSERT_TRUE(sold) << sold.error().ToString();
  EXPECT_EQ(sold->total, 15000);
  EXPECT_EQ(gifts.Balance(env.Req(), "7700000002", "654321")->balance, 5000);
  EXPECT_EQ(env.VerifyProblems(), "");
}

TEST(GiftTest, SellingLoadsTheFaceValueOnceAndOnlyWithinValidity) {
  TestEnv env;
  auto& gifts = env.services().gifts();
  auto batch = gifts.CreateBatch(env.Req(""), Batch("spring", 5000, 3));
  ASSERT_TRUE(batch);
  const auto& cards = batch->issued;
  EXPECT_EQ(gifts.Activate(env.Req(""), {{cards[0].number}, "", "G-1", ""}).error().field, "store");
  auto one = gifts.Activate(env.Keyed("sell-1"), {{cards[0].number}, "", "G-1", "cash"});
  ASSERT_TRUE(one) << one.error().ToString();
  ASSERT_EQ(one->cards.size(), 1u);
  EXPECT_GT(one->cards[0].entry_id, 0);
  EXPECT_EQ(env.Balance(cards[0].number, core::Asset::kGiftValue), 5000);
  // A replay changes nothing; selling it again is refused.
  EXPECT_TRUE(
      gifts.Activate(env.Keyed("sell-1"), {{cards[0].number}, "", "G-1", "cash"})->replayed);
  auto twice = gifts.Activate(env.Req(), {{cards[0].number}, "", "G-2", ""});
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code, ErrorCode::kCardStateInvalid);
  // All or nothing: one sold card in the list refuses the lot.
  auto mixed = gifts.Activate(env.Req(), {{cards[1].number, cards[0].number}, "", "G-3", ""});
  ASSERT_FALSE(mixed);
  EXPECT_EQ(mixed.error().field, "numbers[1]");
  EXPECT_EQ(env.Balance(cards[1].number, core::Asset::kGiftValue), 0);
  // The rest of the batch at once.
  auto rest = gifts.Activate(env.Req(), {{}, "spring", "G-4", ""});
  ASSERT_TRUE(rest) << rest.error().ToString();
  EXPECT_EQ(rest->cards.size(), 2u);
  EXPECT_EQ(gifts.Activate(env.Req(), {{}, "spring", "G-5", ""}).error().code,
            ErrorCode::kCardStateInvalid);
  // A batch past its last day cannot be sold.
  service::GiftBatchSpec old = Batch("old", 5000, 1);
  old.valid_until = core::CivilDate{2020, 1, 31};
  auto expired = gifts.CreateBatch(env.Req(""), old);
  ASSERT_TRUE(expired);
  EXPECT_EQ(gifts.Activate(env.Req(), {{}, "old", "G-6", ""}).error().code,
            ErrorCode::kGiftCardExpired);
  EXPECT_EQ(Query(env, "SELECT count(*) FROM entries WHERE kind = 'top_up'"), 3);
  EXPECT_EQ(env.VerifyProblems(), "");
}

TEST(GiftTest, GiftValueMovesOnlyThroughSellingAndCheckout) {
  TestEnv env;
  const auto cards = SoldCards(env, "g", 10000, 1);
  ASSERT_EQ(cards.size(), 1u);
  const std::string number = cards[0].number;
  auto& ledger = env.ledger();
  EXPECT_EQ(
      ledger.TopUp(env.Req(), {number, core::Asset::kGiftValue, 100, 0, {}, "", ""}).error().field,
      "asset");
  EXPECT_EQ(ledger.Pay(env.Req(), {number, core::Asset::kGiftValue, 100, "", ""}).error().field,
            "asset");
  EXPECT_EQ(
      ledger.Hold(env.Req(), {number, core::AssetSelection::kGiftValue, 100, 60, ""}).error().field,
      "asset");
  EXPECT_EQ(ledger.SetCreditLimit(env.Req(), {number, core::Asset::kGiftValue, 5000, "vip"})
                .error()
                .field,
            "asset");
  // Gift cards are not issued one by one, re-activated, or replaced.
  auto issued = env.services().cards().Issue(
      env.Req(), service::IssueCardRequest{0, "gift", "5500000001", false, "", false, ""});
  ASSERT_FALSE(issued);
  EXPECT_EQ(issued.error().field, "type");
  EXPECT_EQ(env.services().cards().Replace(env.Req(), number, "", "lost").error().code,
            ErrorCode::kCardStateInvalid);
  EXPECT_EQ(env.Balance(number, core::Asset::kGiftValue), 10000);
}

TEST(GiftTest, WrongPinsAreCountedAndLockTheCardUntilTheLockRunsOutOrAManagerUnlocksIt) {
  TestEnv env;
  auto& gifts = env.services().gifts();
  const auto cards = SoldCards(env, "g", 10000, 2);
  const auto& card = cards[0];
  const std::string wrong = WrongPin(card.pin);
  for (int i = 1; i <= 4; ++i) {
    auto r = gifts.Balance(env.Req(), card.number, wrong);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kGiftPinWrong);
    EXPECT_NE(r.error().message.find(std::to_string(5 - i) + (i == 4 ? " try" : " tries")),
              std::string::npos)
        << r.error().message;
  }
  // A wrong PIN at the till is counted although the sale is refused and nothing else changes.
  const std::int64_t entries = Query(env, "SELECT count(*) FROM entries");
  auto sale = env.services().checkout().Settle(
      env.Req(), Sale("", 3000, {{"gift_card", 3000, 0, "", card.number, wrong}}, "R-1"));
  ASSERT_FALSE(sale);
  EXPECT_EQ(sale.error().code, ErrorCode::kGiftCardLocked);
  EXPECT_EQ(Query(env, "SELECT count(*) FROM sales"), 0);
  EXPECT_EQ(Query(env, "SELECT count(*) FROM entries"), entries);
  EXPECT_EQ(Query(env,
                  "SELECT failed_pins FROM gift_cards g JOIN cards c ON c.id = g.card_id "
                  "WHERE c.number = '" +
                      card.number + "'"),
            5);
  EXPECT_EQ(Query(env, "SELECT count(*) FROM audit_log WHERE action = 'gift.pin_wrong'"), 5);
  // Locked: even the right PIN is refused, saying until when.
  auto locked = gifts.Balance(env.Req(), card.number, card.pin);
  ASSERT_FALSE(locked);
  EXPECT_EQ(locked.error().code, ErrorCode::kGiftCardLocked);
  EXPECT_NE(locked.error().message.find("retry after"), std::string::npos);
  EXPECT_TRUE(gifts.Show(env.tenant(), card.number)->locked);
  // The other card is not affected.
  EXPECT_TRUE(gifts.Balance(env.Req(), cards[1].number, cards[1].pin));
  // After the lock runs out the right PIN works and ends the run of wrong ones.
  env.clock().AdvanceSeconds(31 * 60);
  auto after = gifts.Balance(env.Req(), card.number, card.pin);
  ASSERT_TRUE(after) << after.error().ToString();
  EXPECT_EQ(after->failed_pins, 0);
  EXPECT_EQ(after->balance, 10000);
  // Locked again, a manager unlocks it.
  for (int i = 0; i < 5; ++i) ASSERT_FALSE(gifts.Balance(env.Req(), card.number, wrong));
  EXPECT_EQ(gifts.Balance(env.Req(), card.number, card.pin).error().code,
            ErrorCode::kGiftCardLocked);
  auto unlocked = gifts.Unlock(env.Req(), card.number);
  ASSERT_TRUE(unlocked) << unlocked.error().ToString();
  EXPECT_FALSE(unlocked->locked);
  EXPECT_TRUE(gifts.Balance(env.Req(), card.number, card.pin));
  EXPECT_EQ(gifts.Balance(env.Req(), card.number, "12").error().field, "pin");  // not counted
  EXPECT_EQ(gifts.Show(env.tenant(), card.number)->failed_pins, 0);
}

TEST(GiftTest, ARetryOfAPaidSaleGetsItsReceiptEvenAfterTheCardIsLocked) {
  TestEnv env;
  const auto cards = SoldCards(env, "g", 10000, 1);
  auto& checkout = env.services().checkout();
  auto paid =
      checkout.Settle(env.Keyed("till-7-0001"), Sale("", 3000, {Gift(cards[0], 3000)}, "R-1"));
  ASSERT_TRUE(paid) << paid.error().ToString();
  for (int i = 0; i < 5; ++i) {
    ASSERT_FALSE(
        env.services().gifts().Balance(env.Req(), cards[0].number, WrongPin(cards[0].pin)));
  }
  // The till did not hear the answer and sends the sale again: it gets the receipt.
  auto again =
      checkout.Settle(env.Keyed("till-7-0001"), Sale("", 3000, {Gift(cards[0], 3000)}, "R-1"));
  ASSERT_TRUE(again) << again.error().ToString();
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->id, paid->id);
  // A new sale is refused while the card is locked.
  EXPECT_EQ(checkout.Settle(env.Req(), Sale("", 100, {Gift(cards[0], 100)}, "R-2")).error().code,
            ErrorCode::kGiftCardLocked);
  EXPECT_EQ(env.Balance(cards[0].number, core::Asset::kGiftValue), 7000);
}

TEST(GiftTest, ARightPinDoesNotWipeWrongPinsRecordedSinceItWasChecked) {
  storage::GiftCardRecord gift;
  gift.failed_pins = 2;
  service::GiftPinOk seen{core::CardId{1}, 2, std::nullopt};
  EXPECT_TRUE(service::ResetAfterRightPin(gift, seen));
  EXPECT_EQ(gift.failed_pins, 0);
  gift.failed_pins = 3;  // a wrong PIN recorded after the check
  EXPECT_FALSE(service::ResetAfterRightPin(gift, seen));
  EXPECT_EQ(gift.failed_pins, 3);
  storage::GiftCardRecord clean;
  EXPECT_FALSE(service::ResetAfterRightPin(clean, service::GiftPinOk{}));
}

TEST(GiftTest, AServiceDeskGivesACardANewPinShownOnce) {
  TestEnv env;
  auto& gifts = env.services().gifts();
  const auto cards = SoldCards(env, "g", 10000, 1);
  for (int i = 0; i < 5; ++i)
    ASSERT_FALSE(gifts.Balance(env.Req(), cards[0].number, WrongPin(cards[0].pin)));
  auto reset = gifts.ResetPin(env.Keyed("desk-1"), cards[0].number, 8);
  ASSERT_TRUE(reset) << reset.error().ToString();
  ASSERT_EQ(reset->pin.size(), 8u);
  EXPECT_FALSE(reset->card.locked);
  EXPECT_EQ(
      Query(env, "SELECT count(*) FROM idempotency_keys WHERE reply LIKE '%" + reset->pin + "%'"),
      0);
  auto replay = gifts.ResetPin(env.Keyed("desk-1"), cards[0].number, 8);
  ASSERT_TRUE(replay);
  EXPECT_TRUE(replay->pin.empty());
  // The old PIN no longer works; the new one does.
  EXPECT_EQ(gifts.Balance(env.Req(), cards[0].number, cards[0].pin).error().code,
            ErrorCode::kGiftPinWrong);
  EXPECT_EQ(gifts.Balance(env.Req(), cards[0].number, reset->pin)->balance, 10000);
  EXPECT_EQ(gifts.ResetPin(env.Req(), "0000", 6).error().code, ErrorCode::kGiftCardNotFound);
  EXPECT_EQ(gifts.ResetPin(env.Req(), cards[0].number, 3).error().field, "pin_length");
  EXPECT_EQ(Query(env, "SELECT count(*) FROM audit_log WHERE action = 'gift.pin_reset'"), 1);
}

TEST(GiftTest, ATillGuessingIsLockedOutOfEveryCardWhileOthersGoOn) {
  TestEnv env;
  auto& gifts = env.services().gifts();
  const auto cards = SoldCards(env, "g", 10000, 1);
  service::Request till = env.Req();
  till.actor.kind = "api_key";
  till.actor.staff = "till-9";
  till.actor.client = "10.0.0.9";
  // Unknown numbers count against the till too.
  for (int i = 0; i < 20; ++i) {
    auto r = gifts.Balance(till, "99000000000" + std::to_string(10000 + i), "123456");
    ASSERT_FALSE(r);
    ASSERT_EQ(r.error().code, ErrorCode::kGiftCardNotFound) << r.error().ToString();
  }
  auto shut = gifts.Balance(till, cards[0].number, cards[0].pin);
  ASSERT_FALSE(shut);
  EXPECT_EQ(shut.error().code, ErrorCode::kGiftClientLocked);
  EXPECT_NE(shut.error().message.find("till-9"), std::string::npos);
  // Another till at another address goes on; the same address under another name does not.
  service::Request other = env.Req();
  other.actor.kind = "api_key";
  other.actor.staff = "till-2";
  other.actor.client = "10.0.0.2";
  EXPECT_TRUE(gifts.Balance(other, cards[0].number, cards[0].pin));
  other.actor.client = "10.0.0.9";
  EXPECT_EQ(gifts.Balance(other, cards[0].number, cards[0].pin).error().code,
            ErrorCode::kGiftClientLocked);
  env.clock().AdvanceSeconds(31 * 60);
  EXPECT_TRUE(gifts.Balance(till, cards[0].number, cards[0].pin));
}

TEST(GiftTest, AMemberPaysWithTwoGiftCardsAndCashAndReturnsPutValueBackOnTheCards) {
  TestEnv env;
  UseProgramme(env, ExampleProgramme("p3.toml"));
  const std::string member = env.NewCard();
  const auto cards = SoldCards(env, "g", 5000, 2);
  auto& checkout = env.services().checkout();
  // ¥120: ¥50 from card 1, ¥30 from card 2, ¥40 cash.
  auto sale = checkout.Settle(
      env.Req(),
      Sale(member, 12000,
           {Gift(cards[0], 5000), Gift(cards[1], 3000), {"cash", 4000, 0, "", "", ""}}, "R-1"));
  ASSERT_TRUE(sale) << sale.error().ToString();
  ASSERT_EQ(sale->tenders.size(), 3u);
  EXPECT_EQ(sale->tenders[0].card, cards[0].number);
  EXPECT_EQ(sale->tenders[0].balance_after, 0);
  EXPECT_EQ(sale->tenders[1].balance_after, 2000);
  EXPECT_GT(sale->points_earned, 0);
  EXPECT_EQ(env.Balance(cards[1].number, core::Asset::kGiftValue), 2000);
  // The sale record names the cards; the PINs are nowhere.
  auto stored = checkout.Get(env.tenant(), sale->id);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->tenders[1].card, cards[1].number);
  EXPECT_EQ(
      Query(env, "SELECT count(*) FROM idempotency_keys WHERE reply LIKE '%" + cards[0].pin + "%'"),
      0);

  // Half the line back: ¥60 over the tenders in proportion 50:30:40 → ¥25, ¥15, ¥20 cash,
  // each card's share into the lot it came from.
  auto sale2 = checkout.Settle(env.Req(), [&] {
    service::SaleSpec two =
        Sale(member, 6000, {Gift(cards[1], 2000), {"cash", 4000, 0, "", "", ""}}, "R-2");
    two.lines[0].quantity = 2;
    two.tenders[1].amount = 10000;
    return two;
  }());
  ASSERT_TRUE(sale2) << sale2.error().ToString();  // ¥120: ¥20 from card 2, ¥100 cash
  service::ReturnSpec one;
  one.sale = sale2->id;
  one.lines = {{1, 1}};
  one.doc_no = "RT-0";
  one.reason = "changed mind";
  auto part = checkout.Return(env.Req(), one);
  ASSERT_TRUE(part) << part.error().ToString();
  EXPECT_EQ(part->refund, 6000);
  EXPECT_EQ(part->tenders[0].card, cards[1].number);
  EXPECT_EQ(part->tenders[0].refund, 1000);  // 60 × 20/120
  EXPECT_EQ(env.Balance(cards[1].number, core::Asset::kGiftValue), 1000);

  // Everything of the first sale back.
  service::ReturnSpec half;
  half.sale = sale->id;
  half.all = true;
  half.doc_no = "RT-1";
  half.reason = "changed mind";
  auto back = checkout.Return(env.Req(), half);
  ASSERT_TRUE(back) << back.error().ToString();
  std::map<std::string, std::int64_t> refunded;
  for (const auto& t : back->tenders) refunded[t.card.empty() ? t.method : t.card] = t.refund;
  EXPECT_EQ(refunded[cards[0].number], 5000);
  EXPECT_EQ(refunded[cards[1].number], 3000);
  EXPECT_EQ(refunded["cash"], 4000);
  EXPECT_EQ(back->tenders[0].card, cards[0].number);
  EXPECT_EQ(env.Balance(cards[0].number, core::Asset::kGiftValue), 5000);
  EXPECT_EQ(env.Balance(cards[1].number, core::Asset::kGiftValue), 4000);
  one.lines.clear();
  one.all = true;
  one.doc_no = "RT-2";
  auto rest = checkout.Return(env.Req(), one);
  ASSERT_TRUE(rest) << rest.error().ToString();
  EXPECT_EQ(rest->tenders[0].refund, 1000);
  EXPECT_EQ(env.Balance(cards[1].number, core::Asset::kGiftValue), 5000);
  // Restored into the very lot the sale took (no new lot).
  EXPECT_EQ(Query(env,
                  "SELECT count(*) FROM lots l JOIN accounts a ON a.id = l.account_id "
                  "WHERE a.asset = 'gift_value'"),
            2);
  EXPECT_EQ(env.VerifyProblems(), "");
}

TEST(GiftTest, AWalkInPaysByGiftCardAndAPartialReturnGoesBackOnTheCard) {
  TestEnv env;
  const auto cards = SoldCards(env, "g", 20000, 1);
  auto& checkout = env.services().checkout();
  core::BasketLine a;
  a.sku = "CUP";
  a.quantity = 2;
  a.unit_price = 3000;
  core::BasketLine b;
  b.sku = "POT";
  b.unit_price = 9000;
  auto sale = checkout.Settle(env.Keyed("walk-1"),
                              service::SaleSpec{"", {a, b}, {Gift(cards[0], 15000)}, "W-1", {}});
  ASSERT_TRUE(sale) << sale.error().ToString();
  EXPECT_GT(sale->entry_id, 0);
  EXPECT_EQ(sale->tenders[0].balance_after, 5000);
  // A retry with the same key is the same sale, charged once.
  auto again = checkout.Settle(env.Keyed("walk-1"),
                               service::SaleSpec{"", {a, b}, {Gift(cards[0], 15000)}, "W-1", {}});
  ASSERT_TRUE(again) << again.error().ToString();
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(env.Balance(cards[0].number, core::Asset::kGiftValue), 5000);
  // More than the card holds: refused, naming the tender.
  auto broke = checkout.Settle(env.Req(), Sale("", 6000, {Gift(cards[0], 6000)}, "W-2"));
  ASSERT_FALSE(broke);
  EXPECT_EQ(broke.error().code, ErrorCode::kInsufficientBalance);
  EXPECT_EQ(broke.error().field, "tenders[0].amount");
  // The same card twice, a missing PIN, and a card not sold are refused before anything moves.
  EXPECT_EQ(
      checkout.Settle(env.Req(), Sale("", 200, {Gift(cards[0], 100), Gift(cards[0], 100)}, "W-3"))
          .error()
          .field,
      "tenders[1].card");
  service::TenderSpec no_pin = Gift(cards[0], 100);
  no_pin.pin.clear();
  EXPECT_EQ(checkout.Settle(env.Req(), Sale("", 100, {no_pin}, "W-4")).error().field,
            "tenders[0].pin");
  auto unsold = env.services().gifts().CreateBatch(env.Req(""), Batch("unsold", 100, 1));
  ASSERT_TRUE(unsold);
  auto inactive = checkout.Settle(env.Req(), Sale("", 100, {Gift(unsold->issued[0], 100)}, "W-5"));
  ASSERT_FALSE(inactive);
  EXPECT_EQ(inactive.error().code, ErrorCode::kCardInactive);
  EXPECT_NE(inactive.error().message.find("has not been sold"), std::string::npos);

  // One cup back: ¥30 onto the card, never as cash.
  service::ReturnSpec cup;
  cup.sale = sale->id;
  cup.lines = {{1, 1}};
  cup.doc_no = "WR-1";
  cup.reason = "chipped";
  auto back = checkout.Return(env.Req(), cup);
  ASSERT_TRUE(back) << back.error().ToString();
  EXPECT_EQ(back->refund, 3000);
  ASSERT_EQ(back->tenders.size(), 1u);
  EXPECT_EQ(back->tenders[0].card, cards[0].number);
  EXPECT_GT(back->entry_id, 0);
  EXPECT_EQ(env.Balance(cards[0].number, core::Asset::kGiftValue), 8000);
  auto rest = checkout.Return(env.Req(), [&] {
    service::ReturnSpec r = cup;
    r.lines.clear();
    r.all = true;
    r.doc_no = "WR-2";
    return r;
  }());
  ASSERT_TRUE(rest) << rest.error().ToString();
  EXPECT_EQ(env.Balance(cards[0].number, core::Asset::kGiftValue), 20000);
  EXPECT_EQ(env.VerifyProblems(), "");
}

TEST(GiftTest, ManyTillsPayingWithOneCardAtOnceNeverOverdrawIt) {
  TestEnv env;
  const auto cards = SoldCards(env, "g", 20000, 1);
  auto& checkout = env.services().checkout();
  std::atomic<int> paid{0};
  std::atomic<int> refused{0};
  std::atomic<int> other{0};
  std::vector<std::thread> tills;
  for (int t = 0; t < 8; ++t) {
    tills.emplace_back([&, t] {
      for (int i = 0; i < 4; ++i) {
        const std::string doc = "C-" + std::to_string(t) + "-" + std::to_string(i);
        auto r = checkout.Settle(env.Req(), Sale("", 3000, {Gift(cards[0], 3000)}, doc));
        if (r) {
          ++paid;
        } else if (r.error().code == ErrorCode::kInsufficientBalance) {
          ++refused;
        } else {
          ++other;
        }
      }
    });
  }
  for (std::thread& t : tills) t.join();
  EXPECT_EQ(paid.load(), 6);  // ¥180 of ¥200
  EXPECT_EQ(refused.load(), 26);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(env.Balance(cards[0].number, core::Asset::kGiftValue), 2000);
  EXPECT_EQ(env.VerifyProblems(), "");
}

TEST(GiftTest, ReportsReconcileAndListingsAddUp) {
  TestEnv env;
  auto& gifts = env.services().gifts();
  const auto cards = SoldCards(env, "g", 20000, 2);
  auto first = gifts.TakeReport(env.Req(""));
  ASSERT_TRUE(first) << first.error().ToString();
  EXPECT_EQ(first->opening, 0);
  EXPECT_EQ(first->issued, 40000);
  EXPECT_EQ(first->issued_cards, 2);
  EXPECT_EQ(first->closing, 40000);
  EXPECT_EQ(first->cards_with_balance, 2);
  EXPECT_TRUE(first->balanced);

  auto& checkout = env.services().checkout();
  auto sale = checkout.Settle(env.Req(), Sale("", 4550, {Gift(cards[0], 4550)}, "S-1"));
  ASSERT_TRUE(sale) << sale.error().ToString();
  service::ReturnSpec r;
  r.sale = sale->id;
  r.all = true;
  r.doc_no = "SR-1";
  r.reason = "faulty";
  ASSERT_TRUE(checkout.Return(env.Req(), r));
  ASSERT_TRUE(checkout.Settle(env.Req(), Sale("", 1000, {Gift(cards[1], 1000)}, "S-2")));
  // A finance correction shows as "other".
  ASSERT_TRUE(env.ledger().Adjust(
      env.Req(), {cards[1].number, core::Asset::kGiftValue, -500, {}, "", "printing error"}));

  auto second = gifts.TakeReport(env.Req(""));
  ASSERT_TRUE(second) << second.error().ToString();
  EXPECT_EQ(second->previous_id, first->id);
  EXPECT_EQ(second->opening, 40000);
  EXPECT_EQ(second->issued, 0);
  EXPECT_EQ(second->consumed, 5550);
  EXPECT_EQ(second->refunded, 4550);
  EXPECT_EQ(second->other, -500);
  EXPECT_EQ(second->closing, 40000 - 5550 + 4550 - 500);
  EXPECT_TRUE(second->balanced);
  EXPECT_EQ(gifts.GetReport(env.tenant(), second->id)->closing, second->closing);
  EXPECT_EQ(gifts.ListReports(env.tenant(), 0, 10)->size(), 2u);
  EXPECT_EQ(gifts.GetReport(env.tenant(), 99).error().code, ErrorCode::kGiftReportNotFound);

  // Tampering with a cached balance shows as a difference at the next report.
  ExecSql(env.db_path(),
          "UPDATE accounts SET balance = balance + 1 WHERE asset = 'gift_value' "
          "AND holder_kind = 'card' AND id = (SELECT min(id) FROM accounts WHERE "
          "asset = 'gift_value' AND holder_kind = 'card')");
  auto third = gifts.TakeReport(env.Req(""));
  ASSERT_TRUE(third);
  EXPECT_FALSE(third->balanced);
  EXPECT_EQ(third->difference, 1);

  service::GiftListingQuery issuance;
  issuance.what = "issuance";
  auto sold = gifts.Listing(env.tenant(), issuance);
  ASSERT_TRUE(sold) << sold.error().ToString();
  EXPECT_EQ(sold->count, 2);
  EXPECT_EQ(sold->total, 40000);
  service::GiftListingQuery consumption;
  consumption.what = "consumption";
  consumption.limit = 2;
  auto page = gifts.Listing(env.tenant(), consumption);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->count, 2);
  ASSERT_TRUE(page->next_after.has_value());
  consumption.after = *page->next_after;
  auto next = gifts.Listing(env.tenant(), consumption);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->count, 1);
  EXPECT_EQ(page->total + next->total, -4550 + 4550 - 1000);
  EXPECT_FALSE(next->next_after.has_value());
  consumption.after = 0;
  auto csv = gifts.ListingCsv(env.tenant(), consumption);
  ASSERT_TRUE(csv);
  EXPECT_EQ(csv->substr(0, csv->find('\r')),
            "entry,kind,at,store,doc_no,staff,card,batch,amount,balance_after");
  EXPECT_NE(csv->find("total,3 postings"), std::string::npos) << *csv;
  EXPECT_NE(csv->find("-45.50"), std::string::npos);
  auto report_csv = gifts.ReportCsv(env.tenant(), second->id);
  ASSERT_TRUE(report_csv);
  EXPECT_NE(report_csv->find("balance now,385.00"), std::string::npos) << *report_csv;
  consumption.what = "everything";
  EXPECT_EQ(gifts.Listing(env.tenant(), consumption).error().field, "what");
}

TEST(GiftTest, AServerWithAnotherSecretRefusesInsteadOfCountingWrongPins) {
  TestEnv env;
  const auto cards = SoldCards(env, "g", 1000, 1);
  service::GiftOptions other;
  other.secret = std::string(32, 'x');
  other.fast_hashing = true;
  service::Services elsewhere(env.store(), env.clock(), {}, {}, other);
  auto r = elsewhere.gifts().Balance(env.Req(), cards[0].number, cards[0].pin);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kGiftSecretMismatch);
  EXPECT_EQ(Query(env, "SELECT sum(failed_pins) FROM gift_cards"), 0);
  service::Services none(env.store(), env.clock(), {}, {}, service::GiftOptions{});
  EXPECT_EQ(none.gifts().CreateBatch(env.Req(""), Batch("n", 100, 1)).error().code,
            ErrorCode::kGiftSecretMismatch);
}

TEST(GiftTest, AnotherTenantsGiftCardDoesNotExistHereAndTryingItIsCounted) {
  TestEnv env;
  const auto cards = SoldCards(env, "g", 10000, 1);
  auto other = env.services().org().CreateTenant("t2", "Other", "Asia/Shanghai");
  ASSERT_TRUE(other);
  service::Request foreign = service::RequestAs(*other, service::ActorNamed("intruder"), "x1");
  foreign.actor.client = "10.9.9.9";
  auto& gifts = env.services().gifts();
  EXPECT_EQ(gifts.Balance(foreign, cards[0].number, cards[0].pin).error().code,
            ErrorCode::kGiftCardNotFound);
  EXPECT_EQ(gifts.Show(*other, cards[0].number).error().code, ErrorCode::kGiftCardNotFound);
  EXPECT_EQ(Query(env, "SELECT count(*) FROM gift_pin_failures WHERE client = '10.9.9.9'"), 1);
  EXPECT_EQ(env.Balance(cards[0].number, core::Asset::kGiftValue), 10000);
}

TEST(GiftTest, AMissingSecretIsNotReplacedOnceBatchesExist) {
  TempDir dir;
  TestEnv fresh;
  const std::string made_here = dir.File("fresh.secret");
  auto made = service::OpenGiftSecret(fresh.store(), made_here);  // no batch yet: made
  ASSERT_TRUE(made) << made.error().ToString();
  EXPECT_EQ(made->size(), 32u);
  TestEnv env;
  SoldCards(env, "g", 1000, 1);
  auto missing = service::OpenGiftSecret(env.store(), dir.File("lost.secret"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kGiftSecretMismatch);
  EXPECT_NE(missing.error().message.find("lost.secret"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir.File("lost.secret")));
  auto kept = service::OpenGiftSecret(env.store(), made_here);  // an existing file is read
  ASSERT_TRUE(kept);
  EXPECT_EQ(*kept, *made);
}

TEST(GiftTest, TheSecretFileIsMadeOnceAndReadBack) {
  TempDir dir;
  const std::string path = dir.File("onecard.db.secret");
  auto made = service::LoadOrCreateSecret(path);
  ASSERT_TRUE(made) << made.error().ToString();
  EXPECT_EQ(made->size(), 32u);
  auto read = service::LoadOrCreateSecret(path);
  ASSERT_TRUE(read);
  EXPECT_EQ(*read, *made);
  const std::string short_file = dir.File("short.secret");
  {
    std::FILE* f = std::fopen(short_file.c_str(), "w");
    std::fputs("too short", f);
    std::fclose(f);
  }
  EXPECT_EQ(service::LoadOrCreateSecret(short_file).error().field, "secret_file");
}

}  // namespace
}  // namespace onecard::testing
