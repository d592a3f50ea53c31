#include "service/card_service.hpp"

#include "core/assert.hpp"
#include "service/calendar.hpp"
#include "service/digest.hpp"
#include "service/ledger_txn.hpp"

namespace onecard::service {

using core::CardOp;
using core::ErrorCode;
using core::MakeError;
using core::Result;
using core::Status;

namespace {

// A new card number: "88" + a sequence + a Luhn check digit, skipping numbers already taken.
Result<std::string> GenerateNumber(storage::WriteTxn& txn, const TenantRef& tenant) {
  ONECARD_TRY(std::int64_t seq, txn.MaxCardId());
  for (int attempt = 0; attempt < 1000; ++attempt) {
    std::string digits = std::to_string(++seq);
    digits.insert(0, digits.size() < 9 ? 9 - digits.size() : 0, '0');
    std::string number = core::WithLuhnDigit("88" + digits);
    ONECARD_TRY(std::optional<storage::CardRecord> taken, txn.FindCard(tenant.id, number));
    if (!taken) return number;
  }
  return MakeError(ErrorCode::kInternal, "could not find a free card number");
}

Status CheckNumberFree(storage::WriteTxn& txn, const TenantRef& tenant, std::string_view number) {
  ONECARD_CHECK(core::ValidateCardNumber(number, "number"));
  ONECARD_TRY(std::optional<storage::CardRecord> taken, txn.FindCard(tenant.id, number));
  if (taken) {
    return MakeError(ErrorCode::kCardNumberTaken,
                     "card number " + std::string(number) +
                         " is already used in this tenant (numbers are never reused)",
                     "number");
  }
  return {};
}

bool NeedsMember(core::CardKind kind) {
  return kind == core::CardKind::kPersonal || kind == core::CardKind::kGroup ||
         kind == core::CardKind::kPoints;
}

core::CivilDate Today(const TenantRef& tenant, core::Timestamp now) {
  return LocalDate(tenant.timezone, now);
}

Status Event(storage::WriteTxn& txn, const Request& req, const storage::CardRecord& card, CardOp op,
             std::string_view reason, std::string detail, std::int64_t fee, core::Timestamp now) {
  return txn.InsertCardEvent(
      storage::CardEventRecord{0, req.tenant.id, card.id, card.member, op, req.actor.staff,
                               req.actor.store, std::string(reason), std::move(detail), fee, now});
}

// Closing needs every balance at zero and no hold in escrow.
Status CheckClosable(storage::WriteTxn& txn, const TenantRef& tenant,
                     const storage::CardRecord& card) {
  ONECARD_TRY(std::vector<storage::HoldRecord> holds,
              txn.ListActiveHoldsOfCard(tenant.id, card.id));
  if (!holds.empty()) {
    return MakeError(ErrorCode::kCardHasActiveHolds,
                     "card " + card.number + " has " + std::to_string(holds.size()) +
                         " active hold(s); capture or void them first",
                     "card");
  }
  ONECARD_TRY(std::vector<storage::CardRecord> linked, txn.ListLinkedCards(tenant.id, card.id));
  for (const auto& l : linked) {
    if (l.status.state == core::CardState::kActive ||
        l.status.state == core::CardState::kInactive) {
      return MakeError(
          ErrorCode::kCardStateInvalid,
          "card " + card.number + " still has linked card " + l.number + "; close that first",
          "card");
    }
  }
  ONECARD_TRY(std::vector<storage::AccountRecord> accounts,
              txn.ListAccountsOfCard(tenant.id, card.id));
  std::string left;
  for (const auto& a : accounts) {
    if (a.balance != 0) {
      left += (left.empty() ? "" : ", ") + core::FormatAmount(a.key.asset, a.balance) + " " +
              std::string(core::AssetName(a.key.asset));
    }
  }
  if (!left.empty()) {
    return MakeError(ErrorCode::kCardHasBalance,
                     "card " + card.number + " still holds " + left +
                         "; spend, pay out or adjust it to zero before closing",
                     "card");
  }
  return {};
}

}  // namespace

Result<CardView> ReadCardView(storage::ReadTxn& txn, const storage::CardRecord& c, bool events) {
  CardView v;
  v.id = c.id.value;
  v.number = c.number;
  ONECARD_TRY(std::optional<storage::CardTypeRecord> type, txn.GetCardType(c.tenant, c.type));
  if (type) {
    v.type = type->code;
    v.kind = std::string(core::CardKindName(type->kind));
  }
  v.member_id = c.member.value;
  if (c.member.valid()) {
    ONECARD_TRY(std::optional<storage::MemberRecord> m, txn.GetMember(c.tenant, c.member));
    if (m) v.member_name = m->profile.name;
  }
  v.status = c.status.Describe();
  v.state = std::string(core::CardStateName(c.status.state));
  v.frozen = c.status.frozen;
  v.lost = c.status.lost;
  if (c.primary.valid()) {
    ONECARD_TRY(std::optional<storage::CardRecord> p, txn.GetCard(c.tenant, c.primary));
    if (p) v.primary_number = p->number;
  }
  if (c.replaced_by.valid()) {
    ONECARD_TRY(std::optional<storage::CardRecord> r, txn.GetCard(c.tenant, c.replaced_by));
    if (r) v.replaced_by_number = r->number;
  }
  v.issued_at = c.issued_at;
  v.expires_on = c.expires_on;
  v.reissue_count = c.reissue_count;
  if (events) {
    ONECARD_TRY(std::vector<storage::StoreRecord> stores, txn.ListStores(c.tenant));
    ONECARD_TRY(std::vector<storage::CardEventRecord> log, txn.ListCardEvents(c.tenant, c.id));
    for (const auto& e : log) {
      std::string store;
      for (const auto& s : stores) {
        if (s.id == e.store) store = s.code;
      }
      v.events.push_back(CardEventLine{std::string(core::CardOpName(e.op)), e.at, e.staff, store,
                                       e.reason, e.detail, e.fee_fen});
    }
  }
  return v;
}

Result<CardOpResult> CardService::Issue(const Request& req, const IssueCardRequest& r) {
  if (!req.idempotency_key.empty()) ONECARD_CHECK(ValidateIdempotencyKey(req.idempotency_key));
  ONECARD_CHECK(core::ValidateText(r.reason, "reason", 500));
  if (!r.number.empty()) ONECARD_CHECK(core::ValidateCardNumber(r.number, "number"));
  if (!r.number.empty() && r.phone_as_number) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "give a card number or use the phone number, not both", "number");
  }
  Canonical c("card_issue");
  c.Add("member", r.member_id).Add("type", r.type).Add("number", r.number);
  c.Add("phone", r.phone_as_number ? 1 : 0).Add("primary", r.primary);
  c.Add("inactive", r.inactive ? 1 : 0).Add("reason", r.reason);
  return writer_.Call<CardOpResult>(
      req.tenant.id, req.idempotency_key, c.digest(),
      [&](storage::WriteTxn& txn) -> Result<CardOpResult> {
        const core::Timestamp now = clock_.Now();
        ONECARD_TRY(std::optional<storage::CardTypeRecord> type,
                    txn.FindCardType(req.tenant.id, r.type));
        if (!type) {
          return MakeError(ErrorCode::kCardTypeNotFound,
                           "no card type " + r.type + " in tenant " + req.tenant.code, "type");
        }
        storage::CardRecord card;
        card.tenant = req.tenant.id;
        card.type = type->id;
        card.issued_at = now;
        card.status.state = r.inactive ? core::CardState::kInactive : core::CardState::kActive;
        if (type->kind == core::CardKind::kGift) {
          return MakeError(ErrorCode::kFieldInvalid,
                           "gift cards are made in batches, with PINs: giftcard batch create "
                           "or giftcard batch import",
                           "type");
        }
        std::optional<storage::MemberRecord> member;
        if (r.member_id != 0) {
          ONECARD_TRY(member, txn.GetMember(req.tenant.id, core::MemberId{r.member_id}));
          if (!member) {
            return MakeError(
                ErrorCode::kMemberNotFound,
                "no member " + std::to_string(r.member_id) + " in tenant " + req.tenant.code,
                "member");
          }
          card.member = member->id;
        } else if (NeedsMember(type->kind)) {
          return MakeError(
              ErrorCode::kFieldInvalid,
              "a " + std::string(core::CardKindName(type->kind)) + " card is issued to a member",
              "member");
        }
        if (type->kind == core::CardKind::kLinked) {
          if (r.primary.empty()) {
            return MakeError(ErrorCode::kFieldInvalid,
                             "a linked card needs the primary card it shares accounts with",
                             "primary");
          }
          ONECARD_TRY(storage::CardRecord primary, FindCardOrFail(txn, req.tenant, r.primary));
          if (primary.primary.valid()) {
            return MakeError(
                ErrorCode::kFieldInvalid,
                "card " + r.primary + " is itself linked; link to its primary " + "card instead",
                "primary");
          }
          ONECARD_CHECK(core::CheckCardUsable(primary.status, primary.number));
          card.primary = primary.id;
        } else if (!r.primary.empty()) {
          return MakeError(ErrorCode::kFieldInvalid, "only linked cards have a primary card",
                           "primary");
        }
        if (r.phone_as_number) {
          if (!member || member->profile.phone.empty()) {
            return MakeError(ErrorCode::kFieldInvalid,
                             "the member has no phone number to use as the card number", "phone");
          }
          card.number = member->profile.phone;
          if (card.number.front() == '+') card.number.erase(0, 1);
        } else if (!r.number.empty()) {
          card.number = r.number;
        } else {
          ONECARD_TRY(card.number, GenerateNumber(txn, req.tenant));
        }
        ONECARD_CHECK(CheckNumberFree(txn, req.tenant, card.number));
        if (type->validity_months > 0) {
          card.expires_on = Today(req.tenant, now).PlusMonths(type->validity_months);
        }
        ONECARD_TRY(card.id, txn.InsertCard(card));
        std::string detail = "type " + type->code;
        if (type->fee_fen > 0) detail += ", fee " + core::Money::Fen(type->fee_fen).ToString();
        ONECARD_CHECK(Event(txn, req, card, CardOp::kIssue, r.reason, detail, type->fee_fen, now));
        ONECARD_TRY(CardView view, ReadCardView(txn, card, true));
        return CardOpResult{std::move(view), std::nullopt, std::nullopt, false};
      },
      AuditOf(req, "card.issue", "member", std::to_string(r.member_id)));
}

