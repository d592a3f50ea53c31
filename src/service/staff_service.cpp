#include "service/staff_service.hpp"

#include <sodium.h>

#include <algorithm>
#include <map>

#include "core/assert.hpp"
#include "core/member.hpp"
#include "service/digest.hpp"

namespace onecard::service {
namespace {

using core::ErrorCode;
using core::MakeError;
using core::Result;
using core::Status;

constexpr std::string_view kSessionPrefix = "ocs_";
constexpr std::string_view kApiKeyPrefix = "ock_";

// 32 random bytes, URL-safe base64 without padding, after a prefix that says what it is.
std::string NewToken(std::string_view prefix) {
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  char text[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(text, sizeof text, bytes, sizeof bytes,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return std::string(prefix) + text;
}

Status ValidateUsername(std::string_view name) {
  bool ok = !name.empty() && name.size() <= 64;
  for (char c : name) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
                c == '-' || c == '@');
  }
  if (ok) return {};
  return MakeError(ErrorCode::kFieldInvalid,
                   "a username is 1 to 64 of a-z, 0-9 and . _ - @ (lower case)", "username");
}

Status ValidatePassword(std::string_view password) {
  if (password.size() < 10 || password.size() > 256) {
    return MakeError(ErrorCode::kPasswordWeak, "a password has 10 to 256 characters", "password");
  }
  bool all_digits = true;
  for (char c : password) all_digits = all_digits && c >= '0' && c <= '9';
  if (all_digits) {
    return MakeError(ErrorCode::kPasswordWeak, "a password is not only digits", "password");
  }
  return {};
}

std::string LocalMinute(core::Timestamp t) {
  return t.ToIsoUtc().substr(0, 16) + " UTC";
}

core::Error Locked(std::string_view what, core::Timestamp until, core::Timestamp now) {
  const std::int64_t seconds =
      std::max<std::int64_t>(1, (until.micros - now.micros + 999'999) / 1'000'000);
  return MakeError(ErrorCode::kLoginLocked, std::string(what) + "; retry after " +
                                                LocalMinute(until) + " (in " +
                                                std::to_string(seconds) + " s)");
}

StaffView ViewOf(const storage::StaffUserRecord& u, std::string store, std::string region) {
  return StaffView{u.id,     u.username,       u.display_name,
                   u.role,   std::move(store), std::move(region),
                   u.status, u.locked_until,   u.created_at};
}

// Store and region codes of a record's scope.
Result<std::pair<std::string, std::string>> ScopeCodes(storage::ReadTxn& txn, core::TenantId tenant,
                                                       core::StoreId store, core::RegionId region) {
  std::pair<std::string, std::string> out;
  if (store.valid()) {
    ONECARD_TRY(std::optional<storage::StoreRecord> s, txn.GetStore(tenant, store));
    if (s) out.first = s->code;
  }
  if (region.valid()) {
    ONECARD_TRY(std::vector<storage::RegionRecord> regions, txn.ListRegions(tenant));
    for (const auto& r : regions) {
      if (r.id == region) out.second = r.code;
    }
  }
  return out;
}

Result<StaffView> ReadView(storage::ReadTxn& txn, const storage::StaffUserRecord& u) {
  ONECARD_TRY(auto codes, ScopeCodes(txn, u.tenant, u.store, u.region));
  return ViewOf(u, codes.first, codes.second);
}

// Resolves store/region codes to ids within the tenant.
Result<std::pair<core::StoreId, core::RegionId>> ResolveScope(storage::ReadTxn& txn,
                                                              const TenantRef& tenant,
                                                              std::string_view store,
                                                              std::string_view region) {
  std::pair<core::StoreId, core::RegionId> out;
  if (!store.empty()) {
    ONECARD_TRY(std::optional<storage::StoreRecord> s, txn.FindStore(tenant.id, store));
    if (!s) {
      return MakeError(ErrorCode::kStoreNotFound,
                       "no store " + std::string(store) + " in tenant " + tenant.code, "store");
    }
    out.first = s->id;
  }
  if (!region.empty()) {
    ONECARD_TRY(std::optional<storage::RegionRecord> r, txn.FindRegion(tenant.id, region));
    if (!r) {
      return MakeError(ErrorCode::kRegionNotFound,
                       "no region " + std::string(region) + " in tenant " + tenant.code, "region");
    }
    out.second = r->id;
  }
  return out;
}

Result<storage::StaffUserRecord> FindStaffOrFail(storage::ReadTxn& txn, const TenantRef& tenant,
                                                 std::string_view username) {
  ONECARD_TRY(std::optional<storage::StaffUserRecord> u, txn.FindStaffUser(tenant.id, username));
  if (!u) {
    return MakeError(ErrorCode::kStaffNotFound,
                     "no staff user " + std::string(username) + " in tenant " + tenant.code,
                     "username");
  }
  return *u;
}

ApiKeyView KeyView(const storage::ApiKeyRecord& k, std::string store, std::string region) {
  ApiKeyView v;
  v.id = k.id;
  v.name = k.name;
  v.role = k.role;
  v.store = std::move(store);
  v.region = std::move(region);
  v.status = k.status;
  v.created_at = k.created_at;
  v.revoked_at = k.revoked_at;
  return v;
}

// A fixed hash to verify against when the user does not exist, so an unknown username takes as
// long as a wrong password.
const std::string& DummyHash(bool fast) {
  static const std::string slow = [] {
    char out[crypto_pwhash_STRBYTES];
    ONECARD_ASSERT(crypto_pwhash_str(out, "not-a-password", 14, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                     crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0,
                   "argon2id failed");
    return std::string(out);
  }();
  static const std::string quick = [] {
    char out[crypto_pwhash_STRBYTES];
    ONECARD_ASSERT(crypto_pwhash_str(out, "not-a-password", 14, crypto_pwhash_OPSLIMIT_MIN,
                                     crypto_pwhash_MEMLIMIT_MIN) == 0,
                   "argon2id failed");
    return std::string(out);
  }();
  return fast ? quick : slow;
}

}  // namespace

StaffService::StaffService(storage::Store& store, const Clock& clock, Writer& writer,
                           OrgService& org, StaffOptions options)
    : store_(store), clock_(clock), writer_(writer), org_(org), options_(options) {
  ONECARD_ASSERT(sodium_init() >= 0, "libsodium failed to start");
}

Result<std::string> StaffService::HashPassword(std::string_view password) const {
  char out[crypto_pwhash_STRBYTES];
  const auto ops =
      options_.fast_hashing ? crypto_pwhash_OPSLIMIT_MIN : crypto_pwhash_OPSLIMIT_INTERACTIVE;
  const auto mem =
      options_.fast_hashing ? crypto_pwhash_MEMLIMIT_MIN : crypto_pwhash_MEMLIMIT_INTERACTIVE;
  if (crypto_pwhash_str(out, password.data(), password.size(), ops, mem) != 0) {
    return MakeError(ErrorCode::kInternal, "argon2id could not hash (out of memory?)");
  }
  return std::string(out);
}

Result<StaffView> StaffService::Add(const Request& req, const StaffSpec& spec) {
  ONECARD_CHECK(ValidateUsername(spec.username));
  ONECARD_CHECK(core::ValidateText(spec.display_name, "display_name", 100));
  ONECARD_CHECK(ValidatePassword(spec.password));
  ONECARD_TRY(Role role, ParseRole(spec.role));
  ONECARD_CHECK(CheckScopeFits(role, !spec.store.empty(), !spec.region.empty()));
  ONECARD_TRY(std::string hash, HashPassword(spec.password));
  return writer_.Call<StaffView>(
      req.tenant.id, "", "",
      [&](storage::WriteTxn& txn) -> Result<StaffView> {
        ONECARD_TRY(auto scope, ResolveScope(txn, req.tenant, spec.store, spec.region));
        storage::StaffUserRecord u;
        u.tenant = req.tenant.id;
        u.username = spec.username;
        u.display_name = spec.display_name;
        u.password_hash = hash;
        u.role = std::string(RoleName(role));
        u.store = scope.first;
        u.region = scope.second;
        u.created_at = clock_.Now();
        Result<std::int64_t> id = txn.InsertStaffUser(u);
        if (!id && id.error().code == ErrorCode::kCodeTaken) {
          return MakeError(
              ErrorCode::kCodeTaken,
              "staff user " + spec.username + " exists already in tenant " + req.tenant.code,
              "username");
        }
        ONECARD_CHECK(id);
        u.id = *id;
        return ViewOf(u, spec.store, spec.region);
      },
      AuditOf(req, "staff.add", "staff", spec.username));
}

Result<StaffView> StaffService::Update(const Request& req, std::string_view username,
                                       const StaffChanges& changes) {
  if (changes.display_name) {
    ONECARD_CHECK(core::ValidateText(*changes.display_name, "display_name", 100));
  }
  std::optional<std::string> hash;
  if (changes.password) {
    ONECARD_CHECK(ValidatePassword(*changes.password));
    ONECARD_TRY(hash, HashPassword(*changes.password));
  }
  if (changes.role) ONECARD_CHECK(ParseRole(*changes.role));
  auto audit = AuditOf(req, "staff.update", "staff", std::string(username));
  const core::TenantId tenant = req.tenant.id;
  const std::string name(username);
  struct ForgetAfter {  // whatever the outcome, the user's cached sessions are dropped
    StaffService* self;
    core::TenantId tenant;
    std::string name;
    ~ForgetAfter() {
      self->Forget([&](const Principal& p) {
        return p.kind == "staff" && p.tenant.id == tenant && p.name == name;
      });
    }
  } forget{this, tenant, name};
  return writer_.Call<StaffView>(
      req.tenant.id, "", "",
      [&](storage::WriteTxn& txn) -> Result<StaffView> {
        const core::Timestamp now = clock_.Now();
        ONECARD_TRY(storage::StaffUserRecord u, FindStaffOrFail(txn, req.tenant, username));
        ONECARD_TRY(StaffView before, ReadView(txn, u));
        audit->before = nlohmann::json(before).dump();
        if (changes.display_name) u.display_name = *changes.display_name;
        if (hash) {
          u.password_hash = *hash;
          u.failed_logins = 0;
          u.locked_until.reset();
        }
        if (changes.role) u.role = *changes.role;
        if (changes.store || changes.region) {
          ONECARD_TRY(auto scope, ResolveScope(txn, req.tenant, changes.store.value_or(""),
                                               changes.region.value_or("")));
          if (changes.store) u.store = scope.first;
          if (changes.region) u.region = scope.second;
        }
        ONECARD_TRY(Role role, ParseRole(u.role));
        ONECARD_CHECK(CheckScopeFits(role, u.store.valid(), u.region.valid()));
        bool end_sessions = hash.has_value() || changes.role || changes.store || changes.region;
        if (changes.active) {
          u.status = *changes.active ? "active" : "disabled";
          if (!*changes.active) end_sessions = true;
          if (*changes.active) {
            u.failed_logins = 0;
            u.locked_until.reset();
          }
        }
        ONECARD_CHECK(txn.UpdateStaffUser(u));
        // New rights or a new password take effect at the next login.
        if (end_sessions) ONECARD_CHECK(txn.RevokeSessionsOfUser(u.id, now));
        return ReadView(txn, u);
      },
      audit);
}

Result<std::vector<StaffView>> StaffService::List(const TenantRef& tenant) {
  ONECARD_TRY(std::unique_ptr<storage::ReadTxn> txn, store_.BeginRead());
  ONECARD_TRY(std::vector<storage::StaffUserRecord> users, txn->ListStaffUsers(tenant.id));
  std::vector<StaffView> out;
  for (const auto& u : users) {
    ONECARD_TRY(StaffView v, ReadView(*txn, u));
    out.push_back(std::move(v));
  }
  return out;
}

Result<StaffView> StaffService::Show(const TenantRef& tenant, std::string_view username) {
  ONECARD_TRY(std::unique_ptr<storage::ReadTxn> txn, store_.BeginRead());
  ONECARD_TRY(storage::StaffUserRecord u, FindStaffOrFail(*txn, tenant, username));
  return ReadView(*txn, u);
}

Result<LoginResult> StaffService::Login(const LoginRequest& r) {
  const auto invalid = [] {
    return MakeError(ErrorCode::kCredentialsInvalid, "unknown username or wrong password");
  };
  if (r.username.empty() || r.password.empty() || r.username.size() > 64 ||
      r.password.size() > 256) {
    return invalid();
  }
  Result<TenantRef> tenant_found = org_.ResolveTenant(r.tenant);
  if (!tenant_found) {
    if (tenant_found.error().code == ErrorCode::kTenantNotFound) return invalid();
    return tenant_found.error();
  }
  const TenantRef tenant = *tenant_found;
  const core::Timestamp now = clock_.Now();
  const core::Timestamp window_start = now.PlusSeconds(-options_.lockout.count());
  std::optional<storage::StaffUserRecord> user;
  {
    ONECARD_TRY(std::unique_ptr<storage::ReadTxn> txn, store_.BeginRead());
    ONECARD_TRY(std::int64_t failures, txn->CountLoginFailures(r.client, window_start));
    if (failures >= options_.max_failures_per_client) {
      return Locked("too many failed logins from " + r.client,
                    now.PlusSeconds(options_.lockout.count()), now);
    }
    ONECARD_TRY(user, txn->FindStaffUser(tenant.id, r.username));
  }
  if (user && user->locked_until && *user->locked_until > now) {
    return Locked("staff user " + user->username + " is locked after " +
                      std::to_string(options_.max_failures_per_account) + " failed logins",
                  *user->locked_until, now);
  }
  // The slow part, outside the writer.
  const std::string& hash = user ? user->password_hash : DummyHash(options_.fast_hashing);
  const bool password_ok =
      crypto_pwhash_str_verify(hash.c_str(), r.password.data(), r.password.size()) == 0;
  const bool ok = user && password_ok && user->status == "active";

  Request req;
  req.tenant = tenant;
  req.actor.staff = r.username;
  req.actor.kind = "staff";
  req.actor.client = r.client;
  req.request_id = r.request_id;
  auto audit = AuditOf(req, ok ? "staff.login" : "staff.login_failed", "staff", r.username);
  if (user) req.actor.store = user->store;
  audit->store = req.actor.store;
  const std::string token = ok ? NewToken(kSessionPrefix) : std::string();
  const int max_failures = options_.max_failures_per_account;
  const std::int64_t lockout = options_.lockout.count();
  const std::int64_t ttl = options_.session_ttl.count();
  Result<LoginResult> outcome = writer_.Call<LoginResult>(
      tenant.id, "", "",
      [&](storage::WriteTxn& txn) -> Result<LoginResult> {
        const core::Timestamp at = clock_.Now();
        std::optional<storage::StaffUserRecord> u;
        if (user) {
          ONECARD_TRY(u, txn.GetStaffUser(tenant.id, user->id));
        }
        if (!ok) {
          ONECARD_CHECK(txn.InsertLoginFailure(r.client, at, at.PlusSeconds(-lockout)));
          if (u) {
            u->failed_logins += 1;
            if (u->failed_logins >= max_failures) {
              u->locked_until = at.PlusSeconds(lockout);
              u->failed_logins = 0;
            }
            ONECARD_CHECK(txn.UpdateStaffUser(*u));
          }
          audit->after = nlohmann::json{{"client", r.client}}.dump();
          return LoginResult{};  // committed, then answered as a failure below
        }
        ONECARD_ASSERT(u.has_value(), "a login without its user");
        u->failed_logins = 0;
        u->locked_until.reset();
        ONECARD_CHECK(txn.UpdateStaffUser(*u));
        ONECARD_CHECK(txn.InsertSession(storage::SessionRecord{
            Digest(token), tenant.id, u->id, at, at.PlusSeconds(ttl), std::nullopt, r.client}));
        ONECARD_TRY(StaffView view, ReadView(txn, *u));
        audit->after = nlohmann::json{{"client", r.client}, {"user", view}}.dump();
        return LoginResult{token, at.PlusSeconds(ttl), std::move(view)};
      },
      audit);
  if (!outcome) return outcome.error();
  if (!ok) return invalid();
  return outcome;
}

Status StaffService::Logout(const Request& req, const Principal& who) {
  if (who.kind != "staff" || who.session_hash.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "an API key has no session to end; an admin revokes it instead");
  }
  Result<bool> done = writer_.Call<bool>(
      req.tenant.id, "", "",
      [&](storage::WriteTxn& txn) -> Result<bool> {
        ONECARD_CHECK(txn.RevokeSession(who.session_hash, clock_.Now()));
        return true;
      },
      AuditOf(req, "staff.logout", "staff", who.name));
  if (!done) return done.error();
  Forget([&](const Principal& p) { return p.session_hash == who.session_hash; });
  return {};
}

Result<Principal> StaffService::PrincipalOf(storage::ReadTxn& txn, const TenantRef& tenant,
                                            std::string kind, std::int64_t id, std::string name,
                                            std::string display_name, std::string_view role,
                                            core::StoreId store, core::RegionId region) {
  Principal p;
  p.tenant = tenant;
  p.kind = std::move(kind);
  p.id = id;
  p.name = std::move(name);
  p.display_name = std::move(display_name);
  ONECARD_TRY(p.role, ParseRole(role));
  p.store = store;
  p.region = region;
  ONECARD_TRY(auto codes, ScopeCodes(txn, tenant.id, store, region));
  p.store_code = codes.first;
  p.region_code = codes.second;
  if (region.valid()) {
    ONECARD_TRY(std::vector<storage::StoreRecord> stores, txn.ListStores(tenant.id));
    for (const auto& s : stores) {
      if (s.region != region) continue;
      p.region_store_codes.push_back(s.code);
    }
  }
  return p;
}

Result<Principal> StaffService::Authenticate(std::string_view token) {
  if (!token.starts_with(kSessionPrefix) && !token.starts_with(kApiKeyPrefix)) {
    return MakeError(ErrorCode::kTokenInvalid, "not a OneCard session token or API key");
  }
  const std::string hash = Digest(token);
  const auto steady = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(cache_mu_);
    auto it = cache_.find(hash);
    if (it != cache_.end() && it->second.until > steady &&
        (!it->second.session_expires || *it->second.session_expires > clock_.Now())) {
      return it->second.principal;
    }
    if (it != cache_.end()) cache_.erase(it);
  }
  ONECARD_TRY(Principal p, AuthenticateUncached(token, hash));
  if (options_.principal_cache_ttl.count() > 0) {
    std::lock_guard lock(cache_mu_);
    if (cache_.size() > 100'000) cache_.clear();  // a bound, not an LRU: rebuilt in seconds
    cache_[hash] = Cached{p, steady + options_.principal_cache_ttl, p.session_expires};
  }
  return p;
}

void StaffService::Forget(std::function<bool(const Principal&)> which) {
  std::lock_guard lock(cache_mu_);
  std::erase_if(cache_, [&](const auto& kv) { return which(kv.second.principal); });
}

Result<Principal> StaffService::AuthenticateUncached(std::string_view token,
                                                     const std::string& hash) {
  const auto invalid = [](std::string why) {
    return MakeError(ErrorCode::kTokenInvalid, std::move(why));
  };
  const bool session = token.starts_with(kSessionPrefix);
  const core::Timestamp now = clock_.Now();
  ONECARD_TRY(std::unique_ptr<storage::ReadTxn> txn, store_.BeginRead());
  if (session) {
    ONECARD_TRY(std::optional<storage::SessionRecord> s, txn->FindSession(hash));
    if (!s) return invalid("unknown session; log in again");
    if (s->revoked_at) return invalid("this session was ended; log in again");
    if (s->expires_at <= now) {
      return invalid("this session expired at " + LocalMinute(s->expires_at) + "; log in again");
    }
    ONECARD_TRY(std::optional<storage::StaffUserRecord> u,
                txn->GetStaffUser(s->tenant, s->user_id));
    if (!u || u->status != "active") return invalid("this staff user is disabled");
    ONECARD_TRY(std::optional<storage::TenantRecord> t, txn->GetTenant(u->tenant));
    ONECARD_ASSERT(t.has_value(), "a session of a missing tenant");
    ONECARD_TRY(Principal p,
                PrincipalOf(*txn, TenantRef{t->id, t->code, t->timezone}, "staff", u->id,
                            u->username, u->display_name, u->role, u->store, u->region));
    p.session_hash = hash;
    p.session_expires = s->expires_at;
    return p;
  }
  ONECARD_TRY(std::optional<storage::ApiKeyRecord> k, txn->FindApiKey(hash));
  if (!k) return invalid("unknown API key");
  if (k->status != "active") return invalid("this API key was revoked");
  ONECARD_TRY(std::optional<storage::TenantRecord> t, txn->GetTenant(k->tenant));
  ONECARD_ASSERT(t.has_value(), "an API key of a missing tenant");
  return PrincipalOf(*txn, TenantRef{t->id, t->code, t->timezone}, "api_key", k->id, k->name,
                     k->name, k->role, k->store, k->region);
}

Result<ApiKeyView> StaffService::AddApiKey(const Request& req, const ApiKeySpec& spec) {
  ONECARD_CHECK(ValidateUsername(spec.name));
  ONECARD_TRY(Role role, ParseRole(spec.role));
  ONECARD_CHECK(CheckScopeFits(role, !spec.store.empty(), !spec.region.empty()));
  const std::string key = NewToken(kApiKeyPrefix);
  auto audit = AuditOf(req, "api_key.add", "api_key", spec.name);
  Result<ApiKeyView> made = writer_.Call<ApiKeyView>(
      req.tenant.id, "", "",
      [&](storage::WriteTxn& txn) -> Result<ApiKeyView> {
        ONECARD_TRY(auto scope, ResolveScope(txn, req.tenant, spec.store, spec.region));
        storage::ApiKeyRecord k;
        k.tenant = req.tenant.id;
        k.name = spec.name;
        k.key_hash = Digest(key);
        k.role = std::string(RoleName(role));
        k.store = scope.first;
        k.region = scope.second;
        k.created_at = clock_.Now();
        Result<std::int64_t> id = txn.InsertApiKey(k);
        if (!id && id.error().code == ErrorCode::kCodeTaken) {
          return MakeError(ErrorCode::kCodeTaken,
                           "an API key named " + spec.name + " exists already", "name");
        }
        ONECARD_CHECK(id);
        k.id = *id;
        ApiKeyView view = KeyView(k, spec.store, spec.region);
        audit->after = nlohmann::json(view).dump();  // without the key
        return view;
      },
      audit);
  if (!made) return made;
  made->key = key;
  return made;
}

Result<std::vector<ApiKeyView>> StaffService::ListApiKeys(const TenantRef& tenant) {
  ONECARD_TRY(std::unique_ptr<storage::ReadTxn> txn, store_.BeginRead());
  ONECARD_TRY(std::vector<storage::ApiKeyRecord> keys, txn->ListApiKeys(tenant.id));
  std::vector<ApiKeyView> out;
  for (const auto& k : keys) {
    ONECARD_TRY(auto codes, ScopeCodes(*txn, tenant.id, k.store, k.region));
    out.push_back(KeyView(k, codes.first, codes.second));
  }
  return out;
}

Result<ApiKeyView> StaffService::RevokeApiKey(const Request& req, std::int64_t id) {
  Result<ApiKeyView> revoked = writer_.Call<ApiKeyView>(
      req.tenant.id, "", "",
      [&](storage::WriteTxn& txn) -> Result<ApiKeyView> {
        ONECARD_TRY(std::vector<storage::ApiKeyRecord> keys, txn.ListApiKeys(req.tenant.id));
        for (auto& k : keys) {
          if (k.id != id) continue;
          if (k.status == "active") {
            ONECARD_CHECK(txn.RevokeApiKey(req.tenant.id, id, clock_.Now()));
            k.status = "revoked";
            k.revoked_at = clock_.Now();
          }
          ONECARD_TRY(auto codes, ScopeCodes(txn, req.tenant.id, k.store, k.region));
          return KeyView(k, codes.first, codes.second);
        }
        return MakeError(ErrorCode::kApiKeyNotFound,
                         "no API key " + std::to_string(id) + " in tenant " + req.tenant.code,
                         "id");
      },
      AuditOf(req, "api_key.revoke", "api_key", std::to_string(id)));
  Forget([&](const Principal& p) {
    return p.kind == "api_key" && p.tenant.id == req.tenant.id && p.id == id;
  });
  return revoked;
}

Result<AuditPage> StaffService::Audit(const TenantRef& tenant, const storage::AuditFilter& filter) {
  if (filter.limit < 1 || filter.limit > 500) {
    return MakeError(ErrorCode::kInvalidArgument, "limit is 1 to 500", "limit");
  }
  ONECARD_TRY(std::unique_ptr<storage::ReadTxn> txn, store_.BeginRead());
  storage::AuditFilter f = filter;
  f.limit = filter.limit + 1;  // one more, to know whether there is a next page
  ONECARD_TRY(std::vector<storage::AuditRecord> rows, txn->ListAudit(tenant.id, f));
  AuditPage page;
  std::map<std::int64_t, std::string> store_codes;
  for (const auto& a : rows) {
    if (static_cast<int>(page.items.size()) == filter.limit) {
      page.next_before_id = page.items.back().id;
      break;
    }
    AuditLine line;
    line.id = a.id;
    line.at = a.at;
    line.actor = a.actor;
    line.actor_kind = a.actor_kind;
    line.client = a.client;
    if (a.store.valid()) {
      auto it = store_codes.find(a.store.value);
      if (it == store_codes.end()) {
        ONECARD_TRY(std::optional<storage::StoreRecord> s, txn->GetStore(tenant.id, a.store));
        it = store_codes.emplace(a.store.value, s ? s->code : "").first;
      }
      line.store = it->second;
    }
    line.request_id = a.request_id;
    line.action = a.action;
    line.object_kind = a.object_kind;
    line.object_id = a.object_id;
    line.before = a.before ? nlohmann::json::parse(*a.before, nullptr, false) : nlohmann::json();
    line.after = a.after ? nlohmann::json::parse(*a.after, nullptr, false) : nlohmann::json();
    if (line.before.is_discarded()) line.before = *a.before;
    if (line.after.is_discarded()) line.after = *a.after;
    page.items.push_back(std::move(line));
  }
  return page;
}

}  // namespace onecard::service
