// Organisation, staff, API keys, audit and verify routes.
#include "http/api_internal.hpp"

namespace onecard::http {
namespace {

using core::ErrorCode;
using core::MakeError;
using core::Result;
using P = service::Permission;
using Routes = std::vector<std::unique_ptr<Api::Route>>;

// Runs a read on the calling thread and answers with its result as {"items": [...]}.
template <class T>
void ReplyItems(const CallPtr& call, const Result<std::vector<T>>& r) {
  if (!r) return ReplyError(call, r.error());
  ReplyJson(call, 200, nlohmann::json{{"items", *r}});
}

void GetTenant(service::Services& s, const CallPtr& call) {
  const service::TenantRef& t = call->Who().tenant;
  Result<std::vector<service::TenantView>> all = s.org().ListTenants();
  if (!all) return ReplyError(call, all.error());
  for (const auto& v : *all) {
    if (v.code == t.code) return ReplyJson(call, 200, v);
  }
  ReplyError(call, MakeError(ErrorCode::kTenantNotFound, "the tenant is gone"));
}

using S = service::Services&;
using R = const service::Request&;

void PostRegion(S services, const CallPtr& call) {
  struct Spec {
    std::string code, name, parent;
  };
  AdminWrite<Spec>(
      services, call, 201,
      [](Fields& f, Spec& o) -> core::Status {
        ONECARD_TRY(o.code, f.Text("code", 40));
        ONECARD_TRY(o.name, f.Text("name", 200));
        ONECARD_TRY(o.parent, f.TextOr("parent", "", 40));
        return {};
      },
      [](S s, R req, const Spec& o) { return s.org().AddRegion(req, o.code, o.name, o.parent); });
}

void PostStore(S services, const CallPtr& call) {
  struct Spec {
    std::string code, name, region, address;
  };
  AdminWrite<Spec>(
      services, call, 201,
      [](Fields& f, Spec& o) -> core::Status {
        ONECARD_TRY(o.code, f.Text("code", 40));
        ONECARD_TRY(o.name, f.Text("name", 200));
        ONECARD_TRY(o.region, f.TextOr("region", "", 40));
        ONECARD_TRY(o.address, f.TextOr("address", "", 500));
        return {};
      },
      [](S s, R req, const Spec& o) {
        return s.org().AddStore(req, o.code, o.name, o.region, o.address);
      });
}

void PostCardType(S services, const CallPtr& call) {
  AdminWrite<service::CardTypeSpec>(
      services, call, 201,
      [](Fields& f, service::CardTypeSpec& spec) -> core::Status {
        ONECARD_TRY(spec.code, f.Text("code", 40));
        ONECARD_TRY(spec.name, f.Text("name", 200));
        ONECARD_TRY(std::string kind, f.TextOr("kind", "personal", 40));
        ONECARD_TRY(spec.kind, core::ParseCardKind(kind));
        ONECARD_TRY(std::optional<std::int64_t> months, f.OptInt("validity_months"));
        if (months && (*months < 0 || *months > 1200)) {
          return MakeError(ErrorCode::kFieldInvalid, "validity is 0 to 1,200 months",
                           "validity_months");
        }
        spec.validity_months = static_cast<int>(months.value_or(0));
        ONECARD_TRY(std::optional<std::int64_t> fee, f.OptInt("fee_fen"));
        spec.fee_fen = fee.value_or(0);
        return {};
      },
      [](S s, R req, const service::CardTypeSpec& spec) { return s.org().AddCardType(req, spec); });
}

// What a count-card or pass card type pays for.
void PutPassTerms(S services, const CallPtr& call) {
  auto b = BeginWrite(call, false, false);
  if (!b) return;
  service::PassTermsSpec spec;
  ONECARD_TRY_REPLY(spec.skus, b->fields.Strings("skus"));
  ONECARD_TRY_REPLY(spec.categories, b->fields.Strings("categories"));
  ONECARD_TRY_REPLY(spec.stores, b->fields.Strings("stores"));
  ONECARD_TRY_REPLY(std::optional<std::int64_t> per_day, b->fields.OptInt("per_day"));
  spec.per_day = per_day.value_or(0);  // the service checks the range
  if (core::Status done = b->fields.Finish(); !done) return ReplyError(call, done.error());
  Blocking(call, [&services, call, req = std::move(b->req), spec = std::move(spec),
                  code = std::string(call->Param("code"))] {
    ReplyResult(call, 200, services.passes().SetTerms(req, code, spec));
  });
}

void PostField(S services, const CallPtr& call) {
  AdminWrite<core::FieldDefinition>(
      services, call, 201,
      [](Fields& f, core::FieldDefinition& def) -> core::Status {
        ONECARD_TRY(def.key, f.Text("key", 40));
        ONECARD_TRY(def.label, f.Text("label", 200));
        ONECARD_TRY(std::string type, f.TextOr("type", "text", 40));
        ONECARD_TRY(def.type, core::ParseFieldType(type));
        ONECARD_TRY(std::string list, f.TextOr("choices", "", 2000));
        std::size_t start = 0;
        while (!list.empty() && start <= list.size()) {
          const std::size_t bar = list.find('|', start);
          def.choices.push_back(list.substr(start, bar == std::string::npos ? bar : bar - start));
          if (bar == std::string::npos) break;
          start = bar + 1;
        }
        ONECARD_TRY(std::optional<bool> indexed, f.OptBool("indexed"));
        def.indexed = indexed.value_or(false);
        ONECARD_TRY(std::optional<bool> editable, f.OptBool("member_editable"));
        def.member_editable = editable.value_or(false);
        return {};
      },
      [](S s, R req, const core::FieldDefinition& def) { return s.org().DefineField(req, def); });
}

// ----- staff and API keys -----

void PostStaff(S services, const CallPtr& call) {
  AdminWrite<service::StaffSpec>(
      services, call, 201,
      [](Fields& f, service::StaffSpec& spec) -> core::Status {
        ONECARD_TRY(spec.username, f.Text("username", 64));
        ONECARD_TRY(spec.display_name, f.TextOr("display_name", "", 100));
        ONECARD_TRY(spec.password, f.Text("password", 256));
        ONECARD_TRY(spec.role, f.Text("role", 40));
        ONECARD_TRY(spec.store, f.TextOr("store", "", 40));
        ONECARD_TRY(spec.region, f.TextOr("region", "", 40));
        return {};
      },
      [](S s, R req, const service::StaffSpec& spec) { return s.staff().Add(req, spec); });
}

void PatchStaff(S services, const CallPtr& call) {
  AdminWrite<service::StaffChanges>(
      services, call, 200,
      [](Fields& f, service::StaffChanges& c) -> core::Status {
        ONECARD_TRY(c.display_name, f.OptText("display_name", 100));
        ONECARD_TRY(c.password, f.OptText("password", 256));
        ONECARD_TRY(c.role, f.OptText("role", 40));
        ONECARD_TRY(c.store, f.OptText("store", 40));
        ONECARD_TRY(c.region, f.OptText("region", 40));
        ONECARD_TRY(c.active, f.OptBool("active"));
        return {};
      },
      [call](S s, R req, const service::StaffChanges& c) {
        return s.staff().Update(req, call->Param("username"), c);
      });
}

void PostApiKey(S services, const CallPtr& call) {
  AdminWrite<service::ApiKeySpec>(
      services, call, 201,
      [](Fields& f, service::ApiKeySpec& spec) -> core::Status {
        ONECARD_TRY(spec.name, f.Text("name", 64));
        ONECARD_TRY(spec.role, f.Text("role", 40));
        ONECARD_TRY(spec.store, f.TextOr("store", "", 40));
        ONECARD_TRY(spec.region, f.TextOr("region", "", 40));
        return {};
      },
      [](S s, R req, const service::ApiKeySpec& spec) { return s.staff().AddApiKey(req, spec); });
}

void PostRevokeApiKey(S services, const CallPtr& call) {
  Result<std::int64_t> id = PositiveId(call->Param("id"), "id");
  if (!id) return ReplyError(call, id.error());
  AdminWrite<std::int64_t>(
      services, call, 200,
      [&](Fields&, std::int64_t& out) -> core::Status {
        out = *id;
        return {};
      },
      [](S s, R req, std::int64_t key) { return s.staff().RevokeApiKey(req, key); });
}

void GetAudit(service::Services& s, const CallPtr& call) {
  storage::AuditFilter f;
  auto read = [&]() -> core::Status {
    if (const std::string* v = call->req.Query("before_id")) {
      ONECARD_TRY(f.before_id, PositiveId(*v, "before_id"));
    }
    if (const std::string* v = call->req.Query("limit")) {
      ONECARD_TRY(std::int64_t n, PositiveId(*v, "limit"));
      f.limit = static_cast<int>(std::min<std::int64_t>(n, 100000));
    }
    for (auto [name, out] :
         {std::pair{"actor", &f.actor}, std::pair{"action", &f.action},
          std::pair{"object_kind", &f.object_kind}, std::pair{"object_id", &f.object_id}}) {
      if (const std::string* v = call->req.Query(name)) *out = *v;
    }
    for (auto [name, out] : {std::pair{"from", &f.from}, std::pair{"to", &f.to}}) {
      if (const std::string* v = call->req.Query(name)) {
        ONECARD_TRY(core::Timestamp t, core::Timestamp::ParseIsoUtc(*v, name));
        *out = t;
      }
    }
    return {};
  };
  if (core::Status ok = read(); !ok) return ReplyError(call, ok.error());
  ReplyResult(call, 200, s.staff().Audit(call->Who().tenant, f));
}

void PostVerify(service::Services& s, const CallPtr& call) {
  Blocking(call, [&s, call] {
    Result<service::VerifyReport> r = s.Verify();
    if (!r) return ReplyError(call, r.error());
    ReplyJson(call, 200, *r);
  });
}

}  // namespace

// GET PATTERN → {"items": LIST(services, tenant)}.
template <class List>
std::unique_ptr<Api::Route> ListRoute(const char* pattern, P permission, List list) {
  return MakeRoute("GET", pattern, true, permission,
                   [list](service::Services& s, const CallPtr& call) {
                     ReplyItems(call, list(s, call->Who().tenant));
                   });
}

void AddAdminRoutes(Routes& routes) {
  using T = const service::TenantRef&;
  using S = service::Services&;
  routes.push_back(MakeRoute("GET", "/v1/tenant", true, P::kOrgRead, GetTenant));
  routes.push_back(
      ListRoute("/v1/regions", P::kOrgRead, [](S s, T t) { return s.org().ListRegions(t); }));
  routes.push_back(MakeRoute("POST", "/v1/regions", true, P::kOrgWrite, PostRegion));
  routes.push_back(
      ListRoute("/v1/stores", P::kOrgRead, [](S s, T t) { return s.org().ListStores(t); }));
  routes.push_back(MakeRoute("POST", "/v1/stores", true, P::kOrgWrite, PostStore));
  routes.push_back(
      ListRoute("/v1/card-types", P::kOrgRead, [](S s, T t) { return s.org().ListCardTypes(t); }));
  routes.push_back(MakeRoute("POST", "/v1/card-types", true, P::kOrgWrite, PostCardType));
  routes.push_back(MakeRoute(
      "GET", "/v1/card-types/{code}/pass-terms", true, P::kOrgRead, [](S s, const CallPtr& call) {
        ReplyResult(call, 200,
                    s.passes().Terms(call->Who().tenant, std::string(call->Param("code"))));
      }));
  routes.push_back(
      MakeRoute("PUT", "/v1/card-types/{code}/pass-terms", true, P::kOrgWrite, PutPassTerms));
  routes.push_back(MakeRoute(
      "GET", "/v1/members/{id}/passes", true, P::kMemberRead, [](S s, const CallPtr& call) {
        ONECARD_TRY_REPLY(std::int64_t id, PositiveId(call->Param("id"), "id"));
        ReplyItems(call, s.passes().OfMember(call->Who().tenant, core::MemberId{id}));
      }));
  routes.push_back(
      ListRoute("/v1/fields", P::kOrgRead, [](S s, T t) { return s.org().ListFields(t); }));
  routes.push_back(MakeRoute("POST", "/v1/fields", true, P::kOrgWrite, PostField));
  routes.push_back(
      ListRoute("/v1/staff", P::kStaffManage, [](S s, T t) { return s.staff().List(t); }));
  routes.push_back(MakeRoute("POST", "/v1/staff", true, P::kStaffManage, PostStaff));
  routes.push_back(MakeRoute(
      "GET", "/v1/staff/{username}", true, P::kStaffManage,
      [](service::Services& s, const CallPtr& call) {
        ReplyResult(call, 200, s.staff().Show(call->Who().tenant, call->Param("username")));
      }));
  routes.push_back(MakeRoute("PATCH", "/v1/staff/{username}", true, P::kStaffManage, PatchStaff));
  routes.push_back(ListRoute("/v1/api-keys", P::kStaffManage,
                             [](S s, T t) { return s.staff().ListApiKeys(t); }));
  routes.push_back(MakeRoute("POST", "/v1/api-keys", true, P::kStaffManage, PostApiKey));
  routes.push_back(
      MakeRoute("POST", "/v1/api-keys/{id}/revoke", true, P::kStaffManage, PostRevokeApiKey));
  routes.push_back(MakeRoute("GET", "/v1/audit", true, P::kAuditRead, GetAudit));
  routes.push_back(MakeRoute("POST", "/v1/verify", true, P::kVerify, PostVerify));
}

}  // namespace onecard::http
