// SqliteTxn: cards and their operation log.
#include "storage/sqlite/rows.hpp"
#include "storage/sqlite/txn.hpp"

namespace onecard::storage::sqlite {
namespace {

#define ONECARD_CARD_COLS_OF(c)                                                           \
  c "id, " c "tenant_id, COALESCE(" c "member_id, 0), " c "card_type_id, " c "number, " c \
    "state, " c "frozen, " c "lost, COALESCE(" c "primary_card_id, 0), COALESCE(" c       \
    "replaced_by_id, 0), " c "issued_at, " c "expires_on, " c "reissue_count "
#define ONECARD_CARD_COLS ONECARD_CARD_COLS_OF("")

Result<CardRecord> ReadCard(const Stmt& st) {
  CardRecord c;
  c.id = CardId{st.Int(0)};
  c.tenant = TenantId{st.Int(1)};
  c.member = MemberId{st.Int(2)};
  c.type = CardTypeId{st.Int(3)};
  c.number = st.Text(4);
  ONECARD_TRY(c.status.state, core::ParseCardState(st.Text(5)));
  c.status.frozen = st.Int(6) != 0;
  c.status.lost = st.Int(7) != 0;
  c.primary = CardId{st.Int(8)};
  c.replaced_by = CardId{st.Int(9)};
  c.issued_at = Timestamp{st.Int(10)};
  if (!st.IsNull(11)) {
    ONECARD_TRY(core::CivilDate d, core::CivilDate::Parse(st.Text(11), "expires_on"));
    c.expires_on = d;
  }
  c.reissue_count = static_cast<int>(st.Int(12));
  return c;
}

Result<core::CardOp> ParseOp(std::string_view text) {
  for (int i = 0; i <= static_cast<int>(core::CardOp::kSetCreditLimit); ++i) {
    const auto op = static_cast<core::CardOp>(i);
    if (core::CardOpName(op) == text) return op;
  }
  return core::MakeError(core::ErrorCode::kStorageFailure,
                         "unknown card operation \"" + std::string(text) + "\" in the database");
}

}  // namespace

Result<std::optional<CardRecord>> SqliteTxn::FindCard(TenantId tenant, std::string_view number) {
  ONECARD_TRY(Stmt st, Prepare("SELECT " ONECARD_CARD_COLS
                               "FROM cards WHERE tenant_id = ?1 AND number = ?2"));
  st.Bind(1, tenant.value).Bind(2, number);
  return ReadOne<CardRecord>(st, ReadCard);
}

Result<std::optional<CardAccount>> SqliteTxn::FindCardAndLockAccount(TenantId tenant,
                                                                     std::string_view number,
                                                                     core::Asset asset) {
  RequireWritable();
  ONECARD_TRY(Stmt st,
              Prepare("SELECT " ONECARD_CARD_COLS_OF(
                  "c.") ", a.id, a.balance, a.debt, "
                        "a.credit_limit, COALESCE(a.member_id, 0) FROM cards c "
                        "LEFT JOIN accounts a ON a.tenant_id = c.tenant_id AND a.holder_kind = "
                        "'card' AND a.holder_id = c.id AND a.role = 'holder' AND a.asset = ?3 "
                        "WHERE c.tenant_id = ?1 AND c.number = ?2"));
  st.Bind(1, tenant.value).Bind(2, number).Bind(3, core::AssetName(asset));
  return ReadOne<CardAccount>(st, [&](const Stmt& s) -> Result<CardAccount> {
    ONECARD_TRY(CardRecord card, ReadCard(s));
    CardAccount out{std::move(card), std::nullopt};
    if (!s.IsNull(13)) {
      AccountRecord a;
      a.id = AccountId{s.Int(13)};
      a.key = AccountKey{tenant, core::HolderKind::kCard, out.card.id.value,
                         core::AccountRole::kHolder, asset};
      a.balance = s.Int(14);
      a.debt = s.Int(15);
      a.credit_limit = s.Int(16);
      a.member = MemberId{s.Int(17)};
      out.account = a;
    }
    return out;
  });
}

Result<std::optional<CardRecord>> SqliteTxn::GetCard(TenantId tenant, CardId id) {
  ONECARD_TRY(Stmt st,
              Prepare("SELECT " ONECARD_CARD_COLS "FROM cards WHERE tenant_id = ?1 AND id = ?2"));
  st.Bind(1, tenant.value).Bind(2, id.value);
  return ReadOne<CardRecord>(st, ReadCard);
}

Result<std::vector<CardRecord>> SqliteTxn::ListCardsOfMember(TenantId tenant, MemberId member) {
  ONECARD_TRY(Stmt st, Prepare("SELECT " ONECARD_CARD_COLS
                               "FROM cards WHERE tenant_id = ?1 AND member_id = ?2 ORDER BY id"));
  st.Bind(1, tenant.value).Bind(2, member.value);
  return ReadAll<CardRecord>(st, ReadCard);
}

Result<std::vector<CardRecord>> SqliteTxn::ListLinkedCards(TenantId tenant, CardId primary) {
  ONECARD_TRY(Stmt st,
              Prepare("SELECT " ONECARD_CARD_COLS
                      "FROM cards WHERE tenant_id = ?1 AND primary_card_id = ?2 ORDER BY id"));
  st.Bind(1, tenant.value).Bind(2, primary.value);
  return ReadAll<CardRecord>(st, ReadCard);
}

Result<std::vector<CardRecord>> SqliteTxn::ListCardsExpiringBy(TenantId tenant,
                                                               core::CivilDate date, int limit) {
  ONECARD_TRY(Stmt st, Prepare("SELECT " ONECARD_CARD_COLS
                               "FROM cards WHERE tenant_id = ?1 AND state = 'active' "
                               "AND expires_on IS NOT NULL AND expires_on <= ?2 "
                               "ORDER BY expires_on, id LIMIT ?3"));
  st.Bind(1, tenant.value).Bind(2, date.ToString()).Bind(3, std::int64_t{limit});
  return ReadAll<CardRecord>(st, ReadCard);
}

Result<CardId> SqliteTxn::InsertCard(const CardRecord& c) {
  RequireWritable();
  ONECARD_TRY(Stmt st, Prepare("INSERT INTO cards (tenant_id, member_id, card_type_id, number, "
                               "state, frozen, lost, primary_card_id, replaced_by_id, issued_at, "
                               "expires_on, reissue_count) "
                               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"));
  st.Bind(1, c.tenant.value).BindId(2, c.member.value).Bind(3, c.type.value).Bind(4, c.number);
  st.Bind(5, core::CardStateName(c.status.state)).Bind(6, std::int64_t{c.status.frozen});
  st.Bind(7, std::int64_t{c.status.lost}).BindId(8, c.primary.value);
  st.BindId(9, c.replaced_by.value).Bind(10, c.issued_at.micros);
  if (c.expires_on) {
    st.Bind(11, c.expires_on->ToString());
  } else {
    st.BindNull(11);
  }
  st.Bind(12, std::int64_t{c.reissue_count});
  if (core::Status s = st.Run(); !s) {
    if (s.error().code == core::ErrorCode::kCodeTaken) {
      return core::MakeError(core::ErrorCode::kCardNumberTaken,
                             "card number " + c.number + " is already used in this tenant",
                             "number");
    }
    return s.error();
  }
  return CardId{conn_.LastInsertId()};
}

Status SqliteTxn::UpdateCard(const CardRecord& c) {
  RequireWritable();
  ONECARD_TRY(Stmt st, Prepare("UPDATE cards SET member_id = ?3, state = ?4, frozen = ?5, "
                               "lost = ?6, primary_card_id = ?7, replaced_by_id = ?8, "
                               "expires_on = ?9, reissue_count = ?10 "
                               "WHERE tenant_id = ?1 AND id = ?2"));
  st.Bind(1, c.tenant.value).Bind(2, c.id.value).BindId(3, c.member.value);
  st.Bind(4, core::CardStateName(c.status.state)).Bind(5, std::int64_t{c.status.frozen});
  st.Bind(6, std::int64_t{c.status.lost}).BindId(7, c.primary.value);
  st.BindId(8, c.replaced_by.value);
  if (c.expires_on) {
    st.Bind(9, c.expires_on->ToString());
  } else {
    st.BindNull(9);
  }
  st.Bind(10, std::int64_t{c.reissue_count});
  return st.Run();
}

Status SqliteTxn::RepointLinkedCards(TenantId tenant, CardId from, CardId to) {
  RequireWritable();
  ONECARD_TRY(Stmt st, Prepare("UPDATE cards SET primary_card_id = ?3 "
                               "WHERE tenant_id = ?1 AND primary_card_id = ?2"));
  st.Bind(1, tenant.value).Bind(2, from.value).Bind(3, to.value);
  return st.Run();
}

Result<std::vector<CardEventRecord>> SqliteTxn::ListCardEvents(TenantId tenant, CardId card) {
  ONECARD_TRY(Stmt st, Prepare("SELECT id, tenant_id, card_id, COALESCE(member_id, 0), op, staff, "
                               "COALESCE(store_id, 0), reason, detail, fee_fen, at "
                               "FROM card_events WHERE tenant_id = ?1 AND card_id = ?2 "
                               "ORDER BY id"));
  st.Bind(1, tenant.value).Bind(2, card.value);
  return ReadAll<CardEventRecord>(st, [](const Stmt& s) -> Result<CardEventRecord> {
    ONECARD_TRY(core::CardOp op, ParseOp(s.Text(4)));
    return CardEventRecord{s.Int(0),  TenantId{s.Int(1)}, CardId{s.Int(2)},    MemberId{s.Int(3)},
                           op,        s.Text(5),          StoreId{s.Int(6)},   s.Text(7),
                           s.Text(8), s.Int(9),           Timestamp{s.Int(10)}};
  });
}

Result<std::int64_t> SqliteTxn::MaxCardId() {
  ONECARD_TRY(Stmt st, Prepare("SELECT COALESCE(max(id), 0) FROM cards"));
  ONECARD_TRY(bool row, st.Step());
  return row ? st.Int(0) : 0;
}

Status SqliteTxn::InsertCardEvent(const CardEventRecord& e) {
  RequireWritable();
  ONECARD_TRY(Stmt st, Prepare("INSERT INTO card_events (tenant_id, card_id, member_id, op, "
                               "staff, store_id, reason, detail, fee_fen, at) "
                               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"));
  st.Bind(1, e.tenant.value).Bind(2, e.card.value).BindId(3, e.member.value);
  st.Bind(4, core::CardOpName(e.op)).Bind(5, e.staff).BindId(6, e.store.value).Bind(7, e.reason);
  st.Bind(8, e.detail).Bind(9, e.fee_fen).Bind(10, e.at.micros);
  return st.Run();
}

}  // namespace onecard::storage::sqlite