Result<CardOpResult> CardService::Apply(const Request& req, std::string_view number, CardOp op,
                                        std::string_view reason) {
  if (op == CardOp::kIssue || op == CardOp::kReplace || op == CardOp::kSetCreditLimit) {
    return MakeError(ErrorCode::kInvalidArgument,
                     std::string(core::CardOpName(op)) + " has its own call", "op");
  }
  if (!req.idempotency_key.empty()) ONECARD_CHECK(ValidateIdempotencyKey(req.idempotency_key));
  ONECARD_CHECK(core::ValidateText(reason, "reason", 500));
  Canonical c("card_op");
  c.Add("number", number).Add("op", core::CardOpName(op)).Add("reason", reason);
  auto audit =
      AuditOf(req, "card." + std::string(core::CardOpName(op)), "card", std::string(number));
  return writer_.Call<CardOpResult>(
      req.tenant.id, req.idempotency_key, c.digest(),
      [&](storage::WriteTxn& txn) -> Result<CardOpResult> {
        const core::Timestamp now = clock_.Now();
        ONECARD_TRY(storage::CardRecord card, FindCardOrFail(txn, req.tenant, number));
        {
          ONECARD_TRY(CardView before, ReadCardView(txn, card, false));
          audit->before = nlohmann::json(before).dump();
        }
        if (op == CardOp::kActivate || op == CardOp::kReissue || op == CardOp::kRenew) {
          ONECARD_TRY(std::optional<storage::GiftCardRecord> gift,
                      txn.GetGiftCard(req.tenant.id, card.id));
          if (gift) {
            return MakeError(ErrorCode::kCardStateInvalid,
                             "card " + card.number + " is a gift card: it is activated by " +
                                 "selling it (giftcard activate), which loads its face value",
                             "card");
          }
        }
        ONECARD_TRY(card.status, core::ApplyCardOp(card.status, op, card.number));
        std::string detail;
        std::int64_t fee = 0;
        if (op == CardOp::kClose) ONECARD_CHECK(CheckClosable(txn, req.tenant, card));
        if (op == CardOp::kReissue) {
          card.reissue_count += 1;
          detail = "reissue " + std::to_string(card.reissue_count);
        }
        if (op == CardOp::kRenew) {
          ONECARD_TRY(std::optional<storage::CardTypeRecord> type,
                      txn.GetCardType(req.tenant.id, card.type));
          if (!type || type->validity_months == 0) {
            return MakeError(ErrorCode::kFieldInvalid,
                             "card " + card.number + "'s type has no validity period to renew",
                             "card");
          }
          const core::CivilDate today = Today(req.tenant, now);
          const core::CivilDate from =
              card.expires_on && *card.expires_on > today ? *card.expires_on : today;
          card.expires_on = from.PlusMonths(type->validity_months);
          fee = type->fee_fen;
          detail = "valid until " + card.expires_on->ToString();
          if (fee > 0) detail += ", fee " + core::Money::Fen(fee).ToString();
        }
        ONECARD_CHECK(txn.UpdateCard(card));
        ONECARD_CHECK(Event(txn, req, card, op, reason, detail, fee, now));
        ONECARD_TRY(CardView view, ReadCardView(txn, card, true));
        return CardOpResult{std::move(view), std::nullopt, std::nullopt, false};
      },
      audit);
}

