// The /v1 routes: reads answer at once on the I/O thread (a WAL snapshot, no waiting for the
// writer); ledger writes queue on the writer and answer when their group commit is durable;
// other writes and logins run on the blocking pool.
#include "http/api_internal.hpp"
#include "service/calendar.hpp"

namespace onecard::http {
namespace {

using core::ErrorCode;
using core::MakeError;
using core::Result;
using P = service::Permission;
using Routes = std::vector<std::unique_ptr<Api::Route>>;

// "2027-12-31" (the last valid day, in the tenant's zone) → the instant it ends; null/absent →
// never.
Result<std::optional<core::Timestamp>> ExpiryOf(Fields& f, const service::TenantRef& tenant) {
  ONECARD_TRY(std::string text, f.TextOr("expires_on", "", 10));
  return service::ExpiryAfterLastDay(tenant.timezone, text, "expires_on");
}

// A ledger write: JSON body → service request → durable answer. The writer thread only hands
// the result over; encoding happens on the thread that answers.
template <class Reply>
void LedgerAnswer(const CallPtr& call, int status, Result<Reply> r) {
  if (!r) return ReplyError(call, r.error());
  ApiResponse res;
  res.status = status;
  res.body = JsonBody(*r);
  if (r->replayed) res.headers.emplace_back("Idempotent-Replayed", "true");
  call->api->Finish(call, std::move(res));
}

// Entries and holds made at a store outside the principal's scope do not exist for it.
core::Error EntryHidden(std::int64_t id) {
  return MakeError(ErrorCode::kEntryNotFound,
                   "no journal entry " + std::to_string(id) + " in this tenant", "entry");
}
core::Error HoldHidden(std::int64_t id) {
  return MakeError(ErrorCode::kHoldNotFound, "no hold " + std::to_string(id) + " in this tenant",
                   "hold");
}

// ----- reads -----

void GetCard(service::Services& s, const CallPtr& call) {
  ReplyResult(call, 200, s.cards().Show(call->Who().tenant, call->Param("number")));
}

void GetBalance(service::Services& s, const CallPtr& call) {
  ReplyResult(call, 200, s.ledger().Balance(call->Who().tenant, call->Param("number")));
}

void GetCardMember(service::Services& s, const CallPtr& call) {
  ReplyResult(call, 200, s.members().ShowByCard(call->Who().tenant, call->Param("number")));
}

void GetHistory(service::Services& s, const CallPtr& call) {
  ONECARD_TRY_REPLY(int limit, QueryLimit(call, 50, 500));
  core::EntryId before;
  if (const std::string* b = call->req.Query("before")) {
    ONECARD_TRY_REPLY(std::int64_t id, PositiveId(*b, "before"));
    before = core::EntryId{id};
  }
  ReplyResult(call, 200,
              s.ledger().History(call->Who().tenant, call->Param("number"), core::MemberId{},
                                 before, limit));
}

void GetMember(service::Services& s, const CallPtr& call) {
  ONECARD_TRY_REPLY(std::int64_t id, PositiveId(call->Param("id"), "id"));
  ReplyResult(call, 200, s.members().Show(call->Who().tenant, id));
}

void GetMemberHistory(service::Services& s, const CallPtr& call) {
  ONECARD_TRY_REPLY(std::int64_t id, PositiveId(call->Param("id"), "id"));
  ONECARD_TRY_REPLY(int limit, QueryLimit(call, 50, 500));
  core::EntryId before;
  if (const std::string* b = call->req.Query("before")) {
    ONECARD_TRY_REPLY(std::int64_t bid, PositiveId(*b, "before"));
    before = core::EntryId{bid};
  }
  if (Result<service::MemberView> m = s.members().Show(call->Who().tenant, id); !m) {
    return ReplyError(call, m.error());
  }
  ReplyResult(call, 200,
              s.ledger().History(call->Who().tenant, "", core::MemberId{id}, before, limit));
}

void ListMembers(service::Services& s, const CallPtr& call) {
  ONECARD_TRY_REPLY(int limit, QueryLimit(call, 20, 1000));
  const std::string q = QueryText(call, "q");
  if (!q.empty()) {
    ONECARD_TRY_REPLY(std::vector<service::MemberView> found,
                      s.members().Find(call->Who().tenant, q, limit));
    return ReplyJson(call, 200, nlohmann::json{{"items", found}, {"next_after", nullptr}});
  }
  std::int64_t after = 0;
  if (const std::string* a = call->req.Query("after")) {
    ONECARD_TRY_REPLY(std::int64_t id, PositiveId(*a, "after"));
    after = id;
  }
  ONECARD_TRY_REPLY(std::vector<service::MemberView> page,
                    s.members().List(call->Who().tenant, after, limit));
  nlohmann::json next = nullptr;
  if (static_cast<int>(page.size()) == limit && !page.empty()) next = page.back().id;
  ReplyJson(call, 200, nlohmann::json{{"items", page}, {"next_after", next}});
}

void GetEntry(service::Services& s, const CallPtr& call) {
  ONECARD_TRY_REPLY(std::int64_t id, PositiveId(call->Param("id"), "id"));
  ONECARD_TRY_REPLY(service::EntryReceipt e,
                    s.ledger().Entry(call->Who().tenant, core::EntryId{id}));
  if (!call->Who().CoversStore(e.store)) return ReplyError(call, EntryHidden(id));
  Reply(call, 200, service::EncodeReply(e));
}

void GetHold(service::Services& s, const CallPtr& call) {
  ONECARD_TRY_REPLY(std::int64_t id, PositiveId(call->Param("id"), "id"));
  ONECARD_TRY_REPLY(service::HoldReceipt h, s.ledger().ShowHold(call->Who().tenant, id));
  if (!call->Who().CoversStore(h.entry.store)) return ReplyError(call, HoldHidden(id));
  Reply(call, 200, service::EncodeReply(h));
}

void GetMe(service::Services&, const CallPtr& call) {
  const service::Principal& w = call->Who();
  nlohmann::json perms = nlohmann::json::array();
  for (int p = 0; p <= static_cast<int>(service::kLastPermission); ++p) {
    if (w.Can(static_cast<P>(p))) perms.push_back(service::PermissionName(static_cast<P>(p)));
  }
  ReplyJson(call, 200,
            nlohmann::json{{"kind", w.kind},
                           {"name", w.name},
                           {"display_name", w.display_name},
                           {"tenant", w.tenant.code},
                           {"role", service::RoleName(w.role)},
                           {"store", w.store_code},
                           {"region", w.region_code},
                           {"permissions", perms}});
}

// ----- ledger writes -----

template <class Reply>
service::Callback<Reply> AnswerLater(const CallPtr& call, int status) {
  return [call, status](Result<Reply> r) { LedgerAnswer<Reply>(call, status, std::move(r)); };
}

// Reads the optional "asset" or "selection" field.
Result<core::Asset> AssetField(Fields& f, core::Asset fallback) {
  ONECARD_TRY(std::optional<std::string> text, f.OptText("asset", 40));
  if (!text) return fallback;
  return core::ParseAsset(*text, "asset");
}
Result<core::AssetSelection> SelectionField(Fields& f, core::AssetSelection fallback) {
  ONECARD_TRY(std::optional<std::string> text, f.OptText("selection", 40));
  if (!text) return fallback;
  return core::ParseAssetSelection(*text, "selection");
}

void PostEarn(service::Services& s, const CallPtr& call) {
  auto b = BeginWrite(call, true, true);
  if (!b) return;
  Fields& f = b->fields;
  service::EarnRequest r;
  ONECARD_TRY_REPLY(r.card, f.Text("card", 40));
  ONECARD_TRY_REPLY(r.amount, f.Int("points"));
  ONECARD_TRY_REPLY(r.asset, AssetField(f, core::Asset::kPoints));
  ONECARD_TRY_REPLY(r.expires_at, ExpiryOf(f, b->req.tenant));
  ONECARD_TRY_REPLY(r.doc_no, f.TextOr("doc_no", "", 64));
  ONECARD_TRY_REPLY(r.reason, f.TextOr("reason", "", 500));
  ONECARD_CHECK_REPLY(f.Finish());
  s.ledger().EarnAsync(b->req, r, AnswerLater<service::EntryReceipt>(call, 200));
}

void PostSpend(service::Services& s, const CallPtr& call) {
  auto b = BeginWrite(call, true, true);
  if (!b) return;
  Fields& f = b->fields;
  service::SpendRequest r;
  ONECARD_TRY_REPLY(r.card, f.Text("card", 40));
  ONECARD_TRY_REPLY(r.amount, f.Int("points"));
  ONECARD_TRY_REPLY(r.selection, SelectionField(f, core::AssetSelection::kAnyPoints));
  ONECARD_TRY_REPLY(r.doc_no, f.TextOr("doc_no", "", 64));
  ONECARD_TRY_REPLY(r.reason, f.TextOr("reason", "", 500));
  ONECARD_CHECK_REPLY(f.Finish());
  s.ledger().SpendAsync(b->req, r, AnswerLater<service::EntryReceipt>(call, 200));
}

void PostAdjust(service::Services& s, const CallPtr& call) {
  auto b = BeginWrite(call, true, true);
  if (!b) return;
  Fields& f = b->fields;
  service::AdjustRequest r;
  ONECARD_TRY_REPLY(r.card, f.Text("card", 40));
  ONECARD_TRY_REPLY(r.amount, f.Int("points"));
  ONECARD_TRY_REPLY(r.asset, AssetField(f, core::Asset::kPoints));
  ONECARD_TRY_REPLY(r.expires_at, ExpiryOf(f, b->req.tenant));
  ONECARD_TRY_REPLY(r.doc_no, f.TextOr("doc_no", "", 64));
  ONECARD_TRY_REPLY(r.reason, f.Text("reason", 500));
  ONECARD_CHECK_REPLY(f.Finish());
  s.ledger().AdjustAsync(b->req, r, AnswerLater<service::EntryReceipt>(call, 200));
}

// The fields of a top-up and of its quote.
Result<service::TopUpSpec> TopUpOf(Fields& f, const service::TenantRef& tenant) {
  service::TopUpSpec r;
  ONECARD_TRY(r.card, f.Text("card", 40));
  ONECARD_TRY(r.amount, f.Int("amount"));
  ONECARD_TRY(r.bonus, f.OptInt("bonus"));
  ONECARD_TRY(r.asset, AssetField(f, core::Asset::kStoredValue));
  ONECARD_TRY(r.expires_at, ExpiryOf(f, tenant));
  ONECARD_TRY(r.doc_no, f.TextOr("doc_no", "", 64));
  ONECARD_TRY(r.reason, f.TextOr("reason", "", 500));
  ONECARD_CHECK(f.Finish());
  return r;
}

void PostTopUp(service::Services& s, const CallPtr& call) {
  auto b = BeginWrite(call, true, true);
  if (!b) return;
  ONECARD_TRY_REPLY(service::TopUpSpec r, TopUpOf(b->fields, b->req.tenant));
  // The programme in force is read first (off the event loop); the writer answers when durable.
  Blocking(call, [&s, call, req = std::move(b->req), r = std::move(r)] {
    s.stored_value().TopUpAsync(req, r, AnswerLater<service::TopUpView>(call, 200));
  });
}

void PostTopUpQuote(service::Services& s, const CallPtr& call) {
  auto b = BeginWrite(call, false, true);
  if (!b) return;
  ONECARD_TRY_REPLY(service::TopUpSpec r, TopUpOf(b->fields, b->req.tenant));
  Blocking(call, [&s, call, req = std::move(b->req), r = std::move(r)] {
    ReplyResult(call, 200, s.stored_value().QuoteTopUp(req, r));
  });
}

void PostPay(service::Services& s, const CallPtr& call) {
  auto b = BeginWrite(call, true, true);
  if (!b) return;
  Fields& f = b->fields;
  service::PayRequest r;
  ONECARD_TRY_REPLY(r.card, f.Text("card", 40));
  ONECARD_TRY_REPLY(r.amount, f.Int("amount"));
  ONECARD_TRY_REPLY(r.asset, AssetField(f, core::Asset::kStoredValue));
  ONECARD_TRY_REPLY(r.doc_no, f.TextOr("doc_no", "", 64));
  ONECARD_TRY_REPLY(r.reason, f.TextOr("reason", "", 500));
  ONECARD_CHECK_REPLY(f.Finish());
  s.ledger().PayAsync(b->req, r, AnswerLater<service::EntryReceipt>(call, 200));
}

void PostHold(service::Services& s, const CallPtr& call) {
  auto b = BeginWrite(call, true, true);
  if (!b) return;
  Fields& f = b->fields;
  service::HoldRequest r;
  ONECARD_TRY_REPLY(r.card, f.Text("card", 40));
  ONECARD_TRY_REPLY(r.amount, f.Int("amount"));
  ONECARD_TRY_REPLY(r.selection, SelectionField(f, core::AssetSelection::kAnyPoints));
  ONECARD_TRY_REPLY(std::optional<std::int64_t> timeout, f.OptInt("timeout_seconds"));
  if (timeout) r.timeout_seconds = *timeout;
  ONECARD_TRY_REPLY(r.doc_no, f.TextOr("doc_no", "", 64));
  ONECARD_CHECK_REPLY(f.Finish());
  s.ledger().HoldAsync(b->req, r, AnswerLater<service::HoldReceipt>(call, 201));
}

// Capture, void and reverse act on an object made at some store: outside the scope it is
// "not found", whatever the principal's role.
void PostCapture(service::Services& s, const CallPtr& call) {
  ONECARD_TRY_REPLY(std::int64_t id, PositiveId(call->Param("id"), "id"));
  auto b = BeginWrite(call, true, true);
  if (!b) return;
  Fields& f = b->fields;
  service::CaptureRequest r;
  r.hold_id = id;
  ONECARD_TRY_REPLY(r.amount, f.OptInt("amount"));
  ONECARD_CHECK_REPLY(f.Finish());
  ONECARD_TRY_REPLY(service::HoldReceipt h, s.ledger().ShowHold(b->req.tenant, id));
  if (!call->Who().CoversStore(h.entry.store)) return ReplyError(call, HoldHidden(id));
  s.ledger().CaptureAsync(b->req, r, AnswerLater<service::HoldReceipt>(call, 200));
}

void PostVoid(service::Services& s, const CallPtr& call) {
  ONECARD_TRY_REPLY(std::int64_t id, PositiveId(call->Param("id"), "id"));
  auto b = BeginWrite(call, true, true);
  if (!b) return;
  Fields& f = b->fields;
  service::VoidRequest r;
  r.hold_id = id;
  ONECARD_TRY_REPLY(r.reason, f.TextOr("reason", "", 500));
  ONECARD_CHECK_REPLY(f.Finish());
  ONECARD_TRY_REPLY(service::HoldReceipt h, s.ledger().ShowHold(b->req.tenant, id));
  if (!call->Who().CoversStore(h.entry.store)) return ReplyError(call, HoldHidden(id));
  s.ledger().VoidAsync(b->req, r, AnswerLater<service::HoldReceipt>(call, 200));
}

void PostReverse(service::Services& s, const CallPtr& call) {
  ONECARD_TRY_REPLY(std::int64_t id, PositiveId(call->Param("id"), "id"));
  auto b = BeginWrite(call, true, true);
  if (!b) return;
  Fields& f = b->fields;
  service::ReverseRequest r;
  r.entry_id = id;
  ONECARD_TRY_REPLY(r.reason, f.Text("reason", 500));
  ONECARD_CHECK_REPLY(f.Finish());
  ONECARD_TRY_REPLY(service::EntryReceipt e, s.ledger().Entry(b->req.tenant, core::EntryId{id}));
  if (!call->Who().CoversStore(e.store)) return ReplyError(call, EntryHidden(id));
  s.ledger().ReverseAsync(b->req, r, AnswerLater<service::EntryReceipt>(call, 200));
}

// ----- members and cards (synchronous services: on the blocking pool) -----

Result<service::MemberChanges> MemberChangesOf(Fields& f) {
  service::MemberChanges c;
  for (std::string_view name : core::ProfileFieldNames()) {
    ONECARD_TRY(std::optional<std::string> v, f.OptText(name, 500));
    if (v) c.profile.emplace_back(std::string(name), *v);
  }
  ONECARD_TRY(c.custom, f.OptStringMap("custom"));
  ONECARD_TRY(std::optional<std::string> status, f.OptText("status", 40));
  if (status) {
    ONECARD_TRY(core::MemberStatus st, core::ParseMemberStatus(*status));
    c.status = st;
  }
  ONECARD_TRY(std::optional<std::string> channel, f.OptText("channel", 40));
  if (channel) {
    ONECARD_TRY(core::EnrolChannel ch, core::ParseEnrolChannel(*channel));
    c.channel = ch;
  }
  ONECARD_TRY(c.referrer_id, f.OptInt("referrer_id"));
  ONECARD_TRY(c.home_store, f.OptText("home_store", 40));
  ONECARD_TRY(c.reason, f.TextOr("reason", "", 500));
  ONECARD_CHECK(f.Finish());
  return c;
}

void PostMember(service::Services& s, const CallPtr& call) {
  auto b = BeginWrite(call, false, true);
  if (!b) return;
  ONECARD_TRY_REPLY(service::MemberChanges c, MemberChangesOf(b->fields));
  Blocking(call, [&s, call, req = std::move(b->req), c = std::move(c)] {
    ReplyResult(call, 201, s.members().Add(req, c));
  });
}

void PatchMember(service::Services& s, const CallPtr& call) {
  ONECARD_TRY_REPLY(std::int64_t id, PositiveId(call->Param("id"), "id"));
  auto b = BeginWrite(call, false, true);
  if (!b) return;
  ONECARD_TRY_REPLY(service::MemberChanges c, MemberChangesOf(b->fields));
  Blocking(call, [&s, call, id, req = std::move(b->req), c = std::move(c)] {
    ReplyResult(call, 200, s.members().Update(req, id, c));
  });
}

void PostCard(service::Services& s, const CallPtr& call) {
  auto b = BeginWrite(call, false, true);
  if (!b) return;
  Fields& f = b->fields;
  service::IssueCardRequest r;
  ONECARD_TRY_REPLY(std::optional<std::int64_t> member, f.OptInt("member_id"));
  r.member_id = member.value_or(0);
  ONECARD_TRY_REPLY(r.type, f.Text("type", 40));
  ONECARD_TRY_REPLY(r.number, f.TextOr("number", "", 40));
  ONECARD_TRY_REPLY(std::optional<bool> phone, f.OptBool("phone_as_number"));
  r.phone_as_number = phone.value_or(false);
  ONECARD_TRY_REPLY(r.primary, f.TextOr("primary", "", 40));
  ONECARD_TRY_REPLY(std::optional<bool> inactive, f.OptBool("inactive"));
  r.inactive = inactive.value_or(false);
  ONECARD_TRY_REPLY(r.reason, f.TextOr("reason", "", 500));
  ONECARD_CHECK_REPLY(f.Finish());
  Blocking(call, [&s, call, req = std::move(b->req), r = std::move(r)] {
    ReplyResult(call, 201, s.cards().Issue(req, r));
  });
}

RouteHandler CardOp(core::CardOp op) {
  return [op](service::Services& s, const CallPtr& call) {
    auto b = BeginWrite(call, false, true);
    if (!b) return;
    Fields& f = b->fields;
    ONECARD_TRY_REPLY(std::string reason, f.TextOr("reason", "", 500));
    ONECARD_CHECK_REPLY(f.Finish());
    Blocking(call, [&s, call, op, req = std::move(b->req), reason = std::move(reason)] {
      ReplyResult(call, 200, s.cards().Apply(req, call->Param("number"), op, reason));
    });
  };
}

void PostReplace(service::Services& s, const CallPtr& call) {
  auto b = BeginWrite(call, true, true);
  if (!b) return;
  Fields& f = b->fields;
  ONECARD_TRY_REPLY(std::string number, f.TextOr("new_number", "", 40));
  ONECARD_TRY_REPLY(std::string reason, f.TextOr("reason", "", 500));
  ONECARD_CHECK_REPLY(f.Finish());
  Blocking(call, [&s, call, req = std::move(b->req), number = std::move(number),
                  reason = std::move(reason)] {
    ReplyResult(call, 200, s.cards().Replace(req, call->Param("number"), number, reason));
  });
}

void PostCreditLimit(service::Services& s, const CallPtr& call) {
  auto b = BeginWrite(call, false, true);
  if (!b) return;
  Fields& f = b->fields;
  service::CreditLimitRequest r;
  r.card = call->Param("number");
  ONECARD_TRY_REPLY(r.asset, AssetField(f, core::Asset::kStoredValue));
  ONECARD_TRY_REPLY(r.limit, f.Int("limit"));
  ONECARD_TRY_REPLY(r.reason, f.TextOr("reason", "", 500));
  ONECARD_CHECK_REPLY(f.Finish());
  Blocking(call, [&s, call, req = std::move(b->req), r = std::move(r)] {
    ReplyResult(call, 200, s.ledger().SetCreditLimit(req, r));
  });
}

// ----- sessions -----

void PostLogin(service::Services& s, const CallPtr& call) {
  ONECARD_TRY_REPLY(Fields f, Fields::Parse(call->req.body));
  service::LoginRequest r;
  ONECARD_TRY_REPLY(r.tenant, f.TextOr("tenant", "", 40));
  ONECARD_TRY_REPLY(r.username, f.Text("username", 64));
  ONECARD_TRY_REPLY(r.password, f.Text("password", 256));
  ONECARD_CHECK_REPLY(f.Finish());
  r.client = call->req.client;
  r.request_id = call->req.request_id;
  Blocking(call, [&s, call, r = std::move(r)] { ReplyResult(call, 200, s.staff().Login(r)); });
}

void PostLogout(service::Services& s, const CallPtr& call) {
  ONECARD_TRY_REPLY(service::Request req, MakeRequest(call, false, std::nullopt));
  Blocking(call, [&s, call, req = std::move(req)] {
    core::Status done = s.staff().Logout(req, call->Who());
    if (!done) return ReplyError(call, done.error());
    Reply(call, 200, R"({"status":"logged_out"})");
  });
}

}  // namespace

void AddReadRoutes(Routes& routes) {
  routes.push_back(MakeRoute("POST", "/v1/auth/login", false, std::nullopt, PostLogin));
  routes.push_back(MakeRoute("POST", "/v1/auth/logout", true, std::nullopt, PostLogout));
  routes.push_back(MakeRoute("GET", "/v1/auth/me", true, std::nullopt, GetMe));
  routes.push_back(MakeRoute("GET", "/v1/cards/{number}", true, P::kCardRead, GetCard));
  routes.push_back(
      MakeRoute("GET", "/v1/cards/{number}/balance", true, P::kLedgerRead, GetBalance));
  routes.push_back(
      MakeRoute("GET", "/v1/cards/{number}/history", true, P::kLedgerRead, GetHistory));
  routes.push_back(
      MakeRoute("GET", "/v1/cards/{number}/member", true, P::kMemberRead, GetCardMember));
  routes.push_back(MakeRoute("GET", "/v1/members", true, P::kMemberRead, ListMembers));
  routes.push_back(MakeRoute("GET", "/v1/members/{id}", true, P::kMemberRead, GetMember));
  routes.push_back(
      MakeRoute("GET", "/v1/members/{id}/history", true, P::kLedgerRead, GetMemberHistory));
  routes.push_back(MakeRoute("GET", "/v1/entries/{id}", true, P::kLedgerRead, GetEntry));
  routes.push_back(MakeRoute("GET", "/v1/holds/{id}", true, P::kLedgerRead, GetHold));
}

void AddWriteRoutes(Routes& routes) {
  routes.push_back(MakeRoute("POST", "/v1/points/earn", true, P::kPointsEarn, PostEarn));
  routes.push_back(MakeRoute("POST", "/v1/points/spend", true, P::kPointsSpend, PostSpend));
  routes.push_back(MakeRoute("POST", "/v1/points/adjust", true, P::kPointsAdjust, PostAdjust));
  routes.push_back(MakeRoute("POST", "/v1/value/top-up", true, P::kValueTopUp, PostTopUp));
  routes.push_back(
      MakeRoute("POST", "/v1/value/top-up/quote", true, P::kValueTopUp, PostTopUpQuote));
  routes.push_back(MakeRoute("POST", "/v1/value/pay", true, P::kValuePay, PostPay));
  routes.push_back(MakeRoute("POST", "/v1/holds", true, P::kHolds, PostHold));
  routes.push_back(MakeRoute("POST", "/v1/holds/{id}/capture", true, P::kHolds, PostCapture));
  routes.push_back(MakeRoute("POST", "/v1/holds/{id}/void", true, P::kHolds, PostVoid));
  routes.push_back(MakeRoute("POST", "/v1/entries/{id}/reverse", true, P::kReverse, PostReverse));
  routes.push_back(MakeRoute("POST", "/v1/members", true, P::kMemberWrite, PostMember));
  routes.push_back(MakeRoute("PATCH", "/v1/members/{id}", true, P::kMemberWrite, PatchMember));
  routes.push_back(MakeRoute("POST", "/v1/cards", true, P::kCardIssue, PostCard));
  struct OpRoute {
    const char* path;
    core::CardOp op;
    P permission;
  };
  for (const OpRoute& o : {OpRoute{"activate", core::CardOp::kActivate, P::kCardService},
                           OpRoute{"report-lost", core::CardOp::kReportLost, P::kCardService},
                           OpRoute{"cancel-loss", core::CardOp::kCancelLoss, P::kCardService},
                           OpRoute{"reissue", core::CardOp::kReissue, P::kCardService},
                           OpRoute{"renew", core::CardOp::kRenew, P::kCardService},
                           OpRoute{"freeze", core::CardOp::kFreeze, P::kCardControl},
                           OpRoute{"unfreeze", core::CardOp::kUnfreeze, P::kCardControl},
                           OpRoute{"close", core::CardOp::kClose, P::kCardControl}}) {
    routes.push_back(MakeRoute("POST", std::string("/v1/cards/{number}/") + o.path, true,
                               o.permission, CardOp(o.op)));
  }
  routes.push_back(
      MakeRoute("POST", "/v1/cards/{number}/replace", true, P::kCardControl, PostReplace));
  routes.push_back(
      MakeRoute("POST", "/v1/cards/{number}/credit-limit", true, P::kCardControl, PostCreditLimit));
}

}  // namespace onecard::http
