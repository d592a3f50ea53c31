// Who may do what (issue #3): roles, their permissions, and the scope a principal acts in.
//
// A principal is a logged-in staff user or an API key. Each has one role and a scope: the whole
// tenant, one region (its stores), or one store. Members and cards belong to the tenant (one card
// across the chain), so any principal of the tenant may find and serve them; what a principal
// does is recorded at a store, which must be inside its scope; journal entries and holds made at
// a store outside the scope are invisible to it (not found, never "forbidden").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ids.hpp"
#include "core/result.hpp"
#include "service/context.hpp"

namespace onecard::service {

enum class Role : std::uint8_t { kAdmin, kMarketing, kFinance, kStoreManager, kClerk };

enum class Permission : std::uint8_t {
  kOrgRead,         // tenant, regions, stores, card types, field definitions
  kOrgWrite,        // add regions, stores, card types, field definitions
  kMemberRead,      // find and show members
  kMemberWrite,     // enrol and update members
  kCardRead,        // show cards
  kCardIssue,       // issue cards
  kCardService,     // report lost, cancel loss, activate, reissue, renew
  kCardControl,     // freeze, unfreeze, replace, close, credit limits
  kPointsEarn,      //
  kPointsSpend,     //
  kPointsAdjust,    // manual corrections
  kValueTopUp,      //
  kValuePay,        //
  kHolds,           // hold, capture, void
  kReverse,         // reverse a journal entry
  kLedgerRead,      // balances, history, entries, holds
  kVerify,          // run verify
  kJobs,            // expiry and other periodic jobs
  kStaffManage,     // staff users and API keys
  kAuditRead,       // the audit log
  kProgrammeRead,   // programme versions, validate, explain
  kProgrammeWrite,  // add, activate and cancel programme versions
  kCheckout,        // quote and settle sales at the till
  kMemberTier,      // put a member in a tier by hand
  kReturn,          // take back goods sold: refund, take back points (not clerks: refund fraud)
  kCatalogueRead,   // categories, products, prices, promotions
  kCatalogueWrite,  // change them, import products
  kGiftRead,        // gift-card batches and cards (never their PINs)
  kGiftIssue,       // make batches of gift cards (generate or import)
  kGiftSell,        // activate (sell) gift cards, check a balance with the PIN
  kGiftControl,     // unlock a gift card locked by wrong PINs, give one a new PIN
  kGiftReport,      // reconciliation reports, issuance and consumption listings
  kCouponRead,      // coupon campaigns, their coupons and uses
  kCouponManage,    // create, stop and resume campaigns; batches of bearer coupons; void
  kCouponIssue,     // issue a campaign's coupons to a member
};
inline constexpr Permission kLastPermission = Permission::kCouponIssue;

std::string_view RoleName(Role role);
core::Result<Role> ParseRole(std::string_view name);  // kRoleUnknown
std::vector<Role> AllRoles();
std::string_view PermissionName(Permission p);
bool RoleHas(Role role, Permission p);

// A role's scope must fit it: store managers and clerks work at one store; marketing and finance
// are head office or a region; admins are tenant-wide. kFieldInvalid otherwise.
core::Status CheckScopeFits(Role role, bool has_store, bool has_region);

struct Principal {
  TenantRef tenant;
  std::string kind;  // "staff" | "api_key"
  std::int64_t id = 0;
  std::string name;  // username or key name
  std::string display_name;
  Role role = Role::kClerk;
  core::StoreId store;  // store scope (valid: this store only)
  std::string store_code;
  core::RegionId region;  // region scope (valid: stores of this region)
  std::string region_code;
  std::vector<std::string> region_store_codes;  // the stores of `region`
  std::string session_hash;                     // for logout (sessions only)
  std::optional<core::Timestamp> session_expires;

  bool Can(Permission p) const { return RoleHas(role, p); }
  // Whether a store, by code ("": head office), is inside this principal's scope.
  bool CoversStore(std::string_view store_code) const;
  bool TenantWide() const { return !store.valid() && !region.valid(); }
};

// kForbidden naming the permission, unless the principal has it.
core::Status Require(const Principal& who, Permission p);

}  // namespace onecard::service
