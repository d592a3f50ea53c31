#include "service/org_service.hpp"

#include "service/calendar.hpp"
#include "service/digest.hpp"

namespace onecard::service {

using core::ErrorCode;
using core::MakeError;
using core::Result;
using core::Status;

namespace {

Status ValidateName(std::string_view name) {
  ONECARD_CHECK(core::ValidateText(name, "name", 200));
  if (name.empty()) return MakeError(ErrorCode::kFieldInvalid, "a name is required", "name");
  return {};
}

core::Error CodeTaken(std::string_view what, std::string_view code) {
  return MakeError(ErrorCode::kCodeTaken,
                   std::string(what) + " " + std::string(code) + " exists already", "code");
}

}  // namespace

FieldView ToView(const core::FieldDefinition& def) {
  return FieldView{def.key,     def.label,   std::string(core::FieldTypeName(def.type)),
                   def.choices, def.indexed, def.member_editable};
}

Result<TenantRef> OrgService::CreateTenant(std::string_view code, std::string_view name,
                                           std::string_view timezone) {
  ONECARD_CHECK(core::ValidateCode(code, "code"));
  ONECARD_CHECK(ValidateName(name));
  ONECARD_CHECK(ValidateTimeZone(timezone));
  Result<TenantView> created = writer_.Call<TenantView>(
      core::TenantId{}, "", "", [&](storage::WriteTxn& txn) -> Result<TenantView> {
        ONECARD_TRY(std::optional<storage::TenantRecord> found, txn.FindTenant(code));
        if (found) return CodeTaken("tenant", code);
        ONECARD_CHECK(txn.InsertTenant(storage::TenantRecord{
            {}, std::string(code), std::string(name), std::string(timezone), clock_.Now()}));
        return TenantView{std::string(code), std::string(name), std::string(timezone)};
      });
  if (!created) return created.error();
  return ResolveTenant(code);
}

Result<TenantRef> OrgService::ResolveTenant(std::string_view code) {
  ONECARD_TRY(std::unique_ptr<storage::ReadTxn> txn, store_.BeginRead());
  if (code.empty()) {
    ONECARD_TRY(std::vector<storage::TenantRecord> all, txn->ListTenants());
    if (all.empty()) {
      return MakeError(ErrorCode::kTenantNotFound, "the database has no tenant yet", "tenant");
    }
    if (all.size() > 1) {
      return MakeError(
          ErrorCode::kTenantAmbiguous,
          "the database has " + std::to_string(all.size()) + " tenants; say which with --tenant",
          "tenant");
    }
    return TenantRef{all[0].id, all[0].code, all[0].timezone};
  }
  ONECARD_TRY(std::optional<storage::TenantRecord> t, txn->FindTenant(code));
  if (!t) {
    return MakeError(ErrorCode::kTenantNotFound, "no tenant " + std::string(code), "tenant");
  }
  return TenantRef{t->id, t->code, t->timezone};
}

Result<std::vector<TenantView>> OrgService::ListTenants() {
  ONECARD_TRY(std::unique_ptr<storage::ReadTxn> txn, store_.BeginRead());
  ONECARD_TRY(std::vector<storage::TenantRecord> all, txn->ListTenants());
  std::vector<TenantView> out;
  for (const auto& t : all) out.push_back(TenantView{t.code, t.name, t.timezone});
  return out;
}

Result<RegionView> OrgService::AddRegion(const Request& req, std::string_view code,
                                         std::string_view name, std::string_view parent) {
  ONECARD_CHECK(core::ValidateCode(code, "code"));
  ONECARD_CHECK(ValidateName(name));
  return writer_.Call<RegionView>(
      req.tenant.id, req.idempotency_key,
      Canonical("region").Add("code", code).Add("name", name).Add("parent", parent).digest(),
      [&](storage::WriteTxn& txn) -> Result<RegionView> {
        ONECARD_TRY(std::optional<storage::RegionRecord> found,
                    txn.FindRegion(req.tenant.id, code));
        if (found) return CodeTaken("region", code);
        core::RegionId parent_id;
        if (!parent.empty()) {
          ONECARD_TRY(std::optional<storage::RegionRecord> p,
                      txn.FindRegion(req.tenant.id, parent));
          if (!p) {
            return MakeError(ErrorCode::kRegionNotFound, "no region " + std::string(parent),
                             "parent");
          }
          parent_id = p->id;
        }
        ONECARD_CHECK(txn.InsertRegion(storage::RegionRecord{
            {}, req.tenant.id, parent_id, std::string(code), std::string(name)}));
        return RegionView{std::string(code), std::string(name), std::string(parent)};
      },
      AuditOf(req, "region.add", "region", std::string(code)));
}

Result<std::vector<RegionView>> OrgService::ListRegions(const TenantRef& tenant) {
  ONECARD_TRY(std::unique_ptr<storage::ReadTxn> txn, store_.BeginRead());
  ONECARD_TRY(std::vector<storage::RegionRecord> all, txn->ListRegions(tenant.id));
  std::map<core::RegionId, std::string> codes;
  for (const auto& r : all) codes[r.id] = r.code;
  std::vector<RegionView> out;
  for (const auto& r : all) out.push_back(RegionView{r.code, r.name, codes[r.parent]});
  return out;
}

Result<StoreView> OrgService::AddStore(const Request& req, std::string_view code,
                                       std::string_view name, std::string_view region,
                                       std::string_view address) {
  ONECARD_CHECK(core::ValidateCode(code, "code"));
  ONECARD_CHECK(ValidateName(name));
  ONECARD_CHECK(core::ValidateText(address, "address", 500));
  return writer_.Call<StoreView>(
      req.tenant.id, req.idempotency_key,
      Canonical("store")
          .Add("code", code)
          .Add("name", name)
          .Add("region", region)
          .Add("address", address)
          .digest(),
      [&](storage::WriteTxn& txn) -> Result<StoreView> {
        ONECARD_TRY(std::optional<storage::StoreRecord> found, txn.FindStore(req.tenant.id, code));
        if (found) return CodeTaken("store", code);
        core::RegionId region_id;
        if (!region.empty()) {
          ONECARD_TRY(std::optional<storage::RegionRecord> r,
                      txn.FindRegion(req.tenant.id, region));
          if (!r) {
            return MakeError(ErrorCode::kRegionNotFound, "no region " + std::string(region),
                             "region");
          }
          region_id = r->id;
        }
        ONECARD_CHECK(txn.InsertStore(storage::StoreRecord{{},
                                                           req.tenant.id,
                                                           region_id,
                                                           std::string(code),
                                                           std::string(name),
                                                           std::string(address)}));
        return StoreView{std::string(code), std::string(name), std::string(region),
                         std::string(address)};
      },
      AuditOf(req, "store.add", "store", std::string(code)));
}

Result<std::vector<StoreView>> OrgService::ListStores(const TenantRef& tenant) {
  ONECARD_TRY(std::unique_ptr<storage::ReadTxn> txn, store_.BeginRead());
  ONECARD_TRY(std::vector<storage::RegionRecord> regions, txn->ListRegions(tenant.id));
  std::map<core::RegionId, std::string> codes;
  for (const auto& r : regions) codes[r.id] = r.code;
  ONECARD_TRY(std::vector<storage::StoreRecord> all, txn->ListStores(tenant.id));
  std::vector<StoreView> out;
  for (const auto& s : all) out.push_back(StoreView{s.code, s.name, codes[s.region], s.address});
  return out;
}

Result<Actor> OrgService::ResolveActor(const TenantRef& tenant, std::string_view staff,
                                       std::string_view store_code) {
  ONECARD_CHECK(core::ValidateText(staff, "staff", 100));
  Actor actor;
  actor.staff = staff.empty() ? "cli" : std::string(staff);
  if (store_code.empty()) return actor;
  ONECARD_TRY(std::unique_ptr<storage::ReadTxn> txn, store_.BeginRead());
  ONECARD_TRY(std::optional<storage::StoreRecord> store, txn->FindStore(tenant.id, store_code));
  if (!store) {
    return MakeError(ErrorCode::kStoreNotFound,
                     "no store " + std::string(store_code) + " in tenant " + tenant.code, "store");
  }
  actor.store = store->id;
  actor.store_code = store->code;
  return actor;
}

Result<CardTypeView> OrgService::AddCardType(const Request& req, const CardTypeSpec& spec) {
  ONECARD_CHECK(core::ValidateCode(spec.code, "code"));
  ONECARD_CHECK(ValidateName(spec.name));
  if (spec.validity_months < 0 || spec.validity_months > 1200) {
    return MakeError(ErrorCode::kFieldInvalid, "validity is 0 to 1,200 months", "validity");
  }
  if (spec.fee_fen < 0 || spec.fee_fen > core::kAmountMax) {
    return MakeError(ErrorCode::kFieldInvalid, "a fee is zero or more", "fee");
  }
  return writer_.Call<CardTypeView>(
      req.tenant.id, req.idempotency_key,
      Canonical("card_type")
          .Add("code", spec.code)
          .Add("name", spec.name)
          .Add("kind", core::CardKindName(spec.kind))
          .Add("validity", spec.validity_months)
          .Add("fee", spec.fee_fen)
          .digest(),
      [&](storage::WriteTxn& txn) -> Result<CardTypeView> {
        ONECARD_TRY(std::optional<storage::CardTypeRecord> found,
                    txn.FindCardType(req.tenant.id, spec.code));
        if (found) return CodeTaken("card type", spec.code);
        ONECARD_CHECK(txn.InsertCardType(storage::CardTypeRecord{{},
                                                                 req.tenant.id,
                                                                 spec.code,
                                                                 spec.name,
                                                                 spec.kind,
                                                                 spec.validity_months,
                                                                 spec.fee_fen}));
        return CardTypeView{spec.code, spec.name, std::string(core::CardKindName(spec.kind)),
                            spec.validity_months, spec.fee_fen};
      },
      AuditOf(req, "card_type.add", "card_type", spec.code));
}

Result<std::vector<CardTypeView>> OrgService::ListCardTypes(const TenantRef& tenant) {
  ONECARD_TRY(std::unique_ptr<storage::ReadTxn> txn, store_.BeginRead());
  ONECARD_TRY(std::vector<storage::CardTypeRecord> all, txn->ListCardTypes(tenant.id));
  std::vector<CardTypeView> out;
  for (const auto& t : all) {
    out.push_back(CardTypeView{t.code, t.name, std::string(core::CardKindName(t.kind)),
                               t.validity_months, t.fee_fen});
  }
  return out;
}

Result<FieldView> OrgService::DefineField(const Request& req, const core::FieldDefinition& def) {
  ONECARD_CHECK(core::ValidateFieldDefinition(def));
  return writer_.Call<FieldView>(
      req.tenant.id, req.idempotency_key, Digest("field|" + nlohmann::json(ToView(def)).dump()),
      [&](storage::WriteTxn& txn) -> Result<FieldView> {
        ONECARD_TRY(std::vector<storage::FieldDefRecord> defs, txn.ListFieldDefs(req.tenant.id));
        for (const auto& d : defs) {
          if (d.def.key == def.key) return CodeTaken("field", def.key);
        }
        ONECARD_CHECK(txn.InsertFieldDef(storage::FieldDefRecord{req.tenant.id, def}));
        return ToView(def);
      },
      AuditOf(req, "field.define", "field", def.key));
}

Result<std::vector<FieldView>> OrgService::ListFields(const TenantRef& tenant) {
  ONECARD_TRY(std::unique_ptr<storage::ReadTxn> txn, store_.BeginRead());
  ONECARD_TRY(std::vector<storage::FieldDefRecord> all, txn->ListFieldDefs(tenant.id));
  std::vector<FieldView> out;
  for (const auto& d : all) out.push_back(ToView(d.def));
  return out;
}

}  // namespace onecard::service
