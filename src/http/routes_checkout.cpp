// Checkout routes (issue #5; issue #4 item 5): quote and settle a sale at the till (or hold it,
// then capture or void it), take goods back, read a sale or a return, a member's tier and its
// history, put a member in a tier, and run the tier review.
#include <algorithm>

#include "http/api_internal.hpp"
#include "service/identify.hpp"
#include "service/services.hpp"

namespace onecard::http {
namespace {

using core::ErrorCode;
using core::MakeError;
using core::Result;
using P = service::Permission;
using Routes = std::vector<std::unique_ptr<Api::Route>>;
using S = service::Services&;
using R = const service::Request&;

// The sale in the body: card (absent: walk-in), lines, tenders, doc_no, coupons.
Result<service::SaleSpec> ReadSale(Fields& f, bool tenders_required) {
  service::SaleSpec spec;
  ONECARD_TRY(spec.card, f.TextOr("card", "", 40));
  const nlohmann::json* lines = f.Raw("lines");
  if (lines == nullptr) {
    return MakeError(ErrorCode::kFieldInvalid, "lines is required: the basket", "lines");
  }
  ONECARD_TRY(spec.lines, service::BasketFromJson(*lines, "lines", true));
  if (const nlohmann::json* tenders = f.Raw("tenders")) {
    ONECARD_TRY(spec.tenders, service::TendersFromJson(*tenders, "tenders"));
  } else if (tenders_required &&
             std::any_of(spec.lines.begin(), spec.lines.end(),
                         [](const core::BasketLine& l) { return l.pass.empty(); })) {
    return MakeError(ErrorCode::kFieldInvalid, "tenders is required: how the sale is paid",
                     "tenders");
  }
  ONECARD_TRY(spec.doc_no, f.TextOr("doc_no", "", 64));
  if (const nlohmann::json* coupons = f.Raw("coupons")) {
    ONECARD_TRY(spec.coupons, service::CouponUsesFromJson(*coupons, "coupons"));
  }
  return spec;
}

// The answer to an asynchronous write: `status` with the result (marked when replayed), or the
// error.
template <class T>
service::Callback<T> Answer(const CallPtr& call, int status) {
  return [call, status](Result<T> r) {
    if (!r) return ReplyError(call, r.error());
    ApiResponse res;
    res.status = status;
    res.body = JsonBody(*r);
    if (r->replayed) res.headers.emplace_back("Idempotent-Replayed", "true");
    call->api->Finish(call, std::move(res));
  };
}

void PostQuote(S services, const CallPtr& call) {
  auto b = BeginWrite(call, false, true);
  if (!b) return;
  Result<service::SaleSpec> spec = ReadSale(b->fields, false);
  if (!spec) return ReplyError(call, spec.error());
  if (core::Status done = b->fields.Finish(); !done) return ReplyError(call, done.error());
  Blocking(call, [&services, call, req = std::move(b->req), spec = std::move(*spec)] {
    ReplyResult(call, 200, services.checkout().Quote(req, spec));
  });
}

void PostIdentify(S services, const CallPtr& call) {
  auto b = BeginWrite(call, false, false);
  if (!b) return;
  service::IdentifySpec spec;
  Result<std::string> card = b->fields.TextOr("card", "", 40);
  if (!card) return ReplyError(call, card.error());
  Result<std::string> phone = b->fields.TextOr("phone", "", 40);
  if (!phone) return ReplyError(call, phone.error());
  if (core::Status done = b->fields.Finish(); !done) return ReplyError(call, done.error());
  spec.card = std::move(*card);
  spec.phone = std::move(*phone);
  Blocking(call, [&services, call, tenant = b->req.tenant, spec = std::move(spec)] {
    ReplyResult(call, 200, service::Identify(services, tenant, spec));
  });
}

void PostSettle(S services, const CallPtr& call) {
  auto b = BeginWrite(call, true, true);
  if (!b) return;
  Result<service::SaleSpec> spec = ReadSale(b->fields, true);
  if (!spec) return ReplyError(call, spec.error());
  if (core::Status done = b->fields.Finish(); !done) return ReplyError(call, done.error());
  // The blocking pool reads the catalogue for the basket, then hands the sale to the writer and
  // is free again: the writer answers when the sale is durable, so that many settles share one
  // group commit.
  Blocking(call, [&services, call, req = std::move(b->req), sale = std::move(*spec)] {
    services.checkout().SettleAsync(req, sale, Answer<service::SaleView>(call, 201));
  });
}

void PostHold(S services, const CallPtr& call) {
  auto b = BeginWrite(call, true, true);
  if (!b) return;
  Result<service::SaleSpec> spec = ReadSale(b->fields, true);
  if (!spec) return ReplyError(call, spec.error());
  Result<std::optional<std::int64_t>> timeout = b->fields.OptInt("timeout");
  if (!timeout) return ReplyError(call, timeout.error());
  if (core::Status done = b->fields.Finish(); !done) return ReplyError(call, done.error());
  Blocking(call, [&services, call, req = std::move(b->req), sale = std::move(*spec),
                  seconds = timeout->value_or(service::kSaleHoldDefaultSeconds)] {
    services.checkout().HoldAsync(req, sale, seconds, Answer<service::SaleView>(call, 201));
  });
}

// The references of a capture: [{"tender": 2, "reference": "slip 88123"}, …].
Result<std::vector<std::pair<int, std::string>>> ReadReferences(const nlohmann::json* list) {
  std::vector<std::pair<int, std::string>> out;
  if (list == nullptr) return out;
  if (!list->is_array() || list->size() > 20) {
    return MakeError(ErrorCode::kFieldInvalid,
                     "references is a list of {\"tender\", \"reference\"} (at most 20)",
                     "references");
  }
  for (std::size_t i = 0; i < list->size(); ++i) {
    const nlohmann::json& r = (*list)[i];
    const std::string at = "references[" + std::to_string(i) + "]";
    if (!r.is_object()) return MakeError(ErrorCode::kFieldInvalid, at + " is an object", at);
    std::pair<int, std::string> ref{0, ""};
    for (const auto& [key, value] : r.items()) {
      if (key == "tender" && value.is_number_integer() && value.get<std::int64_t>() > 0 &&
          value.get<std::int64_t>() <= 100) {
        ref.first = value.get<int>();
      } else if (key == "reference" && value.is_string()) {
        ref.second = value.get<std::string>();
      } else if (key == "tender" || key == "reference") {
        return MakeError(
            ErrorCode::kFieldInvalid,
            at + "." + key + (key == "tender" ? " is the tender's place, from 1" : " is a text"),
            at + "." + key);
      } else {
        return MakeError(ErrorCode::kFieldUnknown, at + "." + key + " is not a known field",
                         at + "." + key);
      }
    }
    if (ref.first == 0 || ref.second.empty()) {
      return MakeError(ErrorCode::kFieldInvalid, at + " needs a tender and a reference", at);
    }
    out.push_back(std::move(ref));
  }
  return out;
}

// The held sale of the URL, seen from the caller's scope, then `close` (on the blocking pool).
template <class Close>
void CloseHeldSale(S services, const CallPtr& call, service::Request req, Close close) {
  Result<std::int64_t> id = PositiveId(call->Param("id"), "id");
  if (!id) return ReplyError(call, id.error());
  Blocking(call, [&services, call, id = *id, req = std::move(req), close] {
    Result<service::SaleView> sale = services.checkout().Get(req.tenant, id);
    // A sale made at a store outside the caller's scope does not exist for it.
    if (sale && !call->Who().CoversStore(sale->store)) {
      sale = MakeError(ErrorCode::kSaleNotFound, "no sale " + std::to_string(id), "sale");
    }
    if (!sale) return ReplyError(call, sale.error());
    close(services.checkout(), req, id, Answer<service::SaleView>(call, 200));
  });
}

void PostCapture(S services, const CallPtr& call) {
  auto b = BeginWrite(call, true, false);
  if (!b) return;
  Result<std::vector<std::pair<int, std::string>>> refs =
      ReadReferences(b->fields.Raw("references"));
  if (!refs) return ReplyError(call, refs.error());
  if (core::Status done = b->fields.Finish(); !done) return ReplyError(call, done.error());
  CloseHeldSale(services, call, std::move(b->req),
                [refs = std::move(*refs)](service::CheckoutService& c, R req, std::int64_t id,
                                          service::Callback<service::SaleView> done) {
                  c.CaptureAsync(req, {id, refs}, std::move(done));
                });
}

void PostVoid(S services, const CallPtr& call) {
  auto b = BeginWrite(call, true, false);
  if (!b) return;
  Result<std::string> reason = b->fields.Text("reason", 500);
  if (!reason) return ReplyError(call, reason.error());
  if (core::Status done = b->fields.Finish(); !done) return ReplyError(call, done.error());
  CloseHeldSale(services, call, std::move(b->req),
                [reason = std::move(*reason)](service::CheckoutService& c, R req, std::int64_t id,
                                              service::Callback<service::SaleView> done) {
                  c.VoidAsync(req, id, reason, std::move(done));
                });
}

void GetSale(S s, const CallPtr& call) {
  Result<std::int64_t> id = PositiveId(call->Param("id"), "id");
  if (!id) return ReplyError(call, id.error());
  Result<service::SaleView> r = s.checkout().Get(call->Who().tenant, *id);
  // A sale made at a store outside the caller's scope does not exist for it.
  if (r && !call->Who().CoversStore(r->store)) {
    r = MakeError(ErrorCode::kSaleNotFound, "no sale " + std::to_string(*id), "sale");
  }
  ReplyResult(call, 200, r);
}

Result<service::ReturnSpec> ReadReturn(Fields& f) {
  service::ReturnSpec spec;
  ONECARD_TRY(std::optional<std::int64_t> sale, f.OptInt("sale"));
  spec.sale = sale.value_or(0);
  if (sale && *sale <= 0) {
    return MakeError(ErrorCode::kFieldInvalid, "sale must be a sale's id", "sale");
  }
  ONECARD_TRY(spec.receipt, f.TextOr("receipt", "", 64));
  ONECARD_TRY(spec.receipt_store, f.TextOr("receipt_store", "", 40));
  ONECARD_TRY(std::optional<bool> all, f.OptBool("all"));
  spec.all = all.value_or(false);
  if (const nlohmann::json* lines = f.Raw("lines")) {
    ONECARD_TRY(spec.lines, service::ReturnLinesFromJson(*lines, "lines"));
  }
  ONECARD_TRY(spec.doc_no, f.TextOr("doc_no", "", 64));
  ONECARD_TRY(spec.reason, f.TextOr("reason", "", 500));
  return spec;
}

void PostReturn(S services, const CallPtr& call) {
  auto b = BeginWrite(call, true, true);
  if (!b) return;
  Result<service::ReturnSpec> spec = ReadReturn(b->fields);
  if (!spec) return ReplyError(call, spec.error());
  if (core::Status done = b->fields.Finish(); !done) return ReplyError(call, done.error());
  // Finding the sale reads the database: on the blocking pool. A sale made at a store outside
  // the caller's scope does not exist for it.
  Blocking(call, [&services, call, req = std::move(b->req), spec = std::move(*spec)] {
    Result<std::pair<std::int64_t, std::string>> sale = services.checkout().FindSale(req, spec);
    if (sale && !call->Who().CoversStore(sale->second)) {
      sale = MakeError(ErrorCode::kSaleNotFound,
                       spec.sale ? "no sale " + std::to_string(spec.sale)
                                 : "no sale with receipt " + spec.receipt,
                       spec.sale ? "sale" : "receipt");
    }
    if (!sale) return ReplyError(call, sale.error());
    services.checkout().ReturnAsync(req, spec, Answer<service::ReturnView>(call, 201));
  });
}

void GetReturn(S s, const CallPtr& call) {
  Result<std::int64_t> id = PositiveId(call->Param("id"), "id");
  if (!id) return ReplyError(call, id.error());
  Result<service::ReturnView> r = s.checkout().GetReturn(call->Who().tenant, *id);
  // Seen from either end: the store that sold or the store that took the goods back.
  if (r && !call->Who().CoversStore(r->store) && !call->Who().CoversStore(r->sale_store)) {
    r = MakeError(ErrorCode::kSaleNotFound, "no return " + std::to_string(*id), "return");
  }
  ReplyResult(call, 200, r);
}

void GetTier(S s, const CallPtr& call) {
  Result<std::int64_t> id = PositiveId(call->Param("id"), "id");
  if (!id) return ReplyError(call, id.error());
  ReplyResult(call, 200, s.tiers().State(call->Who().tenant, core::MemberId{*id}));
}

struct TierSpec {
  std::int64_t member = 0;
  std::string tier;
  std::string reason;
  std::string doc_no;
};

void PostTier(S services, const CallPtr& call) {
  Result<std::int64_t> id = PositiveId(call->Param("id"), "id");
  if (!id) return ReplyError(call, id.error());
  AdminWrite<TierSpec>(
      services, call, 200,
      [&](Fields& f, TierSpec& spec) -> core::Status {
        spec.member = *id;
        ONECARD_TRY(spec.tier, f.Text("tier", 40));
        ONECARD_TRY(spec.reason, f.Text("reason", 500));
        ONECARD_TRY(spec.doc_no, f.TextOr("doc_no", "", 64));
        return {};
      },
      [](S s, R req, const TierSpec& spec) {
        return s.tiers().SetTier(req, core::MemberId{spec.member}, spec.tier, spec.reason,
                                 spec.doc_no);
      });
}

void PostTierReview(S services, const CallPtr& call) {
  AdminWrite<core::CivilDate>(
      services, call, 200,
      [](Fields& f, core::CivilDate& as_of) -> core::Status {
        ONECARD_TRY(std::string text, f.Text("as_of", 10));
        ONECARD_TRY(as_of, core::CivilDate::Parse(text, "as_of"));
        return {};
      },
      [](S s, R req, core::CivilDate as_of) { return s.tiers().Review(req, as_of); });
}

}  // namespace

void AddCheckoutRoutes(Routes& routes) {
  routes.push_back(MakeRoute("POST", "/v1/checkout/identify", true, P::kCheckout, PostIdentify));
  routes.push_back(MakeRoute("POST", "/v1/checkout/quote", true, P::kCheckout, PostQuote));
  routes.push_back(MakeRoute("POST", "/v1/checkout/settle", true, P::kCheckout, PostSettle));
  routes.push_back(MakeRoute("POST", "/v1/checkout/hold", true, P::kCheckout, PostHold));
  routes.push_back(MakeRoute("GET", "/v1/sales/{id}", true, P::kLedgerRead, GetSale));
  routes.push_back(MakeRoute("POST", "/v1/sales/{id}/capture", true, P::kCheckout, PostCapture));
  routes.push_back(MakeRoute("POST", "/v1/sales/{id}/void", true, P::kCheckout, PostVoid));
  routes.push_back(MakeRoute("POST", "/v1/checkout/return", true, P::kReturn, PostReturn));
  routes.push_back(MakeRoute("GET", "/v1/returns/{id}", true, P::kLedgerRead, GetReturn));
  routes.push_back(MakeRoute("GET", "/v1/members/{id}/tier", true, P::kMemberRead, GetTier));
  routes.push_back(MakeRoute("POST", "/v1/members/{id}/tier", true, P::kMemberTier, PostTier));
  routes.push_back(MakeRoute("POST", "/v1/jobs/tier-review", true, P::kJobs, PostTierReview));
}

}  // namespace onecard::http
