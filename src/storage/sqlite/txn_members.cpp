// SqliteTxn: members, their custom field values and status history.
#include "storage/sqlite/rows.hpp"
#include "storage/sqlite/txn.hpp"

namespace onecard::storage::sqlite {
namespace {

// Column order shared by every member query and by ReadMember.
#define ONECARD_MEMBER_COLS                                                                    \
  "m.id, m.tenant_id, m.kind, m.status, m.channel, m.name, m.gender, m.birthday, m.phone, "    \
  "m.email, m.id_type, m.id_number, m.province, m.city, m.district, m.address, m.postcode, "   \
  "m.company, m.occupation, m.income_band, m.marital_status, m.children, m.interests, "        \
  "m.media, m.notes, COALESCE(m.referrer_id, 0), COALESCE(m.home_store_id, 0), m.created_at, " \
  "m.updated_at "

Result<MemberRecord> ReadMember(const Stmt& st) {
  MemberRecord m;
  m.id = MemberId{st.Int(0)};
  m.tenant = TenantId{st.Int(1)};
  ONECARD_TRY(m.profile.kind, core::ParseMemberKind(st.Text(2)));
  ONECARD_TRY(m.status, core::ParseMemberStatus(st.Text(3)));
  ONECARD_TRY(m.channel, core::ParseEnrolChannel(st.Text(4)));
  core::MemberProfile& p = m.profile;
  p.name = st.Text(5);
  ONECARD_TRY(p.gender, core::ParseGender(st.Text(6)));
  if (!st.IsNull(7)) {
    ONECARD_TRY(core::CivilDate birthday, core::CivilDate::Parse(st.Text(7), "birthday"));
    p.birthday = birthday;
  }
  std::string* texts[] = {
      &p.phone,          &p.email,    &p.id_type,   &p.id_number, &p.province,   &p.city,
      &p.district,       &p.address,  &p.postcode,  &p.company,   &p.occupation, &p.income_band,
      &p.marital_status, &p.children, &p.interests, &p.media,     &p.notes};
  int col = 8;
  for (std::string* t : texts) *t = st.Text(col++);
  m.referrer = MemberId{st.Int(25)};
  m.home_store = StoreId{st.Int(26)};
  m.created_at = Timestamp{st.Int(27)};
  m.updated_at = Timestamp{st.Int(28)};
  return m;
}

// Binds the profile and status columns as ?2…?25 in the order of ONECARD_MEMBER_COLS.
void BindMemberColumns(Stmt& st, const MemberRecord& m) {
  const core::MemberProfile& p = m.profile;
  st.Bind(2, core::MemberKindName(p.kind)).Bind(3, core::MemberStatusName(m.status));
  st.Bind(4, core::EnrolChannelName(m.channel)).Bind(5, p.name).Bind(6, core::GenderName(p.gender));
  if (p.birthday) {
    st.Bind(7, p.birthday->ToString());
  } else {
    st.BindNull(7);
  }
  const std::string* texts[] = {
      &p.phone,          &p.email,    &p.id_type,   &p.id_number, &p.province,   &p.city,
      &p.district,       &p.address,  &p.postcode,  &p.company,   &p.occupation, &p.income_band,
      &p.marital_status, &p.children, &p.interests, &p.media,     &p.notes};
  int index = 8;
  for (const std::string* t : texts) st.Bind(index++, *t);
  st.BindId(25, m.referrer.value).BindId(26, m.home_store.value);
}

}  // namespace

Result<std::optional<MemberRecord>> SqliteTxn::GetMember(TenantId tenant, MemberId id) {
  ONECARD_TRY(Stmt st, Prepare("SELECT " ONECARD_MEMBER_COLS
                               "FROM members m WHERE m.tenant_id = ?1 AND m.id = ?2"));
  st.Bind(1, tenant.value).Bind(2, id.value);
  return ReadOne<MemberRecord>(st, ReadMember);
}

Result<std::vector<MemberRecord>> SqliteTxn::SearchMembers(TenantId tenant, std::string_view text,
                                                           int limit) {
  // Each branch can use an index except the name substring and phone-suffix scans, which stay
  // within one tenant. UNION removes members found by several branches.
  ONECARD_TRY(
      Stmt st,
      Prepare(
          "SELECT " ONECARD_MEMBER_COLS "FROM members m WHERE m.id IN ("
          " SELECT id FROM members WHERE tenant_id = ?1 AND phone = ?2"
          " UNION SELECT member_id FROM cards WHERE tenant_id = ?1 AND number = ?2"
          "   AND member_id IS NOT NULL"
          " UNION SELECT f.member_id FROM member_fields f JOIN field_defs d"
          "   ON d.tenant_id = f.tenant_id AND d.key = f.key AND d.indexed = 1"
          "   WHERE f.tenant_id = ?1 AND f.value = ?2"
          " UNION SELECT id FROM members WHERE tenant_id = ?1"
          "   AND (instr(name, ?2) > 0 OR (length(?2) >= 4 AND substr(phone, -length(?2)) = ?2))"
          ") ORDER BY m.id DESC LIMIT ?3"));
  st.Bind(1, tenant.value).Bind(2, text).Bind(3, std::int64_t{limit});
  return ReadAll<MemberRecord>(st, ReadMember);
}

Result<std::int64_t> SqliteTxn::CountMembers(TenantId tenant) {
  ONECARD_TRY(Stmt st, Prepare("SELECT count(*) FROM members WHERE tenant_id = ?1"));
  st.Bind(1, tenant.value);
  ONECARD_TRY(bool row, st.Step());
  return row ? st.Int(0) : 0;
}

Result<std::vector<MemberRecord>> SqliteTxn::ListMembers(TenantId tenant, MemberId after,
                                                         int limit) {
  ONECARD_TRY(Stmt st, Prepare("SELECT " ONECARD_MEMBER_COLS "FROM members m "
                               "WHERE m.tenant_id = ?1 AND m.id > ?2 ORDER BY m.id LIMIT ?3"));
  st.Bind(1, tenant.value).Bind(2, after.value).Bind(3, std::int64_t{limit});
  return ReadAll<MemberRecord>(st, ReadMember);
}

Result<MemberId> SqliteTxn::InsertMember(const MemberRecord& m) {
  RequireWritable();
  ONECARD_TRY(Stmt st,
              Prepare("INSERT INTO members (tenant_id, kind, status, channel, name, gender, "
                      "birthday, phone, email, id_type, id_number, province, city, district, "
                      "address, postcode, company, occupation, income_band, marital_status, "
                      "children, interests, media, notes, referrer_id, home_store_id, "
                      "created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
                      "?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, "
                      "?25, ?26, ?27, ?28)"));
  st.Bind(1, m.tenant.value);
  BindMemberColumns(st, m);
  st.Bind(27, m.created_at.micros).Bind(28, m.updated_at.micros);
  ONECARD_CHECK(st.Run());
  return MemberId{conn_.LastInsertId()};
}

Status SqliteTxn::UpdateMember(const MemberRecord& m) {
  RequireWritable();
  ONECARD_TRY(Stmt st,
              Prepare("UPDATE members SET kind = ?2, status = ?3, channel = ?4, name = ?5, "
                      "gender = ?6, birthday = ?7, phone = ?8, email = ?9, id_type = ?10, "
                      "id_number = ?11, province = ?12, city = ?13, district = ?14, "
                      "address = ?15, postcode = ?16, company = ?17, occupation = ?18, "
                      "income_band = ?19, marital_status = ?20, children = ?21, interests = ?22, "
                      "media = ?23, notes = ?24, referrer_id = ?25, home_store_id = ?26, "
                      "updated_at = ?27 WHERE tenant_id = ?1 AND id = ?28"));
  st.Bind(1, m.tenant.value);
  BindMemberColumns(st, m);
  st.Bind(27, m.updated_at.micros).Bind(28, m.id.value);
  return st.Run();
}

Result<std::vector<CustomValue>> SqliteTxn::ListCustomValues(TenantId tenant, MemberId member) {
  ONECARD_TRY(Stmt st, Prepare("SELECT key, value FROM member_fields "
                               "WHERE tenant_id = ?1 AND member_id = ?2 ORDER BY key"));
  st.Bind(1, tenant.value).Bind(2, member.value);
  return ReadAll<CustomValue>(st, [](const Stmt& s) { return CustomValue{s.Text(0), s.Text(1)}; });
}

Status SqliteTxn::SetCustomValue(TenantId tenant, MemberId member, std::string_view key,
                                 std::string_view value) {
  RequireWritable();
  if (value.empty()) {
    ONECARD_TRY(Stmt st, Prepare("DELETE FROM member_fields "
                                 "WHERE tenant_id = ?1 AND member_id = ?2 AND key = ?3"));
    st.Bind(1, tenant.value).Bind(2, member.value).Bind(3, key);
    return st.Run();
  }
  ONECARD_TRY(Stmt st,
              Prepare("INSERT INTO member_fields (tenant_id, member_id, key, value) "
                      "VALUES (?1, ?2, ?3, ?4) "
                      "ON CONFLICT (member_id, key) DO UPDATE SET value = excluded.value"));
  st.Bind(1, tenant.value).Bind(2, member.value).Bind(3, key).Bind(4, value);
  return st.Run();
}

Result<std::vector<MemberStatusChange>> SqliteTxn::ListStatusChanges(TenantId tenant,
                                                                     MemberId member) {
  ONECARD_TRY(Stmt st, Prepare("SELECT member_id, from_status, to_status, reason, staff, at "
                               "FROM member_status_history "
                               "WHERE tenant_id = ?1 AND member_id = ?2 ORDER BY id"));
  st.Bind(1, tenant.value).Bind(2, member.value);
  return ReadAll<MemberStatusChange>(st, [](const Stmt& s) -> Result<MemberStatusChange> {
    ONECARD_TRY(core::MemberStatus from, core::ParseMemberStatus(s.Text(1)));
    ONECARD_TRY(core::MemberStatus to, core::ParseMemberStatus(s.Text(2)));
    return MemberStatusChange{MemberId{s.Int(0)}, from,      to,
                              s.Text(3),          s.Text(4), Timestamp{s.Int(5)}};
  });
}

Status SqliteTxn::InsertStatusChange(TenantId tenant, const MemberStatusChange& c) {
  RequireWritable();
  ONECARD_TRY(Stmt st, Prepare("INSERT INTO member_status_history "
                               "(tenant_id, member_id, from_status, to_status, reason, staff, at) "
                               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"));
  st.Bind(1, tenant.value).Bind(2, c.member.value).Bind(3, core::MemberStatusName(c.from));
  st.Bind(4, core::MemberStatusName(c.to)).Bind(5, c.reason).Bind(6, c.staff);
  st.Bind(7, c.at.micros);
  return st.Run();
}

}  // namespace onecard::storage::sqlite
