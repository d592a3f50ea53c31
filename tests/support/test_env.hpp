// Test support: a temporary directory, and a ready tenant on a real SQLite file with a manual
// clock, for service, storage and CLI tests.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "service/services.hpp"
#include "storage/store.hpp"

namespace onecard::testing {

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// 2026-11-23 10:00 in Shanghai.
inline constexpr core::Timestamp kStart = core::Timestamp::FromSeconds(1'795'399'200);

// A database with tenant "t1" (Asia/Shanghai), stores "s1" and "s2", and card types "member"
// (personal, 12 months), "gold" (personal, 24 months, fee 800.00), "family" (linked),
// "gift" (gift) and "count" (count).
class TestEnv {
 public:
  explicit TestEnv(storage::Durability durability = storage::Durability::kNormal,
                   int group_max = 100);
  ~TestEnv();

  service::Services& services() { return *services_; }
  service::LedgerService& ledger() { return services_->ledger(); }
  service::ManualClock& clock() { return clock_; }
  storage::Store& store() { return *store_; }
  const service::TenantRef& tenant() const { return tenant_; }
  const std::string& db_path() const { return db_; }

  // A request at store `store` ("" = head office) with a fresh idempotency key.
  service::Request Req(const std::string& store = "s1");
  // A request with the given key.
  service::Request Keyed(const std::string& key, const std::string& store = "s1");
  // Enrols a member and issues a card of `type`; returns the card number.
  std::string NewCard(const std::string& name = "张伟", const std::string& type = "member");
  std::int64_t MemberOf(const std::string& card);

  // Shortcuts that must succeed (they fail the test otherwise).
  service::EntryReceipt Earn(const std::string& card, std::int64_t points,
                             std::optional<core::Timestamp> expires = std::nullopt,
                             core::Asset asset = core::Asset::kPoints);
  service::EntryReceipt TopUp(const std::string& card, std::int64_t fen, std::int64_t bonus = 0);
  std::int64_t Balance(const std::string& card, core::Asset asset = core::Asset::kPoints);
  std::int64_t Available(const std::string& card, core::Asset asset = core::Asset::kPoints);
  // Expiry instant for "valid until `date`" in the tenant's zone.
  core::Timestamp ValidUntil(const std::string& date);
  // Runs verify; returns the discrepancies joined (empty when the books balance).
  std::string VerifyProblems();

  // Closes and reopens the database (e.g. after editing it behind the store's back).
  void Reopen();

 private:
  void Open(storage::OpenMode mode);

  TempDir dir_;
  std::string db_;
  storage::Durability durability_;
  int group_max_;
  service::ManualClock clock_{kStart};
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<service::Services> services_;
  service::TenantRef tenant_;
  std::atomic<int> keys_ = 0;  // tests call Req() from several threads
};

// The text of a file (empty when it cannot be read).
std::string ReadFileText(const std::string& path);
// The text of examples/programmes/`name`.
std::string ExampleProgramme(const std::string& name);
// Stores `document` as the tenant's next programme version and activates it (must succeed).
void UseProgramme(TestEnv& env, const std::string& document);
// Adds top-level catalogue categories (a programme that names a category needs it to exist).
void AddCategories(TestEnv& env, const std::vector<std::string>& codes);

// Runs an SQL statement directly on a database file (to tamper with it in tests).
void ExecSql(const std::string& db_path, const std::string& sql);
std::int64_t QueryInt(const std::string& db_path, const std::string& sql);
// The first column of every row, as text.
std::vector<std::string> QueryStrings(const std::string& db_path, const std::string& sql);

}  // namespace onecard::testing
