#include "service/access.hpp"

#include <algorithm>
#include <array>

namespace onecard::service {
namespace {

using core::ErrorCode;
using core::MakeError;
using P = Permission;

struct RoleInfo {
  Role role;
  std::string_view name;
  std::vector<Permission> permissions;
};

const std::vector<RoleInfo>& Roles() {
  static const std::vector<RoleInfo> roles = {
      {Role::kAdmin,
       "admin",
       {P::kOrgRead,       P::kOrgWrite,       P::kMemberRead,  P::kMemberWrite,  P::kCardRead,
        P::kCardIssue,     P::kCardService,    P::kCardControl, P::kPointsEarn,   P::kPointsSpend,
        P::kPointsAdjust,  P::kValueTopUp,     P::kValuePay,    P::kHolds,        P::kReverse,
        P::kLedgerRead,    P::kVerify,         P::kJobs,        P::kStaffManage,  P::kAuditRead,
        P::kProgrammeRead, P::kProgrammeWrite, P::kCheckout,    P::kMemberTier,   P::kReturn,
        P::kCatalogueRead, P::kCatalogueWrite, P::kGiftRead,    P::kGiftIssue,    P::kGiftSell,
        P::kGiftControl,   P::kGiftReport,     P::kCouponRead,  P::kCouponManage, P::kCouponIssue}},
      {Role::kMarketing,
       "marketing",
       {P::kOrgRead, P::kMemberRead, P::kMemberWrite, P::kCardRead, P::kPointsAdjust,
        P::kLedgerRead, P::kProgrammeRead, P::kProgrammeWrite, P::kMemberTier, P::kCatalogueRead,
        P::kCatalogueWrite, P::kGiftRead, P::kGiftIssue, P::kCouponRead, P::kCouponManage,
        P::kCouponIssue}},
      {Role::kFinance,
       "finance",
       {P::kOrgRead, P::kMemberRead, P::kCardRead, P::kCardControl, P::kReverse, P::kLedgerRead,
        P::kVerify, P::kJobs, P::kAuditRead, P::kProgrammeRead, P::kCatalogueRead, P::kGiftRead,
        P::kGiftIssue, P::kGiftControl, P::kGiftReport, P::kCouponRead}},
      {Role::kStoreManager,
       "store_manager",
       {P::kOrgRead,       P::kMemberRead,  P::kMemberWrite, P::kCardRead,    P::kCardIssue,
        P::kCardService,   P::kCardControl, P::kPointsEarn,  P::kPointsSpend, P::kPointsAdjust,
        P::kValueTopUp,    P::kValuePay,    P::kHolds,       P::kReverse,     P::kLedgerRead,
        P::kProgrammeRead, P::kCheckout,    P::kMemberTier,  P::kReturn,      P::kCatalogueRead,
        P::kGiftRead,      P::kGiftSell,    P::kGiftControl, P::kCouponRead,  P::kCouponIssue}},
      {Role::kClerk,
       "clerk",
       {P::kOrgRead, P::kMemberRead, P::kMemberWrite, P::kCardRead, P::kCardIssue, P::kCardService,
        P::kPointsEarn, P::kPointsSpend, P::kValueTopUp, P::kValuePay, P::kHolds, P::kLedgerRead,
        P::kProgrammeRead, P::kCheckout, P::kCatalogueRead, P::kGiftSell}},
  };
  return roles;
}

constexpr std::array<std::string_view, 35> kPermissionNames = {
    "org.read",       "org.write",       "member.read",  "member.write",  "card.read",
    "card.issue",     "card.service",    "card.control", "points.earn",   "points.spend",
    "points.adjust",  "value.top_up",    "value.pay",    "holds",         "entry.reverse",
    "ledger.read",    "verify",          "jobs",         "staff.manage",  "audit.read",
    "programme.read", "programme.write", "checkout",     "member.tier",   "checkout.return",
    "catalogue.read", "catalogue.write", "gift.read",    "gift.issue",    "gift.sell",
    "gift.control",   "gift.report",     "coupon.read",  "coupon.manage", "coupon.issue"};
static_assert(kPermissionNames.size() == static_cast<std::size_t>(kLastPermission) + 1,
              "a name for every permission");

}  // namespace

std::string_view RoleName(Role role) {
  for (const RoleInfo& r : Roles()) {
    if (r.role == role) return r.name;
  }
  return "unknown";
}

core::Result<Role> ParseRole(std::string_view name) {
  for (const RoleInfo& r : Roles()) {
    if (r.name == name) return r.role;
  }
  return MakeError(ErrorCode::kRoleUnknown,
                   "no role '" + std::string(name) +
                       "'; roles are admin, marketing, finance, store_manager and clerk",
                   "role");
}

std::vector<Role> AllRoles() {
  std::vector<Role> out;
  for (const RoleInfo& r : Roles()) out.push_back(r.role);
  return out;
}

std::string_view PermissionName(Permission p) {
  return kPermissionNames.at(static_cast<std::size_t>(p));
}

bool RoleHas(Role role, Permission p) {
  for (const RoleInfo& r : Roles()) {
    if (r.role == role) {
      return std::find(r.permissions.begin(), r.permissions.end(), p) != r.permissions.end();
    }
  }
  return false;
}

core::Status CheckScopeFits(Role role, bool has_store, bool has_region) {
  if (has_store && has_region) {
    return MakeError(ErrorCode::kFieldInvalid, "give a store or a region, not both", "store");
  }
  switch (role) {
    case Role::kAdmin:
      if (has_store || has_region) {
        return MakeError(ErrorCode::kFieldInvalid, "an admin is tenant-wide: no store or region",
                         "store");
      }
      return {};
    case Role::kMarketing:
    case Role::kFinance:
      if (has_store) {
        return MakeError(ErrorCode::kFieldInvalid,
                         "marketing and finance work for head office or a region, not one store",
                         "store");
      }
      return {};
    case Role::kStoreManager:
    case Role::kClerk:
      if (!has_store) {
        return MakeError(ErrorCode::kFieldInvalid,
                         std::string(RoleName(role)) + " works at one store: give --store",
                         "store");
      }
      return {};
  }
  return {};
}

bool Principal::CoversStore(std::string_view code) const {
  if (TenantWide()) return true;
  if (store.valid()) return code == store_code;
  return std::find(region_store_codes.begin(), region_store_codes.end(), code) !=
         region_store_codes.end();
}

core::Status Require(const Principal& who, Permission p) {
  if (who.Can(p)) return {};
  return MakeError(ErrorCode::kForbidden, "the role " + std::string(RoleName(who.role)) +
                                              " may not do this (needs " +
                                              std::string(PermissionName(p)) + ")");
}

}  // namespace onecard::service
