// Gift-card routes: batches (generated or imported), selling, balance with the PIN, unlocking,
// reconciliation reports and issuance/consumption listings (issue #5, R-503).
#include "http/api_internal.hpp"
#include "service/calendar.hpp"
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

Result<std::optional<core::CivilDate>> OptDate(std::optional<std::string> text,
                                               std::string_view field) {
  if (!text) return std::optional<core::CivilDate>{};
  ONECARD_TRY(core::CivilDate d, core::CivilDate::Parse(*text, field));
  return std::optional<core::CivilDate>(d);
}

void PostBatch(S services, const CallPtr& call) {
  AdminWrite<service::GiftBatchSpec>(
      services, call, 201,
      [](Fields& f, service::GiftBatchSpec& b) -> core::Status {
        ONECARD_TRY(b.code, f.Text("code", 40));
        ONECARD_TRY(b.name, f.Text("name", 200));
        ONECARD_TRY(b.card_type, f.TextOr("card_type", "", 40));
        ONECARD_TRY(b.face_value, f.Int("face_value"));
        ONECARD_TRY(b.count, f.Int("count"));
        ONECARD_TRY(std::optional<std::string> until, f.OptText("valid_until", 10));
        ONECARD_TRY(b.valid_until, OptDate(until, "valid_until"));
        ONECARD_TRY(b.prefix, f.TextOr("prefix", "99", 8));
        ONECARD_TRY(std::optional<std::int64_t> pin_length, f.OptInt("pin_length"));
        if (pin_length && (*pin_length < 4 || *pin_length > 12)) {
          return MakeError(ErrorCode::kFieldInvalid, "pin_length is 4 to 12 digits", "pin_length");
        }
        b.pin_length = static_cast<int>(pin_length.value_or(6));
        return {};
      },
      [](S s, R req, const service::GiftBatchSpec& b) { return s.gifts().CreateBatch(req, b); });
}

// POST /v1/gift-batches.csv?code=…&name=…&face_value=…: the printer's file as the body.
void PostBatchCsv(S services, const CallPtr& call) {
  ONECARD_TRY_REPLY(service::Request req, MakeRequest(call, false, std::nullopt));
  service::GiftImportSpec spec;
  spec.code = QueryText(call, "code");
  spec.name = QueryText(call, "name");
  spec.card_type = QueryText(call, "card_type");
  const std::string face = QueryText(call, "face_value");
  if (face.empty()) {
    return ReplyError(call, MakeError(ErrorCode::kFieldInvalid,
                                      "face_value (fen, for cards the file gives none) is required",
                                      "face_value"));
  }
  ONECARD_TRY_REPLY(spec.face_value, PositiveId(face, "face_value"));
  const std::string until = QueryText(call, "valid_until");
  if (!until.empty()) {
    ONECARD_TRY_REPLY(spec.valid_until, core::CivilDate::Parse(until, "valid_until"));
  }
  spec.csv = call->req.body;
  Blocking(call, [&services, call, req = std::move(req), spec = std::move(spec)] {
    ReplyResult(call, 201, services.gifts().ImportBatch(req, spec));
  });
}

void ListCards(S s, const CallPtr& call) {
  ONECARD_TRY_REPLY(int limit, QueryLimit(call, 100, 500));
  ONECARD_TRY_REPLY(service::GiftCardPage page,
                    s.gifts().ListCards(call->Who().tenant, call->Param("code"),
                                        QueryText(call, "after"), limit));
  nlohmann::json next = nullptr;
  if (!page.next.empty()) next = page.next;
  ReplyJson(call, 200, nlohmann::json{{"items", page.items}, {"next_after", next}});
}

void PostActivate(S services, const CallPtr& call) {
  auto b = BeginWrite(call, true, true);
  if (!b) return;
  service::GiftActivateSpec spec;
  Fields& f = b->fields;
  if (const nlohmann::json* numbers = f.Raw("numbers")) {
    if (!numbers->is_array()) {
      return ReplyError(call, MakeError(ErrorCode::kFieldInvalid,
                                        "numbers is a list of card numbers", "numbers"));
    }
    for (const nlohmann::json& n : *numbers) {
      if (!n.is_string()) {
        return ReplyError(call, MakeError(ErrorCode::kFieldInvalid,
                                          "numbers holds card numbers (strings)", "numbers"));
      }
      spec.numbers.push_back(n.get<std::string>());
    }
  }
  ONECARD_TRY_REPLY(spec.batch, f.TextOr("batch", "", 40));
  ONECARD_TRY_REPLY(spec.doc_no, f.TextOr("doc_no", "", 64));
  ONECARD_TRY_REPLY(spec.reference, f.TextOr("reference", "", 64));
  ONECARD_CHECK_REPLY(f.Finish());
  Blocking(call, [&services, call, req = std::move(b->req), spec = std::move(spec)] {
    ReplyResult(call, 201, services.gifts().Activate(req, spec));
  });
}

