#include "service/identify.hpp"

#include "service/calendar.hpp"

namespace onecard::service {

using core::ErrorCode;
using core::MakeError;
using core::Result;

namespace {

constexpr std::int64_t kExpiryAlertDays = 30;

std::string Masked(const std::string& phone) {
  if (phone.size() < 7) return phone;
  return phone.substr(0, 3) + std::string(phone.size() - 7, '*') + phone.substr(phone.size() - 4);
}

}  // namespace

Result<IdentifyView> Identify(Services& services, const TenantRef& tenant,
                              const IdentifySpec& spec) {
  if (spec.card.empty() == spec.phone.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "identify the member by the card number or by the phone number", "card");
  }
  std::string card = spec.card;
  std::optional<MemberView> member;
  if (card.empty()) {
    ONECARD_TRY(std::vector<MemberView> found, services.members().Find(tenant, spec.phone, 20));
    std::vector<MemberView> exact;
    for (MemberView& m : found) {
      if (m.Field("phone") == spec.phone) exact.push_back(std::move(m));
    }
    if (exact.empty()) {
      return MakeError(ErrorCode::kMemberNotFound, "no member has phone " + spec.phone, "phone");
    }
    if (exact.size() > 1) {
      return MakeError(
          ErrorCode::kInvalidArgument,
          std::to_string(exact.size()) + " members share this phone number; present the card",
          "phone");
    }
    member = std::move(exact.front());
    for (const CardSummary& c : member->cards) {
      if (c.status == "active") {
        card = c.number;
        break;
      }
    }
    if (card.empty() && !member->cards.empty()) card = member->cards.front().number;
  }

  IdentifyView v;
  const core::Timestamp now = services.clock().Now();
  if (!card.empty()) {
    ONECARD_TRY(CardView c, services.cards().Show(tenant, card));
    v.card = c.number;
    v.card_type = c.type;
    v.card_status = c.status;
    if (c.status != "active") v.alerts.push_back("card " + c.number + " is " + c.status);
    ONECARD_TRY(CardBalances b, services.ledger().Balance(tenant, card));
    for (const AssetBalance& a : b.assets) {
      if (a.asset == core::Asset::kPoints) v.points = a.available;
      if (a.asset == core::Asset::kCashablePoints) v.cashable_points = a.available;
      if (a.asset == core::Asset::kStoredValue) v.stored_value = a.available;
      if (core::IsPoints(a.asset) && a.next_expiry &&
          (!v.next_points_expiry || *a.next_expiry < *v.next_points_expiry)) {
        v.next_points_expiry = a.next_expiry;
        v.next_points_expiry_amount = a.next_expiry_amount;
      }
    }
    if (!member && b.member_id > 0) {
      ONECARD_TRY(MemberView m, services.members().Show(tenant, b.member_id));
      member = std::move(m);
    }
  } else {
    v.alerts.push_back("the member has no card");
  }
  if (!member) {
    v.alerts.push_back("card " + card + " has no member: a walk-in sale");
    return v;
  }
  v.member_id = member->id;
  v.name = member->Field("name");
  v.phone = Masked(member->Field("phone"));
  v.member_status = member->status;
  // Registered and repeat members are served as usual; the others are worth a word.
  if (member->status == "pending") {
    v.alerts.push_back("registration awaiting approval");
  } else if (member->status == "dormant") {
    v.alerts.push_back("member dormant: welcome them back");
  } else if (member->status == "blacklisted") {
    v.alerts.push_back("member blacklisted");
  }
  ONECARD_TRY(MemberTierView tier, services.tiers().State(tenant, core::MemberId{member->id}));
  v.tier = tier.tier;
  v.tier_since = tier.tier_since;
  const core::CivilDate today = LocalDate(tenant.timezone, now);
  if (auto birthday = core::CivilDate::Parse(member->Field("birthday"), "birthday");
      birthday && birthday->month == today.month && birthday->day == today.day) {
    v.alerts.push_back("birthday today");
  }
  if (v.next_points_expiry &&
      *v.next_points_expiry <= now.PlusSeconds(kExpiryAlertDays * 24 * 3600)) {
    v.alerts.push_back(std::to_string(v.next_points_expiry_amount) + " points expire on " +
                       LocalDateTime(tenant.timezone, *v.next_points_expiry).substr(0, 10));
  }
  ONECARD_TRY(v.coupons, services.coupons().UsableOf(tenant, core::MemberId{member->id}, today));
  ONECARD_TRY(v.passes, services.passes().OfMember(tenant, core::MemberId{member->id}));
  return v;
}

}  // namespace onecard::service
