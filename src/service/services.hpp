// Services: the one object the CLI (and later the HTTP server) talks to. It owns the writer and
// the use-case services over one store and clock.
//
//   auto store = storage::sqlite::OpenStore(path, {.mode = OpenMode::kExisting});
//   SystemClock clock;
//   Services services(**store, clock);
//   auto tenant = services.org().ResolveTenant("");
//   services.ledger().Earn(request, {.card = "8800001", .amount = 120});
//
// Thread-safe.
#pragma once

#include "service/card_service.hpp"
#include "service/catalogue_service.hpp"
#include "service/checkout_service.hpp"
#include "service/clock.hpp"
#include "service/coupon_service.hpp"
#include "service/gift_service.hpp"
#include "service/ledger_service.hpp"
#include "service/member_service.hpp"
#include "service/org_service.hpp"
#include "service/pass_service.hpp"
#include "service/programme_service.hpp"
#include "service/staff_service.hpp"
#include "service/stored_value_service.hpp"
#include "service/tier_service.hpp"
#include "service/views.hpp"
#include "service/writer.hpp"
#include "storage/store.hpp"

namespace onecard::service {

class Services {
 public:
  Services(storage::Store& store, const Clock& clock, WriterOptions options = {},
           StaffOptions staff = {}, GiftOptions gifts = {});

  OrgService& org() { return org_; }
  MemberService& members() { return members_; }
  CardService& cards() { return cards_; }
  LedgerService& ledger() { return ledger_; }
  StaffService& staff() { return staff_; }
  ProgrammeService& programmes() { return programmes_; }
  CheckoutService& checkout() { return checkout_; }
  GiftCardService& gifts() { return gifts_; }
  CouponService& coupons() { return coupons_; }
  TierService& tiers() { return tiers_; }
  StoredValueService& stored_value() { return stored_value_; }
  PassService& passes() { return passes_; }
  CatalogueService& catalogue() { return catalogue_; }
  Writer& writer() { return writer_; }
  const Clock& clock() const { return clock_; }
  storage::Store& store() { return store_; }

  // Recomputes every balance, lot and hold from the journal and checks every entry sums to zero
  // per asset, and the database file itself (issue #2, item 14). `ok` only when all is exact.
  core::Result<VerifyReport> Verify();

 private:
  storage::Store& store_;
  const Clock& clock_;
  Writer writer_;
  OrgService org_;
  MemberService members_;
  CardService cards_;
  LedgerService ledger_;
  StaffService staff_;
  ProgrammeService programmes_;
  GiftCardService gifts_;
  CouponService coupons_;
  CheckoutService checkout_;
  TierService tiers_;
  StoredValueService stored_value_;
  PassService passes_;
  CatalogueService catalogue_;
};

}  // namespace onecard::service
