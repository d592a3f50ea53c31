#include "service/member_service.hpp"

#include "service/calendar.hpp"
#include "service/digest.hpp"

namespace onecard::service {

using core::ErrorCode;
using core::MakeError;
using core::Result;
using core::Status;

namespace {

std::string Describe(const MemberChanges& c) {
  Canonical canon("member");
  for (const auto& [k, v] : c.profile) canon.Add("p." + k, v);
  for (const auto& [k, v] : c.custom) canon.Add("c." + k, v);
  if (c.status) canon.Add("status", core::MemberStatusName(*c.status));
  if (c.channel) canon.Add("channel", core::EnrolChannelName(*c.channel));
  if (c.referrer_id) canon.Add("referrer", *c.referrer_id);
  if (c.home_store) canon.Add("home_store", *c.home_store);
  canon.Add("reason", c.reason);
  return canon.digest();
}

// Applies `changes` to `m` and writes the custom values; validates everything first so that a
// bad value changes nothing.
Status Apply(storage::WriteTxn& txn, const Request& req, const MemberChanges& changes,
             storage::MemberRecord& m, core::CivilDate today,
             std::vector<std::pair<std::string, std::string>>& custom_out) {
  for (const auto& [name, value] : changes.profile) {
    ONECARD_CHECK(core::SetProfileField(m.profile, name, value));
  }
  ONECARD_CHECK(core::ValidateProfile(m.profile, today));
  if (!changes.custom.empty()) {
    ONECARD_TRY(std::vector<storage::FieldDefRecord> defs, txn.ListFieldDefs(req.tenant.id));
    for (const auto& [key, value] : changes.custom) {
      const storage::FieldDefRecord* def = nullptr;
      for (const auto& d : defs) {
        if (d.def.key == key) def = &d;
      }
      if (def == nullptr) {
        return MakeError(ErrorCode::kFieldUnknown,
                         "\"" + key +
                             "\" is not a defined custom field; define it first with "
                             "`onecard field define`",
                         key);
      }
      if (value.empty()) {
        custom_out.emplace_back(key, "");
        continue;
      }
      ONECARD_TRY(std::string normalised, core::ValidateFieldValue(def->def, value));
      custom_out.emplace_back(key, normalised);
    }
  }
  if (changes.channel) m.channel = *changes.channel;
  if (changes.referrer_id) {
    if (*changes.referrer_id != 0) {
      ONECARD_TRY(std::optional<storage::MemberRecord> ref,
                  txn.GetMember(req.tenant.id, core::MemberId{*changes.referrer_id}));
      if (!ref || ref->id == m.id) {
        return MakeError(
            ErrorCode::kMemberNotFound,
            "no member " + std::to_string(*changes.referrer_id) + " to name as referrer",
            "referrer");
      }
    }
    m.referrer = core::MemberId{*changes.referrer_id};
  }
  if (changes.home_store) {
    m.home_store = {};
    if (!changes.home_store->empty()) {
      ONECARD_TRY(std::optional<storage::StoreRecord> store,
                  txn.FindStore(req.tenant.id, *changes.home_store));
      if (!store) {
        return MakeError(ErrorCode::kStoreNotFound, "no store " + *changes.home_store,
                         "home_store");
      }
      m.home_store = store->id;
    }
  }
  return core::ValidateText(changes.reason, "reason", 500);
}

}  // namespace

Result<MemberView> ReadMemberView(storage::ReadTxn& txn, const storage::MemberRecord& m) {
  MemberView v;
  v.id = m.id.value;
  for (std::string_view name : core::ProfileFieldNames()) {
    std::string value = core::GetProfileField(m.profile, name);
    if (name == "gender" && value == "unknown") continue;
    if (!value.empty()) v.profile.push_back(FieldValue{std::string(name), std::move(value)});
  }
  v.status = std::string(core::MemberStatusName(m.status));
  v.channel = std::string(core::EnrolChannelName(m.channel));
  v.referrer_id = m.referrer.value;
  if (m.home_store.valid()) {
    ONECARD_TRY(std::optional<storage::StoreRecord> s, txn.GetStore(m.tenant, m.home_store));
    if (s) v.home_store = s->code;
  }
  v.created_at = m.created_at;
  v.updated_at = m.updated_at;
  ONECARD_TRY(std::vector<storage::CustomValue> custom, txn.ListCustomValues(m.tenant, m.id));
  for (auto& c : custom) v.custom.push_back(FieldValue{c.key, c.value});
  ONECARD_TRY(std::vector<storage::CardRecord> cards, txn.ListCardsOfMember(m.tenant, m.id));
  for (const auto& c : cards) {
    ONECARD_TRY(std::optional<storage::CardTypeRecord> type, txn.GetCardType(m.tenant, c.type));
    v.cards.push_back(CardSummary{c.number, type ? type->code : "", c.status.Describe()});
  }
  ONECARD_TRY(std::vector<storage::MemberStatusChange> history,
              txn.ListStatusChanges(m.tenant, m.id));
  for (const auto& h : history) {
    v.status_history.push_back(StatusChangeLine{std::string(core::MemberStatusName(h.from)),
                                                std::string(core::MemberStatusName(h.to)), h.reason,
                                                h.staff, h.at});
  }
  return v;
}

std::string MemberView::Field(std::string_view key) const {
  for (const FieldValue& f : profile) {
    if (f.key == key) return f.value;
  }
  return "";
}

Result<MemberView> MemberService::Add(const Request& req, const MemberChanges& changes) {
  if (!req.idempotency_key.empty()) ONECARD_CHECK(ValidateIdempotencyKey(req.idempotency_key));
  return writer_.Call<MemberView>(
      req.tenant.id, req.idempotency_key, Describe(changes),
      [&](storage::WriteTxn& txn) -> Result<MemberView> {
        const core::Timestamp now = clock_.Now();
        storage::MemberRecord m;
        m.tenant = req.tenant.id;
        m.status = changes.status.value_or(core::MemberStatus::kRegistered);
        m.created_at = now;
        m.updated_at = now;
        if (!changes.home_store && req.actor.store.valid()) m.home_store = req.actor.store;
        std::vector<std::pair<std::string, std::string>> custom;
        ONECARD_CHECK(Apply(txn, req, changes, m, LocalDate(req.tenant.timezone, now), custom));
        ONECARD_TRY(m.id, txn.InsertMember(m));
        for (const auto& [key, value] : custom) {
          if (!value.empty()) ONECARD_CHECK(txn.SetCustomValue(req.tenant.id, m.id, key, value));
        }
        return ReadMemberView(txn, m);
      },
      AuditOf(req, "member.add", "member", ""));
}

Result<MemberView> MemberService::Update(const Request& req, std::int64_t member_id,
                                         const MemberChanges& changes) {
  if (!req.idempotency_key.empty()) ONECARD_CHECK(ValidateIdempotencyKey(req.idempotency_key));
  auto audit = AuditOf(req, "member.update", "member", std::to_string(member_id));
  return writer_.Call<MemberView>(
      req.tenant.id, req.idempotency_key,
      Digest(std::to_string(member_id) + "|" + Describe(changes)),
      [&](storage::WriteTxn& txn) -> Result<MemberView> {
        const core::Timestamp now = clock_.Now();
        ONECARD_TRY(std::optional<storage::MemberRecord> found,
                    txn.GetMember(req.tenant.id, core::MemberId{member_id}));
        if (!found) {
          return MakeError(
              ErrorCode::kMemberNotFound,
              "no member " + std::to_string(member_id) + " in tenant " + req.tenant.code, "member");
        }
        storage::MemberRecord m = *found;
        {
          ONECARD_TRY(MemberView before, ReadMemberView(txn, m));
          audit->before = nlohmann::json(before).dump();
        }
        std::vector<std::pair<std::string, std::string>> custom;
        ONECARD_CHECK(Apply(txn, req, changes, m, LocalDate(req.tenant.timezone, now), custom));
        if (changes.status && *changes.status != m.status) {
          if (changes.reason.empty()) {
            return MakeError(ErrorCode::kFieldInvalid, "a status change needs a reason", "reason");
          }
          ONECARD_CHECK(txn.InsertStatusChange(
              req.tenant.id, storage::MemberStatusChange{m.id, m.status, *changes.status,
                                                         changes.reason, req.actor.staff, now}));
          m.status = *changes.status;
        }
        m.updated_at = now;
        ONECARD_CHECK(txn.UpdateMember(m));
        for (const auto& [key, value] : custom) {
          ONECARD_CHECK(txn.SetCustomValue(req.tenant.id, m.id, key, value));
        }
        return ReadMemberView(txn, m);
      },
      audit);
}

Result<MemberView> MemberService::Show(const TenantRef& tenant, std::int64_t member_id) {
  ONECARD_TRY(std::unique_ptr<storage::ReadTxn> txn, store_.BeginRead());
  ONECARD_TRY(std::optional<storage::MemberRecord> m,
              txn->GetMember(tenant.id, core::MemberId{member_id}));
  if (!m) {
    return MakeError(ErrorCode::kMemberNotFound,
                     "no member " + std::to_string(member_id) + " in tenant " + tenant.code,
                     "member");
  }
  return ReadMemberView(*txn, *m);
}

Result<MemberView> MemberService::ShowByCard(const TenantRef& tenant, std::string_view number) {
  std::int64_t member_id = 0;
  {
    ONECARD_TRY(std::unique_ptr<storage::ReadTxn> txn, store_.BeginRead());
    ONECARD_TRY(std::optional<storage::CardRecord> card, txn->FindCard(tenant.id, number));
    if (!card) {
      return MakeError(ErrorCode::kCardNotFound,
                       "no card numbered " + std::string(number) + " in tenant " + tenant.code,
                       "card");
    }
    if (!card->member.valid()) {
      return MakeError(ErrorCode::kCardHasNoMember,
                       "card " + std::string(number) + " is a bearer card with no member", "card");
    }
    member_id = card->member.value;
  }
  return Show(tenant, member_id);
}

Result<std::vector<MemberView>> MemberService::Find(const TenantRef& tenant, std::string_view text,
                                                    int limit) {
  if (text.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "give a phone, card number, name or indexed field value to search for",
                     "query");
  }
  if (limit < 1 || limit > 1000) {
    return MakeError(ErrorCode::kInvalidArgument, "a page holds 1 to 1,000 members", "limit");
  }
  ONECARD_TRY(std::unique_ptr<storage::ReadTxn> txn, store_.BeginRead());
  ONECARD_TRY(std::vector<storage::MemberRecord> found, txn->SearchMembers(tenant.id, text, limit));
  std::vector<MemberView> out;
  for (const auto& m : found) {
    ONECARD_TRY(MemberView v, ReadMemberView(*txn, m));
    out.push_back(std::move(v));
  }
  return out;
}

Result<std::vector<MemberView>> MemberService::List(const TenantRef& tenant, std::int64_t after,
                                                    int limit) {
  if (limit < 1 || limit > 1000) {
    return MakeError(ErrorCode::kInvalidArgument, "a page holds 1 to 1,000 members", "limit");
  }
  ONECARD_TRY(std::unique_ptr<storage::ReadTxn> txn, store_.BeginRead());
  ONECARD_TRY(std::vector<storage::MemberRecord> found,
              txn->ListMembers(tenant.id, core::MemberId{after}, limit));
  std::vector<MemberView> out;
  for (const auto& m : found) {
    ONECARD_TRY(MemberView v, ReadMemberView(*txn, m));
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace onecard::service