void PostBalance(S services, const CallPtr& call) {
  auto b = BeginWrite(call, false, true);
  if (!b) return;
  ONECARD_TRY_REPLY(std::string card, b->fields.Text("card", 32));
  ONECARD_TRY_REPLY(std::string pin, b->fields.Text("pin", 12));
  ONECARD_CHECK_REPLY(b->fields.Finish());
  Blocking(call, [&services, call, req = std::move(b->req), card = std::move(card),
                  pin = std::move(pin)] {
    ReplyResult(call, 200, services.gifts().Balance(req, card, pin));
  });
}

struct NoFields {};

void PostUnlock(S services, const CallPtr& call) {
  const std::string number = call->Param("number");
  AdminWrite<NoFields>(
      services, call, 200, [](Fields&, NoFields&) -> core::Status { return {}; },
      [number](S s, R req, const NoFields&) { return s.gifts().Unlock(req, number); });
}

struct PinLength {
  int digits = 6;
};

void PostResetPin(S services, const CallPtr& call) {
  const std::string number = call->Param("number");
  AdminWrite<PinLength>(
      services, call, 200,
      [](Fields& f, PinLength& length) -> core::Status {
        ONECARD_TRY(std::optional<std::int64_t> n, f.OptInt("pin_length"));
        if (n && (*n < 4 || *n > 12)) {
          return MakeError(ErrorCode::kFieldInvalid, "pin_length is 4 to 12 digits", "pin_length");
        }
        length.digits = static_cast<int>(n.value_or(6));
        return {};
      },
      [number](S s, R req, const PinLength& length) {
        return s.gifts().ResetPin(req, number, length.digits);
      });
}

void PostReport(S services, const CallPtr& call) {
  AdminWrite<NoFields>(
      services, call, 201, [](Fields&, NoFields&) -> core::Status { return {}; },
      [](S s, R req, const NoFields&) { return s.gifts().TakeReport(req); });
}

void ListReports(S s, const CallPtr& call) {
  ONECARD_TRY_REPLY(int limit, QueryLimit(call, 50, 500));
  std::int64_t before = 0;
  if (const std::string b = QueryText(call, "before"); !b.empty()) {
    ONECARD_TRY_REPLY(before, PositiveId(b, "before"));
  }
  ONECARD_TRY_REPLY(std::vector<service::GiftReportView> items,
                    s.gifts().ListReports(call->Who().tenant, before, limit));
  nlohmann::json next = nullptr;
  if (static_cast<int>(items.size()) == limit) next = items.back().id;
  ReplyJson(call, 200, nlohmann::json{{"items", items}, {"next_before", next}});
}

void GetReport(S s, const CallPtr& call) {
  ONECARD_TRY_REPLY(std::int64_t id, PositiveId(call->Param("id"), "id"));
  ReplyResult(call, 200, s.gifts().GetReport(call->Who().tenant, id));
}

void GetReportCsv(S services, const CallPtr& call) {
  ONECARD_TRY_REPLY(std::int64_t id, PositiveId(call->Param("id"), "id"));
  Blocking(call, [&services, call, id] {
    ReplyCsv(call, services.gifts().ReportCsv(call->Who().tenant, id),
             "gift-report-" + std::to_string(id) + ".csv");
  });
}

