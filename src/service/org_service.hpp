// OrgService: tenants, regions, stores, card types and custom field definitions (R-1101, R-201,
// Thread-safe.
#pragma once

#include <string>
#include <vector>

#include "core/card.hpp"
#include "core/member.hpp"
#include "service/clock.hpp"
#include "service/context.hpp"
#include "service/writer.hpp"
#include "storage/store.hpp"

namespace onecard::service {

struct TenantView {
  std::string code;
  std::string name;
  std::string timezone;
};
struct RegionView {
  std::string code;
  std::string name;
  std::string parent;
};
struct StoreView {
  std::string code;
  std::string name;
  std::string region;
  std::string address;
};
struct CardTypeView {
  std::string code;
  std::string name;
  std::string kind;
  int validity_months = 0;
  std::int64_t fee_fen = 0;
};
struct FieldView {
  std::string key;
  std::string label;
  std::string type;
  std::vector<std::string> choices;
  bool indexed = false;
  bool member_editable = false;
};

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(TenantView, code, name, timezone)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(RegionView, code, name, parent)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(StoreView, code, name, region, address)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(CardTypeView, code, name, kind, validity_months, fee_fen)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(FieldView, key, label, type, choices, indexed, member_editable)

struct CardTypeSpec {
  std::string code;
  std::string name;
  core::CardKind kind = core::CardKind::kPersonal;
  int validity_months = 0;  // 0–1200; 0 means no expiry
  std::int64_t fee_fen = 0;
};

class OrgService {
 public:
  OrgService(storage::Store& store, const Clock& clock, Writer& writer)
      : store_(store), clock_(clock), writer_(writer) {}

  // Errors: kCodeMalformed, kFieldInvalid (name), kTimeZoneUnknown, kCodeTaken.
  core::Result<TenantRef> CreateTenant(std::string_view code, std::string_view name,
                                       std::string_view timezone);
  // The tenant with `code`; with an empty code, the only tenant there is.
  // Errors: kTenantNotFound, kTenantAmbiguous (several tenants and no code).
  core::Result<TenantRef> ResolveTenant(std::string_view code);
  core::Result<std::vector<TenantView>> ListTenants();

  // Errors: kCodeMalformed, kCodeTaken, kRegionNotFound (parent).
  core::Result<RegionView> AddRegion(const Request& req, std::string_view code,
                                     std::string_view name, std::string_view parent);
  core::Result<std::vector<RegionView>> ListRegions(const TenantRef& tenant);
  // Errors: kCodeMalformed, kCodeTaken, kRegionNotFound.
  core::Result<StoreView> AddStore(const Request& req, std::string_view code, std::string_view name,
                                   std::string_view region, std::string_view address);
  core::Result<std::vector<StoreView>> ListStores(const TenantRef& tenant);
  // The actor for staff acting at store `code` ("" = head office). Error: kStoreNotFound.
  core::Result<Actor> ResolveActor(const TenantRef& tenant, std::string_view staff,
                                   std::string_view store_code);

  core::Result<CardTypeView> AddCardType(const Request& req, const CardTypeSpec& spec);
  core::Result<std::vector<CardTypeView>> ListCardTypes(const TenantRef& tenant);

  // Errors: see core::ValidateFieldDefinition; kCodeTaken.
  core::Result<FieldView> DefineField(const Request& req, const core::FieldDefinition& def);
  core::Result<std::vector<FieldView>> ListFields(const TenantRef& tenant);

 private:
  storage::Store& store_;
  const Clock& clock_;
  Writer& writer_;
};

FieldView ToView(const core::FieldDefinition& def);

}  // namespace onecard::service