Result<CardOpResult> CardService::Replace(const Request& req, std::string_view old_number,
                                          std::string_view new_number, std::string_view reason) {
  ONECARD_CHECK(ValidateIdempotencyKey(req.idempotency_key));
  ONECARD_CHECK(core::ValidateText(reason, "reason", 500));
  if (!new_number.empty()) ONECARD_CHECK(core::ValidateCardNumber(new_number, "new_number"));
  Canonical c("card_replace");
  c.Add("old", old_number).Add("new", new_number).Add("reason", reason);
  return writer_.Call<CardOpResult>(
      req.tenant.id, req.idempotency_key, c.digest(),
      [&](storage::WriteTxn& txn) -> Result<CardOpResult> {
        LedgerTxn l(txn, req, clock_.Now());
        ONECARD_TRY(storage::CardRecord old_card, FindCardOrFail(txn, req.tenant, old_number));
        ONECARD_TRY(std::optional<storage::GiftCardRecord> gift,
                    txn.GetGiftCard(req.tenant.id, old_card.id));
        if (gift) {
          return MakeError(ErrorCode::kCardStateInvalid,
                           "card " + old_card.number +
                               " is a gift card (a bearer card with a PIN): it is not replaced",
                           "card");
        }
        ONECARD_TRY(core::CardStatus dead,
                    core::ApplyCardOp(old_card.status, CardOp::kReplace, old_card.number));
        ONECARD_TRY(std::vector<storage::HoldRecord> holds,
                    txn.ListActiveHoldsOfCard(req.tenant.id, old_card.id));
        if (!holds.empty()) {
          return MakeError(ErrorCode::kCardHasActiveHolds,
                           "card " + old_card.number +
                               " has an active hold; capture or void it "
                               "before replacing the card",
                           "card");
        }
        storage::CardRecord new_card = old_card;
        new_card.id = {};
        new_card.status = core::CardStatus{};
        new_card.replaced_by = {};
        new_card.issued_at = l.now();
        new_card.reissue_count = 0;
        if (new_number.empty()) {
          ONECARD_TRY(new_card.number, GenerateNumber(txn, req.tenant));
        } else {
          new_card.number = std::string(new_number);
        }
        ONECARD_CHECK(CheckNumberFree(txn, req.tenant, new_card.number));
        ONECARD_TRY(new_card.id, txn.InsertCard(new_card));

        // Every account of the old card, balance, lots, debt and credit limit, moves across.
        core::EntryPlan plan;
        ONECARD_TRY(std::vector<storage::AccountRecord> accounts,
                    txn.ListAccountsOfCard(req.tenant.id, old_card.id));
        for (const storage::AccountRecord& a : accounts) {
          ONECARD_TRY(storage::AccountRecord to,
                      txn.LockAccount(storage::AccountKey{req.tenant.id, core::HolderKind::kCard,
                                                          new_card.id.value,
                                                          core::AccountRole::kHolder, a.key.asset},
                                      new_card.member, l.now()));
          if (a.credit_limit > 0) ONECARD_CHECK(txn.SetCreditLimit(to.id, a.credit_limit));
          ONECARD_TRY(core::AccountPlanner * from_planner, l.Holder(old_card, a.key.asset));
          ONECARD_TRY(core::AccountPlanner * to_planner, l.Holder(new_card, a.key.asset));
          ONECARD_CHECK(l.LoadLots(*from_planner));
          ONECARD_CHECK(l.LoadLots(*to_planner));
          plan.TransferAll(*from_planner, *to_planner);
        }
        std::optional<EntryReceipt> transfer;
        if (!plan.postings().empty()) {
          const ResolvedCard resolved{old_card, old_card};
          ONECARD_TRY(EntryReceipt receipt,
                      l.Write(l.Header(core::EntryKind::kTransfer, resolved, "", reason), plan));
          transfer = std::move(receipt);
        }
        old_card.status = dead;
        old_card.replaced_by = new_card.id;
        ONECARD_CHECK(txn.UpdateCard(old_card));
        ONECARD_CHECK(txn.RepointLinkedCards(req.tenant.id, old_card.id, new_card.id));
        ONECARD_CHECK(Event(txn, req, old_card, CardOp::kReplace, reason,
                            "replaced by " + new_card.number, 0, l.now()));
        ONECARD_CHECK(Event(txn, req, new_card, CardOp::kIssue, reason,
                            "replaces " + old_card.number, 0, l.now()));
        ONECARD_TRY(CardView old_view, ReadCardView(txn, old_card, true));
        ONECARD_TRY(CardView new_view, ReadCardView(txn, new_card, true));
        return CardOpResult{std::move(old_view), std::move(new_view), std::move(transfer), false};
      },
      AuditOf(req, "card.replace", "card", std::string(old_number)));
}

Result<CardView> CardService::Show(const TenantRef& tenant, std::string_view number) {
  ONECARD_TRY(std::unique_ptr<storage::ReadTxn> txn, store_.BeginRead());
  ONECARD_TRY(storage::CardRecord card, FindCardOrFail(*txn, tenant, number));
  return ReadCardView(*txn, card, true);
}

Result<std::vector<CardView>> CardService::ExpiringBy(const TenantRef& tenant, core::CivilDate date,
                                                      int limit) {
  if (limit < 1 || limit > 10000) {
    return MakeError(ErrorCode::kInvalidArgument, "a page holds 1 to 10,000 cards", "limit");
  }
  ONECARD_TRY(std::unique_ptr<storage::ReadTxn> txn, store_.BeginRead());
  ONECARD_TRY(std::vector<storage::CardRecord> cards,
              txn->ListCardsExpiringBy(tenant.id, date, limit));
  std::vector<CardView> out;
  for (const auto& c : cards) {
    ONECARD_TRY(CardView v, ReadCardView(*txn, c, false));
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace onecard::service