// The listing's query: from/to (local dates, "to" inclusive, or local times), batch, cursor.
Result<service::GiftListingQuery> ListingQuery(const CallPtr& call, std::string what) {
  service::GiftListingQuery q;
  q.what = std::move(what);
  const std::string tz = call->Who().tenant.timezone;
  if (const std::string from = QueryText(call, "from"); !from.empty()) {
    ONECARD_TRY(q.from, service::ParseLocalInstant(tz, from, false, "from"));
  }
  if (const std::string to = QueryText(call, "to"); !to.empty()) {
    ONECARD_TRY(q.to, service::ParseLocalInstant(tz, to, true, "to"));
  }
  q.batch = QueryText(call, "batch");
  if (const std::string after = QueryText(call, "after"); !after.empty()) {
    ONECARD_TRY(q.after, PositiveId(after, "after"));
  }
  ONECARD_TRY(q.limit, QueryLimit(call, 100, 1000));
  return q;
}

RouteHandler Listing(std::string what) {
  return [what](S s, const CallPtr& call) {
    ONECARD_TRY_REPLY(service::GiftListingQuery q, ListingQuery(call, what));
    ONECARD_TRY_REPLY(service::GiftListing page, s.gifts().Listing(call->Who().tenant, q));
    nlohmann::json next = nullptr;
    if (page.next_after) next = *page.next_after;
    ReplyJson(call, 200,
              nlohmann::json{{"items", page.items},
                             {"count", page.count},
                             {"total", page.total},
                             {"next_after", next}});
  };
}

RouteHandler ListingCsv(std::string what) {
  return [what](S services, const CallPtr& call) {
    ONECARD_TRY_REPLY(service::GiftListingQuery q, ListingQuery(call, what));
    Blocking(call, [&services, call, q, what] {
      ReplyCsv(call, services.gifts().ListingCsv(call->Who().tenant, q), "gift-" + what + ".csv");
    });
  };
}

}  // namespace

void AddGiftRoutes(Routes& routes) {
  routes.push_back(
      MakeRoute("GET", "/v1/gift-batches", true, P::kGiftRead, [](S s, const CallPtr& call) {
        ONECARD_TRY_REPLY(std::vector<service::GiftBatchView> items,
                          s.gifts().ListBatches(call->Who().tenant));
        ReplyJson(call, 200, nlohmann::json{{"items", items}});
      }));
  routes.push_back(MakeRoute("POST", "/v1/gift-batches", true, P::kGiftIssue, PostBatch));
  routes.push_back(MakeRoute("POST", "/v1/gift-batches.csv", true, P::kGiftIssue, PostBatchCsv));
  routes.push_back(
      MakeRoute("GET", "/v1/gift-batches/{code}", true, P::kGiftRead, [](S s, const CallPtr& call) {
        ReplyResult(call, 200, s.gifts().GetBatch(call->Who().tenant, call->Param("code")));
      }));
  routes.push_back(
      MakeRoute("GET", "/v1/gift-batches/{code}/cards", true, P::kGiftRead, ListCards));
  routes.push_back(MakeRoute("POST", "/v1/gift-cards/activate", true, P::kGiftSell, PostActivate));
  routes.push_back(MakeRoute("POST", "/v1/gift-cards/balance", true, P::kGiftSell, PostBalance));
  routes.push_back(
      MakeRoute("GET", "/v1/gift-cards/{number}", true, P::kGiftRead, [](S s, const CallPtr& call) {
        ReplyResult(call, 200, s.gifts().Show(call->Who().tenant, call->Param("number")));
      }));
  routes.push_back(
      MakeRoute("POST", "/v1/gift-cards/{number}/unlock", true, P::kGiftControl, PostUnlock));
  routes.push_back(
      MakeRoute("POST", "/v1/gift-cards/{number}/pin", true, P::kGiftControl, PostResetPin));
  routes.push_back(MakeRoute("POST", "/v1/gift-reports", true, P::kGiftReport, PostReport));
  routes.push_back(MakeRoute("GET", "/v1/gift-reports", true, P::kGiftReport, ListReports));
  routes.push_back(MakeRoute("GET", "/v1/gift-reports/{id}", true, P::kGiftReport, GetReport));
  routes.push_back(
      MakeRoute("GET", "/v1/gift-reports/{id}/report.csv", true, P::kGiftReport, GetReportCsv));
  for (const std::string what : {"issuance", "consumption"}) {
    routes.push_back(
        MakeRoute("GET", "/v1/gift-listings/" + what, true, P::kGiftReport, Listing(what)));
    routes.push_back(MakeRoute("GET", "/v1/gift-listings/" + what + ".csv", true, P::kGiftReport,
                               ListingCsv(what)));
  }
}

}  // namespace onecard::http
