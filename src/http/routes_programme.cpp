// Programme routes (issue #4): versions of the tenant's programme document, validation, and
// `explain` — pricing a basket with the reasons for every point.
#include "http/api_internal.hpp"

namespace onecard::http {
namespace {

using core::ErrorCode;
using core::MakeError;
using core::Result;
using P = service::Permission;
using Routes = std::vector<std::unique_ptr<Api::Route>>;
using S = service::Services&;
using R = const service::Request&;

constexpr std::size_t kMaxDocument = 256 * 1024;

Result<int> VersionParam(const CallPtr& call) {
  ONECARD_TRY(std::int64_t v, PositiveId(call->Param("version"), "version"));
  if (v > 1'000'000) return MakeError(ErrorCode::kProgrammeNotFound, "no such version", "version");
  return static_cast<int>(v);
}

void ListProgrammes(S s, const CallPtr& call) {
  Result<std::vector<service::ProgrammeVersionView>> r = s.programmes().List(call->Who().tenant);
  if (!r) return ReplyError(call, r.error());
  ReplyJson(call, 200, nlohmann::json{{"items", *r}});
}

void GetProgramme(S s, const CallPtr& call) {
  Result<int> v = VersionParam(call);
  if (!v) return ReplyError(call, v.error());
  ReplyResult(call, 200, s.programmes().Get(call->Who().tenant, *v));
}

void PostProgramme(S services, const CallPtr& call) {
  AdminWrite<std::string>(
      services, call, 201,
      [](Fields& f, std::string& document) -> core::Status {
        ONECARD_TRY(document, f.Text("document", kMaxDocument));
        return {};
      },
      [](S s, R req, const std::string& document) { return s.programmes().Add(req, document); });
}

// POST …/{version}/activate and …/cancel.
RouteHandler VersionChange(bool activate) {
  return [activate](S services, const CallPtr& call) {
    Result<int> v = VersionParam(call);
    if (!v) return ReplyError(call, v.error());
    AdminWrite<int>(
        services, call, 200,
        [&](Fields&, int& out) -> core::Status {
          out = *v;
          return {};
        },
        [activate](S s, R req, int version) {
          return activate ? s.programmes().Activate(req, version)
                          : s.programmes().Cancel(req, version);
        });
  };
}

void PostValidate(S services, const CallPtr& call) {
  Result<Fields> f = Fields::Parse(call->req.body);
  if (!f) return ReplyError(call, f.error());
  Result<std::string> document = f->Text("document", kMaxDocument);
  if (!document) return ReplyError(call, document.error());
  if (core::Status done = f->Finish(); !done) return ReplyError(call, done.error());
  Blocking(call, [&services, call, text = std::move(*document)] {
    ReplyResult(call, 200, services.programmes().Check(call->Who().tenant, text));
  });
}

Result<service::ExplainSpec> ReadExplain(const CallPtr& call) {
  ONECARD_TRY(Fields f, Fields::Parse(call->req.body));
  service::ExplainSpec spec;
  ONECARD_TRY(std::optional<std::int64_t> version, f.OptInt("version"));
  if (version) {
    if (*version < 1 || *version > 1'000'000) {
      return MakeError(ErrorCode::kFieldInvalid, "version is a positive number", "version");
    }
    spec.version = static_cast<int>(*version);
  }
  ONECARD_TRY(spec.document, f.TextOr("document", "", kMaxDocument));
  const nlohmann::json* lines = f.Raw("lines");
  if (lines == nullptr) {
    return MakeError(ErrorCode::kFieldInvalid, "lines is required: the basket to price", "lines");
  }
  ONECARD_TRY(spec.lines, service::BasketFromJson(*lines, "lines"));
  if (const nlohmann::json* member = f.Raw("member")) {
    ONECARD_TRY(spec.member, service::MemberStateFromJson(*member, "member"));
  }
  ONECARD_TRY(std::optional<std::string> date, f.OptText("date", 10));
  if (date) {
    ONECARD_TRY(spec.date, core::CivilDate::Parse(*date, "date"));
  }
  ONECARD_TRY(std::optional<std::string> time, f.OptText("time", 5));
  if (time) {
    ONECARD_TRY(spec.minute_of_day, service::ParseLocalTime(*time, "time"));
  }
  ONECARD_TRY(spec.store, f.TextOr("store", call->Who().store_code, 40));
  ONECARD_CHECK(f.Finish());
  return spec;
}

void PostExplain(S services, const CallPtr& call) {
  Result<service::ExplainSpec> spec = ReadExplain(call);
  if (!spec) return ReplyError(call, spec.error());
  Blocking(call, [&services, call, spec = std::move(*spec)] {
    ReplyResult(call, 200, services.programmes().Explain(call->Who().tenant, spec));
  });
}

struct SimulateSpec {
  std::string document;
  core::CivilDate from;
  core::CivilDate to;
};

void PostSimulate(S services, const CallPtr& call) {
  Result<Fields> f = Fields::Parse(call->req.body);
  if (!f) return ReplyError(call, f.error());
  SimulateSpec spec;
  const auto read = [&]() -> core::Status {
    ONECARD_TRY(spec.document, f->Text("document", kMaxDocument));
    ONECARD_TRY(std::string from, f->Text("from", 10));
    ONECARD_TRY(spec.from, core::CivilDate::Parse(from, "from"));
    ONECARD_TRY(std::string to, f->Text("to", 10));
    ONECARD_TRY(spec.to, core::CivilDate::Parse(to, "to"));
    return f->Finish();
  };
  if (core::Status ok = read(); !ok) return ReplyError(call, ok.error());
  Blocking(call, [&services, call, spec = std::move(spec)] {
    ReplyResult(
        call, 200,
        services.programmes().Simulate(call->Who().tenant, spec.document, spec.from, spec.to));
  });
}

}  // namespace

void AddProgrammeRoutes(Routes& routes) {
  routes.push_back(
      MakeRoute("POST", "/v1/programmes/simulate", true, P::kProgrammeWrite, PostSimulate));
  routes.push_back(MakeRoute("GET", "/v1/programmes", true, P::kProgrammeRead, ListProgrammes));
  routes.push_back(MakeRoute("POST", "/v1/programmes", true, P::kProgrammeWrite, PostProgramme));
  routes.push_back(
      MakeRoute("POST", "/v1/programmes/validate", true, P::kProgrammeRead, PostValidate));
  routes.push_back(
      MakeRoute("POST", "/v1/programmes/explain", true, P::kProgrammeRead, PostExplain));
  routes.push_back(
      MakeRoute("GET", "/v1/programmes/{version}", true, P::kProgrammeRead, GetProgramme));
  routes.push_back(MakeRoute("POST", "/v1/programmes/{version}/activate", true, P::kProgrammeWrite,
                             VersionChange(true)));
  routes.push_back(MakeRoute("POST", "/v1/programmes/{version}/cancel", true, P::kProgrammeWrite,
                             VersionChange(false)));
}

}  // namespace onecard::http
