// libFuzzer target: the API's request parsing and JSON mapping (issue #3). Each input is
//
//   METHOD TARGET\n
//   BODY
//
// sent as an authenticated admin (every route is reachable) to an Api over a real SQLite file
// with a tenant, a store, a member and a card. Whatever the input: the answer is a known
// status, an error answer is the JSON error document, and nothing is a 500.
#include <stdlib.h>

#include <cstdint>
#include <future>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "http/api.hpp"
#include "http/fields.hpp"
#include "http/message.hpp"
#include "service/services.hpp"
#include "storage/sqlite/sqlite_store.hpp"

namespace {

using namespace onecard;

[[noreturn]] void Fail(const std::string& why) {
  std::fprintf(stderr, "api_fuzz: %s\n", why.c_str());
  std::abort();
}

struct World {
  World() {
    char tmpl[] = "/tmp/onecard-fuzz-XXXXXX";
    if (mkdtemp(tmpl) == nullptr) Fail("mkdtemp");
    dir = tmpl;
    auto opened = storage::sqlite::OpenStore(
        dir + "/fuzz.db", {storage::OpenMode::kCreate, storage::Durability::kNormal});
    if (!opened) Fail(opened.error().ToString());
    store = std::move(*opened);
    service::StaffOptions staff;
    staff.fast_hashing = true;
    service::GiftOptions gifts;
    gifts.secret = std::string(32, 'f');
    gifts.fast_hashing = true;
    services =
        std::make_unique<service::Services>(*store, clock, service::WriterOptions{}, staff, gifts);
    auto tenant = services->org().CreateTenant("t1", "Fuzz", "Asia/Shanghai");
    if (!tenant) Fail(tenant.error().ToString());
    const service::Request req = service::RequestAs(*tenant, service::ActorNamed("setup"));
    Check(services->org().AddStore(req, "s1", "Store", "", ""));
    Check(services->org().AddCardType(req, {"member", "Member", core::CardKind::kPersonal, 0, 0}));
    Check(services->org().AddCardType(req, {"gift", "Gift", core::CardKind::kGift, 0, 0}));
    service::MemberChanges m;
    m.profile = {{"name", "Fuzz"}, {"phone", "13800138000"}};
    auto member = services->members().Add(req, m);
    Check(member);
    service::IssueCardRequest issue;
    issue.member_id = member->id;
    issue.type = "member";
    issue.number = "88000000013";
    Check(services->cards().Issue(req, issue));
    Check(services->staff().Add(req, {"admin", "", "fuzz-admin-pw", "admin", "", ""}));
    auto key = services->staff().AddApiKey(req, {"fuzzer", "admin", "", ""});
    Check(key);
    token = key->key;
    api = std::make_unique<http::Api>(*services, http::ApiOptions{.access_log = false});
  }
  ~World() {
    api.reset();
    services.reset();
    store.reset();
    std::string cmd = "rm -rf '" + dir + "'";
    if (std::system(cmd.c_str()) != 0) std::fprintf(stderr, "could not remove %s\n", dir.c_str());
  }
  template <class R>
  static void Check(const R& r) {
    if (!r) Fail(r.error().ToString());
  }

  std::string dir;
  service::SystemClock clock;
  std::unique_ptr<storage::Store> store;
  std::unique_ptr<service::Services> services;
  std::unique_ptr<http::Api> api;
  std::string token;
  std::uint64_t requests = 0;
};

bool KnownStatus(int s) {
  for (int k : {200, 201, 400, 401, 403, 404, 405, 409, 413, 422, 429, 503}) {
    if (s == k) return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static World world;
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  (void)http::Fields::Parse(std::string(in));  // the body reader alone, on anything

  const std::size_t nl = in.find('\n');
  const std::string_view line = in.substr(0, nl);
  const std::size_t sp = line.find(' ');
  if (sp == std::string_view::npos) return 0;
  http::ApiRequest req;
  req.method = std::string(line.substr(0, sp));
  if (!http::ParseTarget(line.substr(sp + 1), &req.path, &req.query)) return 0;
  req.body = nl == std::string_view::npos ? std::string() : std::string(in.substr(nl + 1));
  req.headers = {{"authorization", "Bearer " + world.token},
                 {"idempotency-key", "fuzz-" + std::to_string(++world.requests)}};
  req.client = "127.0.0.1";
  req.request_id = "fuzz";
  std::promise<http::ApiResponse> answered;
  world.api->Handle(std::move(req),
                    [&](http::ApiResponse&& r) { answered.set_value(std::move(r)); });
  const http::ApiResponse r = answered.get_future().get();
  if (!KnownStatus(r.status)) Fail("status " + std::to_string(r.status) + ": " + r.body);
  if (r.content_type == "application/json" && !r.body.empty()) {
    const auto doc = nlohmann::json::parse(r.body, nullptr, false);
    if (doc.is_discarded()) Fail("an answer that is not JSON: " + r.body);
    if (r.status >= 400 && (!doc.contains("code") || !doc.contains("message"))) {
      Fail("an error without the error document: " + r.body);
    }
  }
  return 0;
}
