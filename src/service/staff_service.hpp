// StaffService: staff users, logins and sessions, API keys, and the audit log (issue #3).
//
// Passwords are stored as argon2id (libsodium crypto_pwhash_str); session tokens and API keys are
// 32 random bytes shown once and stored only as their BLAKE2b-256. Logins lock out: an account
// after `max_failures_per_account` failed logins in a row (for `lockout`), a client address after
// `max_failures_per_client` failures within `lockout`; a locked login is refused before any
// password is checked, with the time to retry.
//
// Login is slow on purpose (about 0.1 s of argon2id): call it off any event loop.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "service/access.hpp"
#include "service/clock.hpp"
#include "service/context.hpp"
#include "service/json.hpp"
#include "service/org_service.hpp"
#include "service/writer.hpp"
#include "storage/store.hpp"

namespace onecard::service {

struct StaffOptions {
  std::chrono::seconds session_ttl{12 * 3600};
  int max_failures_per_account = 5;
  int max_failures_per_client = 20;
  std::chrono::seconds lockout{15 * 60};
  // argon2id cost: libsodium's INTERACTIVE (about 0.1 s, 64 MiB) unless `fast_hashing`, which
  // tests use to keep hundreds of logins quick; the stored hash carries its own cost.
  bool fast_hashing = false;
  std::chrono::milliseconds principal_cache_ttl{5000};
};

struct StaffSpec {
  std::string username;
  std::string display_name;
  std::string password;
  std::string role;
  std::string store;   // store code: the user works only there
  std::string region;  // region code: the user works only in its stores
};

struct StaffChanges {
  std::optional<std::string> display_name;
  std::optional<std::string> password;
  std::optional<std::string> role;
  std::optional<std::string> store;   // "" clears
  std::optional<std::string> region;  // "" clears
  std::optional<bool> active;         // false disables and ends every session
};

struct StaffView {
  std::int64_t id = 0;
  std::string username;
  std::string display_name;
  std::string role;
  std::string store;
  std::string region;
  std::string status;
  std::optional<core::Timestamp> locked_until;
  core::Timestamp created_at;
};

struct LoginRequest {
  std::string tenant;  // code; empty: the only tenant
  std::string username;
  std::string password;
  std::string client;  // address
  std::string request_id;
};

struct LoginResult {
  std::string token;
  core::Timestamp expires_at;
  StaffView user;
};

struct ApiKeySpec {
  std::string name;
  std::string role;
  std::string store;
  std::string region;
};

struct ApiKeyView {
  std::int64_t id = 0;
  std::string name;
  std::string role;
  std::string store;
  std::string region;
  std::string status;
  core::Timestamp created_at;
  std::optional<core::Timestamp> revoked_at;
  std::string key;  // only when just created: shown once, never stored
};

struct AuditLine {
  std::int64_t id = 0;
  core::Timestamp at;
  std::string actor;
  std::string actor_kind;
  std::string client;
  std::string store;
  std::string request_id;
  std::string action;
  std::string object_kind;
  std::string object_id;
  nlohmann::json before;  // null when there is none
  nlohmann::json after;
};

struct AuditPage {
  std::vector<AuditLine> items;
  std::int64_t next_before_id = 0;  // pass as before_id for the next page; 0: no more
};

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(StaffView, id, username, display_name, role, store, region,
                                   status, locked_until, created_at)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(LoginResult, token, expires_at, user)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ApiKeyView, id, name, role, store, region, status, created_at,
                                   revoked_at, key)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(AuditLine, id, at, actor, actor_kind, client, store, request_id,
                                   action, object_kind, object_id, before, after)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(AuditPage, items, next_before_id)

class StaffService {
 public:
  StaffService(storage::Store& store, const Clock& clock, Writer& writer, OrgService& org,
               StaffOptions options = {});

  core::Result<StaffView> Add(const Request& req, const StaffSpec& spec);
  core::Result<StaffView> Update(const Request& req, std::string_view username,
                                 const StaffChanges& changes);
  core::Result<std::vector<StaffView>> List(const TenantRef& tenant);
  core::Result<StaffView> Show(const TenantRef& tenant, std::string_view username);

  // Checks the password (slow) and opens a session. Errors: kCredentialsInvalid (unknown user,
  // wrong password, disabled user — one message for all), kLoginLocked.
  core::Result<LoginResult> Login(const LoginRequest& r);
  // Ends the principal's session (API keys are revoked, not logged out).
  core::Status Logout(const Request& req, const Principal& who);
  // A session token or an API key → who it is. kTokenInvalid when unknown, expired, revoked or
  // its user is disabled. A token seen in the last `principal_cache_ttl` is answered from memory
  // (this process forgets it at once on logout, revocation or a change of its user; another
  // process sharing the database within that time).
  core::Result<Principal> Authenticate(std::string_view token);

  core::Result<ApiKeyView> AddApiKey(const Request& req, const ApiKeySpec& spec);
  core::Result<std::vector<ApiKeyView>> ListApiKeys(const TenantRef& tenant);
  core::Result<ApiKeyView> RevokeApiKey(const Request& req, std::int64_t id);

  core::Result<AuditPage> Audit(const TenantRef& tenant, const storage::AuditFilter& filter);

 private:
  core::Result<Principal> AuthenticateUncached(std::string_view token, const std::string& hash);
  void Forget(std::function<bool(const Principal&)> which);
  core::Result<std::string> HashPassword(std::string_view password) const;
  core::Result<Principal> PrincipalOf(storage::ReadTxn& txn, const TenantRef& tenant,
                                      std::string kind, std::int64_t id, std::string name,
                                      std::string display_name, std::string_view role,
                                      core::StoreId store, core::RegionId region);

  storage::Store& store_;
  const Clock& clock_;
  Writer& writer_;
  OrgService& org_;
  StaffOptions options_;

  struct Cached {
    Principal principal;
    std::chrono::steady_clock::time_point until;
    std::optional<core::Timestamp> session_expires;
  };
  std::mutex cache_mu_;
  std::unordered_map<std::string, Cached> cache_;  // by token hash
};

}  // namespace onecard::service
